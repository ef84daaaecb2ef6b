"""评价工作台: the frame. Page config, navigation, and nothing else."""

import streamlit as st

st.set_page_config(page_title="评价工作台", page_icon=":material/fact_check:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title="评价项目", icon=":material/list_alt:", default=True),
    ]
)
page.run()
