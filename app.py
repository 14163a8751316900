"""深度学习游乐场 · Deep Learning Playground — the router: page config, navigation, sidebar."""

import streamlit as st

from core.env import skip_unused_imports

skip_unused_imports()  # before anything imports torch

from ui import sidebar  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.nav import available  # noqa: E402
from ui.state import keep_widget_state  # noqa: E402

st.set_page_config(page_title="深度学习游乐场 · Deep Learning Playground", page_icon="🧠", layout="wide")
keep_widget_state()
sidebar.render()
home = st.Page("pages/home.py", title=t("nav.home.title"), icon=":material/home:", url_path="home", default=True)
pages = [st.Page(p.path, title=t(f"nav.{p.name}.title"), icon=p.icon, url_path=p.url) for p in available()]
st.navigation([home, *pages], expanded=True).run()  # all pages: a collapsed menu says "View 3 more" in English
