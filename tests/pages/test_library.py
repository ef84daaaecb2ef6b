"""指标库 page: browsing with rules in words, validating an uploaded template with every error listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import LIBRARY
from tests.pages.support import new_app, open_page, texts


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def test_browse_systems_and_packs_with_rules_in_words(app: AppTest) -> None:
    open_page(app, "library", None)
    app.selectbox(key="lib_item").set_value("panzhihua-2024").run()
    table = app.table[0].value
    assert "（由专用指标包填充）" in set(table["二级指标"])
    row = table.loc["TY.JC.01"]
    assert row["规则"] == "满分 6 分，每发现一处问题扣 3 分，扣完为止。"
    app.segmented_control(key="lib_kind").set_value("专用指标包").run()
    app.selectbox(key="lib_item").set_value("pack-zhaoshang-yinzi").run()
    assert not app.exception
    assert "招商活动计划完成率 × 3" in " ".join(app.table[0].value["规则"])


def test_uploaded_template_lists_every_error(app: AppTest) -> None:
    open_page(app, "library", None)
    text = (LIBRARY / "packs" / "zhaoshang_yinzi.yaml").read_text(encoding="utf-8")
    broken = text.replace("method: composite_ratio", "method: formula", 1).replace("weight: 6\n", "weight: -6\n", 1)
    app.file_uploader(key="lib_upload").set_value(("bad.yaml", broken.encode(), "application/yaml")).run()
    message = texts(app)
    assert "“bad.yaml”校验未通过，共 2 处问题" in message
    assert "1. 文件 bad.yaml，指标 ZY.ZSGZ.01，字段 groups[0].indicators[0].rule：未知的评分方法“formula”" in message
    assert "2. 文件 bad.yaml，指标 ZY.ZSGZ.02，字段 groups[0].indicators[1].weight：应不小于 0" in message
    app.file_uploader(key="lib_upload").set_value(("good.yaml", text.encode(), "application/yaml")).run()
    assert "“good.yaml”校验通过：专用指标包“招商引资工作类专用指标”" in texts(app)


def test_uploaded_file_with_weights_that_do_not_add_up(app: AppTest) -> None:
    open_page(app, "library", None)
    text = (
        (LIBRARY / "packs" / "zhaoshang_yinzi.yaml").read_text(encoding="utf-8").replace("weight: 30", "weight: 31", 1)
    )
    app.file_uploader(key="lib_upload").set_value(("w.yaml", text.encode(), "application/yaml")).run()
    assert "不等于包的分值 31" in texts(app)
