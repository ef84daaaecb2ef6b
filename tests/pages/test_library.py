"""指标库 page: browsing with rules in words, validating an uploaded template with every error listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.repo import list_evaluations
from tests.conftest import LIBRARY
from tests.evaluation.indicators.test_client_table import layout_a, workbook
from tests.pages.support import new_app, open_page, stored, texts


def stored_keys(tmp_path: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            return [e.key for e in list_evaluations(session=session)]
    finally:
        engine.dispose()


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


def test_a_client_table_becomes_an_agency_template_for_new_evaluations(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "library", None)
    app.file_uploader(key="lib_client#0").set_value(("人居环境整治.xlsx", layout_a(), "application/vnd.ms-excel")).run()
    assert not app.exception
    report = next(d.value for d in app.dataframe if "识别为" in d.value.columns)
    assert len(report) == 11 and "比率分值法（时效）" in set(report["识别为"])
    app.text_input(key="lib_client.id#0").set_value("renju-2019")
    next(b for b in app.form_submit_button if b.label == "存入机构模板库").click().run()
    assert "已存入机构模板库" in texts(app)
    app.segmented_control(key="lib_kind").set_value("机构模板").run()
    assert app.selectbox(key="lib_item").value == "renju-2019"
    assert "违规违纪问题" in set(app.table[0].value["三级指标"])
    assert {b.label for b in app.get("download_button")} >= {"下载模板文件（YAML）", "下载指标体系表（Excel）"}

    app.switch_page("pages/home.py").run()
    app.toggle(key="wb_new_open").set_value(True).run()
    app.selectbox(key="new.template").set_value("renju-2019").run()
    labels = {w.label for w in [*app.selectbox, *app.text_input, *app.multiselect]}
    assert "项目类别" in labels and not any(str(label).startswith("专用指标包") for label in labels)
    app.text_input(key="new.name#0").set_value("2020年农村人居环境整治")
    app.text_input(key="new.department#0").set_value("某区农业农村局")
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert not app.exception and "已新建评价" in texts(app)
    created = next(k for k in stored_keys(tmp_path) if k.startswith("eval-2024"))
    assert stored(tmp_path, created).system.name == "某区2019年农村人居环境整治项目绩效评价指标体系"


def test_a_client_table_with_errors_is_not_offered_for_saving(app: AppTest) -> None:
    open_page(app, "library", None)
    bad = workbook([["三级指标", "分值", "评分标准"], ["完成率", "十分", "完成率×分值"]])
    app.file_uploader(key="lib_client#0").set_value(("坏表.xlsx", bad, "application/vnd.ms-excel")).run()
    assert "“完成率”分值“十分”不是数字" in texts(app)
    assert not [b for b in app.form_submit_button if b.label == "存入机构模板库"]
