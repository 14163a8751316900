"""AppTest helpers: open a page of the real app (app.py router) in a chosen language."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

LANGS = ("zh", "en")


def open_page(page: str, lang: str = "zh", timeout: float = 60, **state) -> AppTest:
    """Run app.py, switch to ``pages/<page>.py`` and run it; `state` presets session keys."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["p.lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page != "home":
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception, and no untranslated i18n key leaked into visible text."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value for m in at.markdown] + [e.value for e in at.error] + [h.value for h in at.title]
    leaked = [s for s in texts if isinstance(s, str) and _looks_like_key(s)]
    assert not leaked, leaked


def _looks_like_key(text: str) -> bool:
    """An i18n key shown verbatim: ``family.name.desc`` style, no spaces."""
    parts = text.split(".")
    return len(parts) >= 2 and " " not in text and all(p.replace("_", "").isalnum() for p in parts)
