"""The server: ``streamlit run serve.py`` serves app.py behind the workbench's HTTP guard (``ui.web``):
downloads reach only the signed-in browser they were made for, and every answer carries the security
headers. scripts/run.sh and the browser tests start the app this way."""

import streamlit as st
from starlette.middleware import Middleware

from ui.web import Guard

app = st.App("app.py", middleware=[Middleware(Guard)])
