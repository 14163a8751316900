"""Home: what the playground is, a card per page, and the course map."""

import streamlit as st

from ui.i18n import t
from ui.nav import CHAPTERS, available

st.title(t("home.title"))
st.markdown(t("home.intro"))

pages = available()
st.subheader(t("home.pages"))
cols = st.columns(3)
for i, page in enumerate(pages):
    with cols[i % 3].container(border=True):
        if page.card.exists():
            st.image(str(page.card), width="stretch")
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
