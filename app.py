"""评价工作台: the frame. Page config, navigation, and nothing else."""

import streamlit as st

st.set_page_config(page_title="评价工作台", page_icon=":material/fact_check:", layout="wide")

st.session_state["_wb_via_app"] = True  # ui.guard: this session has the app's navigation
page = st.navigation(
    {
        "评价": [
            st.Page("pages/home.py", title="评价项目", icon=":material/list_alt:", default=True),
            st.Page("pages/project.py", title="项目信息", icon=":material/description:"),
            st.Page("pages/indicators.py", title="指标体系", icon=":material/account_tree:"),
            st.Page("pages/evidence.py", title="证据与评分", icon=":material/rule:"),
            st.Page("pages/problems.py", title="问题与建议", icon=":material/report_problem:"),
            st.Page("pages/report.py", title="报告", icon=":material/article:"),
            st.Page("pages/review.py", title="复核", icon=":material/fact_check:"),
        ],
        "管理": [
            st.Page("pages/analysis.py", title="对比分析", icon=":material/monitoring:"),
            st.Page("pages/selfeval.py", title="自评表", icon=":material/table_view:"),
        ],
        "资料": [
            st.Page("pages/library.py", title="指标库", icon=":material/library_books:"),
        ],
    }
)
wanted = st.session_state.pop("_wb_wanted_page", None)  # a page URL opened before navigation existed
if wanted and wanted != page.url_path:
    st.switch_page(f"pages/{wanted}.py")
page.run()
