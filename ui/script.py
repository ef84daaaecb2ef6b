"""Running a small script in the app's own document: ``st.html`` re-creates script tags, so they run
when the element is new or its content changed. The element draws nothing; its style keeps the empty
container from adding a gap to the page."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class _Markup:
    """HTML handed to ``st.html`` as it is: given a string, Streamlit dedents and strips it on every run (half the
    element's cost for the 3 KB of the Chinese-texts script, which that leaves unchanged); given an object with
    ``_repr_html_``, it takes the text as it is."""

    text: str

    def _repr_html_(self) -> str:
        return self.text


def run_in_page(marker: str, js: str) -> None:
    """Run ``js`` in the page. ``marker`` names the element (an HTML id); a script whose marker and code
    are unchanged since the last run is not run again."""
    st.html(
        _Markup(
            f'<style>[data-testid="stElementContainer"]:has(#{marker}){{display:none}}</style>'
            f'<span id="{marker}"></span><script>{js}</script>'
        ),
        unsafe_allow_javascript=True,
    )
