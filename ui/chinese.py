"""Streamlit's own words in Chinese.

Streamlit draws a few texts of its own in English and has no setting for another language: the upload button
(“Upload”) and its “50MB per file” line, “Press Enter to submit form” under a field of a form, “Choose an option”
in an empty picker, “No results”, and the tooltips of a table's toolbar (“Download as CSV”, “Search”…) and of a
chart's (“Download plot as a PNG”, “Zoom”…). A small script put into the page once per browser window
(:func:`streamlit_in_chinese`, called by the frame on every run) replaces them as they appear: the text of an
element, or its placeholder, aria-label, title or data-title (a chart's tooltips). Texts written by the
workbench (Markdown, labels, tables) are never touched, except the upload button's own label.

The upload line drops Streamlit's size limit: it is the server's ceiling for any file (``maxUploadSize``), while
each upload box says in its label the limit the workbench checks (20 MB for attachments), which is lower.
"""

from __future__ import annotations

import json
from functools import cache

from ui.script import run_in_page

# Streamlit's text → the workbench's (exact, after trimming)
TEXTS: dict[str, str] = {
    "Press Enter to submit form": "按 Enter 提交",
    "Press Enter to apply": "按 Enter 确认",
    "Press Ctrl+Enter to submit form": "按 Ctrl+Enter 提交",
    "Press ⌘+Enter to submit form": "按 ⌘+Enter 提交",
    "Press Ctrl+Enter to apply": "按 Ctrl+Enter 确认",
    "Press ⌘+Enter to apply": "按 ⌘+Enter 确认",
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "Choose or add an option": "请选择或输入",
    "Choose or add options": "请选择或输入（可多选）",
    "No options": "没有可选项",
    "No options to select": "没有可选项",
    "No options to select.": "没有可选项",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "No results": "没有符合的选项",
    "Drag and drop file here": "拖放文件到这里",
    "Drag and drop files here": "拖放文件到这里",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示或隐藏列",
    "Add row": "添加一行",
    "Delete row(s)": "删除选中的行",
    "Copy to clipboard": "复制",
    "Copied": "已复制",
    "Clear all": "全部清除",
    "Selected values": "已选",
    "Increment": "加",
    "Decrement": "减",
    "Help": "说明",
    "Choose date": "选择日期",
    "file upload": "上传文件",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Please wait...": "请稍候…",
    "Connecting": "正在连接",
    "Download plot as a PNG": "下载为 PNG 图片",
    "Zoom": "缩放",
    "Pan": "平移",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "Autoscale": "自动缩放",
    "Reset axes": "还原坐标轴",
    "Box Select": "框选",
    "Lasso Select": "套索选择",
}

# (pattern, replacement) for texts with a part of their own, in JavaScript's RegExp syntax
PATTERNS: list[tuple[str, str]] = [
    (r"^\d+(?:\.\d+)?\s?[KMG]?B per file$", ""),  # the server's ceiling: each box's label says the real limit
    (r"^•\s*(.+)$", "格式：$1"),  # the file types after it
    (r"^Remove (.+)$", "移除 $1"),  # a chosen option's ✕
]

# the upload button's label is drawn as Markdown: changed only inside an upload box
UPLOAD = ("Upload", "选择文件")

_SCRIPT = """
(function () {
  const w = window;
  if (w.__wbChinese) return;
  w.__wbChinese = true;
  const texts = new Map(Object.entries(%(texts)s));
  const patterns = %(patterns)s.map(([p, to]) => [new RegExp(p), to]);
  const upload = %(upload)s;
  const ATTRS = ['placeholder', 'aria-label', 'title', 'data-title'];
  const OURS = '[data-testid="stMarkdownContainer"], [data-testid="stCode"], [contenteditable]';
  const BOX = '[data-testid="stFileUploaderDropzone"]';
  const latin = /[A-Za-z•]/;
  function say(said) {
    const t = said.trim();
    if (texts.has(t)) return texts.get(t);
    for (const [re, to] of patterns) if (re.test(t)) return t.replace(re, to);
    return null;
  }
  function text(node) {
    const t = node.nodeValue;
    if (!t || !latin.test(t)) return;
    const el = node.parentElement;
    if (!el || el.closest('script, style')) return;
    if (el.closest(OURS)) {
      if (t.trim() === upload[0] && el.closest(BOX)) node.nodeValue = upload[1];
      return;
    }
    const s = say(t);
    if (s !== null && s !== t) node.nodeValue = s;
  }
  function attrs(el) {
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      if (!v || !latin.test(v)) continue;
      const s = say(v);
      if (s !== null && s !== v) el.setAttribute(a, s);
    }
  }
  function walk(root) {
    if (root.nodeType === 3) return text(root);
    if (root.nodeType !== 1) return;
    attrs(root);
    const it = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    let n;
    while ((n = it.nextNode())) { if (n.nodeType === 3) text(n); else attrs(n); }
  }
  new MutationObserver(function (changes) {
    for (const c of changes) {
      if (c.type === 'childList') c.addedNodes.forEach(walk);
      else if (c.type === 'characterData') text(c.target);
      else attrs(c.target);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
  walk(document.body);
})();
"""


@cache
def script() -> str:
    """The page script (see the module's docstring), put together once: the frame puts it into every run."""
    return _SCRIPT % {
        "texts": json.dumps(TEXTS, ensure_ascii=False),
        "patterns": json.dumps(PATTERNS, ensure_ascii=False),
        "upload": json.dumps(UPLOAD, ensure_ascii=False),
    }


def streamlit_in_chinese() -> None:
    """Put the script into the page (it runs once per browser window; later runs find it installed)."""
    run_in_page("wb-chinese", script())
