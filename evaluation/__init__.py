"""评价工作台的领域核心：指标体系、评分引擎、评价模型与存储。

本包不依赖 streamlit；纯领域模块（除 ``evaluation.storage`` 外）也不依赖 sqlmodel。
"""

__version__ = "0.1.0"
