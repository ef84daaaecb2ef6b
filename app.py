"""评价工作台: the frame. Page config, Streamlit's texts in Chinese, login, the role's navigation, and nothing else."""

from urllib.parse import urlparse

import streamlit as st

from evaluation.storage.unchanged import one_stamp
from ui.auth import frame_user, login_page
from ui.chinese import streamlit_in_chinese
from ui.guard import PAGES, VIA_APP, WANTED, WANTED_PARAMS, navigation, pages_for, remember_wanted
from ui.resources import engine
from ui.state import LINK_PARAMS

st.set_page_config(page_title="评价工作台", page_icon=":material/fact_check:", layout="wide")

st.session_state[VIA_APP] = True  # ui.guard: this session has the app's navigation
streamlit_in_chinese()  # Streamlit's own English texts (upload button, tooltips…) in Chinese


def frame() -> None:
    """The sign-in check, then the role's navigation and the page."""
    eng = engine()
    user = frame_user(eng)
    if user is None:
        # Remember the page whose URL was opened, to show it once signed in.
        stem = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
        if stem in {p.stem for p in PAGES} and WANTED not in st.session_state:
            remember_wanted(stem)
        elif WANTED_PARAMS not in st.session_state and any(k in st.query_params for k in LINK_PARAMS):
            st.session_state[WANTED_PARAMS] = {k: st.query_params[k] for k in LINK_PARAMS if k in st.query_params}

        def sign_in_page() -> None:
            login_page(eng)

        # Every page path answers with the login (no "page not found" for a bookmarked page); after signing in
        # the browser is still on the page's path, and the role's navigation opens it.
        login_pages = [st.Page(sign_in_page, title="登录", url_path="login", default=True)]
        login_pages += [st.Page(sign_in_page, title="登录", url_path=p.stem) for p in PAGES if p.stem != "home"]
        st.navigation(login_pages, position="hidden").run()
        st.stop()

    page = st.navigation(navigation(user.role), expanded=True)  # every page in view: an administrator has 14
    wanted = st.session_state.pop(WANTED, None)  # a page URL opened before navigation existed or before login
    params = st.session_state.pop(WANTED_PARAMS, None)  # and the evaluation and indicator it named
    if wanted and wanted != page.url_path and wanted in {p.stem for p in pages_for(user.role)}:
        st.switch_page(f"pages/{wanted}.py", query_params=params)
    for name, value in (params or {}).items():
        st.query_params[name] = value
    page.run()


with one_stamp():  # the run's kept reads ask the database once whether anything changed (storage.unchanged)
    frame()
