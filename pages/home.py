"""Home: what the playground is, the course map (chapters → pages and lessons), a card per page."""

import streamlit as st

from ui.i18n import t
from ui.link_view import course_map
from ui.nav import available

st.title(t("home.title"))
st.markdown(t("home.intro"))

st.subheader(t("home.course_map"))
st.caption(t("home.course_map_intro"))
course_map()

st.subheader(t("home.pages"))
cols = st.columns(3)
for i, page in enumerate(available()):
    with cols[i % 3].container(border=True):
        if page.card.exists():
            st.image(page.card_url, width="stretch")
        st.page_link(page.path, label=t(f"nav.{page.name}.title"), icon=page.icon)
        st.caption(t(f"nav.{page.name}.blurb"))
