"""Home: what the playground is, a card per page, and the course map."""

import base64
from pathlib import Path

import streamlit as st

from ui.i18n import t
from ui.nav import CHAPTERS, available


@st.cache_resource(show_spinner=False)
def card_url(path: Path) -> str:
    """A card as a data URL, read once per server: Streamlit decodes and re-encodes a picture file on every run."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


st.title(t("home.title"))
st.markdown(t("home.intro"))

pages = available()
st.subheader(t("home.pages"))
cols = st.columns(3)
for i, page in enumerate(pages):
    with cols[i % 3].container(border=True):
        if page.card.exists():
            st.image(card_url(page.card), width="stretch")
        st.page_link(page.path, label=t(f"nav.{page.name}.title"), icon=page.icon)
        st.caption(t(f"nav.{page.name}.blurb"))

st.subheader(t("home.course_map"))
for chapter in CHAPTERS:
    covering = [p for p in pages if chapter in p.chapters]
    if not covering:
        continue
    c1, c2 = st.columns([2, 3])
    c1.markdown(f"**{t(f'nav.chapters.{chapter}')}**")
    with c2:
        for page in covering:
            st.page_link(page.path, label=t(f"nav.{page.name}.title"), icon=page.icon)
