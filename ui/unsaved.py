"""A warning before the user leaves a page with unsaved form input.

Streamlit drops a page's widget states when the user leaves it, so text typed into a form and not yet
saved is lost on a click in the sidebar navigation, a reload or closing the tab. ``warn_before_leaving``
puts a small script into the page (``st.html`` runs it in the app's own document, not in an iframe)
that notes which forms have unsaved input and asks before such a page is left:

* input in a form (typing, ticking, choosing; also editing a table inside a form) marks the form;
* clicking the form's submit button (or Enter in one of its text fields, which submits it) unmarks it,
  and a refused save (``keep_marked``, called by ``ui.feedback.show_error``) marks it again;
* a click on a page link (sidebar navigation, ``st.page_link``), on 退出登录, on 上一项/下一未评, or on the
  当前评价/指标 pickers while a form is marked asks
  “确定离开吗？” and stays on the page when the user cancels;
* a reload or closing the tab gets the browser's own warning;
* the marks are reset when another page is shown.

The listeners are installed once per browser window; a later run only tells them the current page.
"""

from __future__ import annotations

import json

import streamlit as st

from ui.script import run_in_page
from ui.state import LAST_PAGE

QUESTION = "本页有未保存的输入，离开后将丢失。确定离开吗？"
_REFUSALS = "wb_refused_saves"  # how many refused saves this session has shown

_SCRIPT = """
(function () {
  const page = %(page)s;
  const question = %(question)s;
  const w = window;
  const state = w.__wbUnsaved;
  if (state) {
    if (state.page !== page) { state.page = page; state.forms.clear(); state.pending.clear(); state.tables = false; }
    return;
  }
  // pending: forms just submitted; a refused save (keep_marked) marks them unsaved again
  // tables: a table outside any form holds edits not saved yet (told by the server, see tables_unsaved)
  const st = { page: page, forms: new Set(), pending: new Set(), tables: false, lastForm: null };
  w.__wbUnsaved = st;
  const doc = w.document;
  const FORM = '[data-testid="stForm"]';
  const GRID = '[data-testid="stDataFrame"], [data-testid="stDataEditor"]';
  // Pop-ups drawn outside the form: option lists, calendars, the table's cell editor.
  const POPUP = '[data-baseweb="popover"], [data-baseweb="layer"], [role="listbox"], #portal, .gdg-overlay';
  // page links, and the sign-out button (which also leaves the page)
  const LINK = '[data-testid="stSidebarNav"] a[href], [data-testid="stPageLink"] a[href], .st-key-wb_logout button'
    + ', .st-key-wb_prev button, .st-key-wb_next button';
  // pickers that switch the evaluation or the indicator (their forms' widgets are then dropped)
  const PICKER = '[class*="st-key-wb_pick_"]';
  const el = (t) => (t instanceof w.Element ? t : null);
  const formOf = (t) => {
    const e = el(t);
    if (!e) return null;
    const f = e.closest(FORM);
    if (f) return f;
    return e.closest(POPUP) ? st.lastForm : null;
  };
  const mark = (t) => { const f = formOf(t); if (f) st.forms.add(f); };
  const dirty = () => {
    if (st.tables) return true;
    for (const f of st.forms) { if (f.isConnected) return true; }
    return false;
  };
  const submits = (f) => !!f && !!f.querySelector('[data-testid="stFormSubmitButton"] button:not([disabled])');

  // Which form the user works in, so that input in a pop-up counts for it.
  const follow = (e) => {
    const t = el(e.target);
    if (t && !t.closest(POPUP)) st.lastForm = t.closest(FORM);
  };
  doc.addEventListener('pointerdown', follow, true);
  doc.addEventListener('focusin', follow, true);
  doc.addEventListener('input', (e) => mark(e.target), true);
  doc.addEventListener('change', (e) => mark(e.target), true);
  doc.addEventListener('paste', (e) => mark(e.target), true);
  doc.addEventListener('click', (e) => {
    const t = el(e.target);
    if (t && t.closest('[role="option"], [data-baseweb="calendar"]')) mark(t);
  }, true);
  doc.addEventListener('keydown', (e) => {
    const t = el(e.target);
    if (!t || e.isComposing || e.keyCode === 229) return;
    const f = t.closest(FORM);
    if (!f) return;
    if (t.closest(GRID)) {  // typing on a table cell starts editing it; Delete clears cells or rows
      if ((e.key.length === 1 && !e.ctrlKey && !e.metaKey) || e.key === 'Delete' || e.key === 'Backspace') {
        st.forms.add(f);
      }
      return;
    }
    if (e.key !== 'Enter') return;
    if (t.getAttribute('role') === 'combobox') { st.forms.add(f); return; }
    const field = t.tagName === 'INPUT' || (t.tagName === 'TEXTAREA' && (e.ctrlKey || e.metaKey));
    if (field && submits(f)) { st.forms.delete(f); st.pending.add(f); }  // Enter submits the form
  }, true);
  doc.addEventListener('click', (e) => {
    const t = el(e.target);
    if (!t) return;
    const button = t.closest('[data-testid="stFormSubmitButton"] button');
    if (button) { const f = button.closest(FORM); if (f) { st.forms.delete(f); st.pending.add(f); } return; }
    const link = t.closest(LINK);
    if (!link || !dirty() || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (w.confirm(question)) { st.forms.clear(); st.tables = false; return; }
    e.preventDefault();
    e.stopImmediatePropagation();
  }, true);
  // A picker opens on pointer-down, mouse-down or click: ask on the first, and swallow the rest of a
  // cancelled gesture so that the list does not open.
  let blockedUntil = 0;
  const guardPicker = (e) => {
    const t = el(e.target);
    if (!t || !t.closest(PICKER)) return;
    if (Date.now() < blockedUntil) { e.preventDefault(); e.stopImmediatePropagation(); return; }
    if (e.type !== 'pointerdown' || !dirty() || e.button !== 0) return;
    if (w.confirm(question)) { st.forms.clear(); st.tables = false; return; }
    blockedUntil = Date.now() + 800;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (doc.activeElement instanceof w.HTMLElement) doc.activeElement.blur();
  };
  for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'focusin']) {
    doc.addEventListener(type, guardPicker, true);
  }
  w.addEventListener('beforeunload', (e) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  });
})();
"""


def keep_marked() -> None:
    """After a refused save: the form just submitted still holds unsaved input, so leaving asks again."""
    n = int(st.session_state.get(_REFUSALS, 0)) + 1  # a new element each time, so its script runs
    st.session_state[_REFUSALS] = n
    run_in_page(
        f"wb-refused-{n}",
        "(function () { const s = window.__wbUnsaved;"
        " if (s) { for (const f of s.pending) s.forms.add(f); s.pending.clear(); } })();",
    )


def has_edits(key: str) -> bool:
    """Whether the ``st.data_editor`` with this key holds edits (rows changed, added or deleted)."""
    state = st.session_state.get(key)
    return isinstance(state, dict) and any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))


def tables_unsaved(unsaved: bool) -> None:
    """Tell the page whether a table outside any form (one whose totals follow every edit, so the
    server sees its edits) holds input not saved yet; leaving then asks first, as for forms."""
    flag = "true" if unsaved else "false"
    run_in_page(f"wb-tables-{flag}", f"(function () {{ const s = window.__wbUnsaved; if (s) s.tables = {flag}; }})();")


def warn_before_leaving(page: str | None = None) -> None:
    """Install (once per browser window) the warning before leaving a page with unsaved form input.

    ``page`` names the page being shown (by default the one ``ui.state.entered_page`` noted); the
    unsaved marks are reset when it differs from the last one."""
    name = page if page is not None else str(st.session_state.get(LAST_PAGE, ""))
    script = _SCRIPT % {"page": json.dumps(name), "question": json.dumps(QUESTION, ensure_ascii=False)}
    run_in_page("wb-unsaved", script)
