"""Storage: SQLModel tables, the engine, and keyword-only query functions.

Only this sub-package imports sqlmodel; the domain modules stay free of it.
"""
