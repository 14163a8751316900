"""深度学习游乐场 · Deep Learning Playground — the router: page config, navigation, sidebar, links."""

import streamlit as st

from core.env import skip_unused_imports

skip_unused_imports()  # before anything imports torch

from ui import link_view, links, sidebar  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.nav import available  # noqa: E402
from ui.state import keep_widget_state  # noqa: E402
from ui.turns import page_turns  # noqa: E402

PAGE_TURNS = page_turns()  # whole-page runs of all visitors, at most DLP_MAX_CONCURRENT_PAGES at once


def main() -> None:
    st.set_page_config(page_title="深度学习游乐场 · Deep Learning Playground", page_icon="🧠", layout="wide")
    keep_widget_state()
    links.start()  # a link's settings (or a lesson's) wait here for their widgets
    sidebar.render()
    home = st.Page("pages/home.py", title=t("nav.home.title"), icon=":material/home:", url_path="home", default=True)
    pages = [st.Page(p.path, title=t(f"nav.{p.name}.title"), icon=p.icon, url_path=p.url) for p in available()]
    page = st.navigation([home, *pages], expanded=True)  # all pages: a collapsed menu says "View 3 more" in English
    notice = link_view.header(page.url_path or "home")
    try:
        page.run()
    except Exception as error:  # a widget refused a value the link gave it: drop the link's values, run again
        if not links.recover(error):
            raise
        st.rerun()
    links.finish(page.url_path or "home")
    link_view.show_notices(notice, page.url_path or "home")


with PAGE_TURNS.turn():
    main()
