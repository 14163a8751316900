"""What links draw: the lesson box above a page, the notice of what a link could not set,
the sidebar's Copy link button, the classroom view's CSS, and the home page's course map."""

from __future__ import annotations

import streamlit as st

from core import lessons
from ui import links
from ui.i18n import lang, t
from ui.nav import CHAPTERS, PageSpec, available

_COPY_JS = """
export default function ({ data, parentElement }) {
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "dlp-copy-link";
    parentElement.appendChild(button);
    button.addEventListener("click", async () => {
      const url = window.location.href;
      try {
        await navigator.clipboard.writeText(url);
        button.textContent = button.dataset.copied;
      } catch (error) {
        // No clipboard (a plain-http address other than localhost): show the link to copy by hand.
        window.prompt(button.dataset.manual, url);
      }
      setTimeout(() => { button.textContent = button.dataset.label; }, 2000);
    });
  }
  button.dataset.label = data.label;
  button.dataset.copied = data.copied;
  button.dataset.manual = data.manual;
  button.textContent = data.label;
}
"""

_COPY_CSS = """
.dlp-copy-link {
  width: 100%; padding: 0.4rem 0.75rem; border-radius: 0.5rem; cursor: pointer; font: inherit;
  border: 1px solid rgba(49, 51, 63, 0.2); background: transparent; color: inherit;
}
.dlp-copy-link:hover { border-color: #ff4b4b; color: #ff4b4b; }
"""

_copy = st.components.v2.component("dlp_copy_link", js=_COPY_JS, css=_COPY_CSS)


def header(page: str) -> st.delta_generator.DeltaGenerator:
    """app.py, before the page runs: the classroom CSS, the lesson box and a slot for the notice."""
    links.go_to_lesson_page(page)
    st.session_state[links.PAGE] = page
    hidden = links.hidden()
    css = links.hide_css(hidden)
    if css:
        st.html(css)
    if "link" not in hidden:
        with st.sidebar:
            _copy(data={"label": "🔗 " + t("links.copy"), "copied": "✓ " + t("links.copied"),
                        "manual": t("links.copy_manual")}, key="dlp_copy_link")  # fmt: skip
    lesson = links.current_lesson()
    if lesson is not None and "lesson" not in hidden:
        lesson_box(lesson)
    return st.container()


def show_notices(slot: st.delta_generator.DeltaGenerator, page: str) -> None:
    """app.py, after the page ran: name what the link opened here could not set."""
    items = links.notices(page)
    if items:
        lines = "\n".join(f"- `{name}`: {reason}" for name, reason in items)
        slot.warning(t("links.ignored") + "\n\n" + lines, icon="🔗")


def lesson_box(lesson: lessons.Lesson) -> None:
    chapter = lessons.in_chapter(lesson.chapter)
    index = chapter.index(lesson) + 1
    with st.container(border=True, key="dlp_lesson"):
        where = [f"{t('links.lesson')} {index}/{len(chapter)}", t(f"nav.chapters.{lesson.chapter}"), lesson.section]
        st.markdown(f"**📘 {' · '.join(part for part in where if part)}**")  # a lesson may name no course section
        st.subheader(t(f"lessons.{lesson.id}.title"), anchor=False)
        st.markdown(t(f"lessons.{lesson.id}.text"))
        later = lessons.next_lesson(lesson.id)
        if later is not None:
            prefix = t("links.next") if later.chapter == lesson.chapter else t("links.next_chapter")
            lesson_link(later, f"{prefix}: {t(f'lessons.{later.id}.title')}", icon=":material/arrow_forward:")
        else:
            st.caption(t("links.last_lesson"))


def lesson_link(lesson: lessons.Lesson, label: str, icon: str | None = None) -> None:
    """A link that opens `lesson` on its page, in the current language."""
    st.page_link(f"pages/{lesson.page}.py", label=label, icon=icon,
                 query_params={links.LESSON_PARAM: lesson.id, "lang": lang()})  # fmt: skip


def course_map() -> None:
    """The home page's course map: the chapters in order, each with its pages and lessons."""
    pages = available()
    for number, chapter in enumerate(CHAPTERS, start=1):
        covering: list[PageSpec] = [p for p in pages if chapter in p.chapters]
        if not covering:
            continue
        with st.container(border=True, key=f"dlp_chapter_{chapter}"):
            st.markdown(f"#### {number}. {t(f'nav.chapters.{chapter}')}")
            left, right = st.columns([2, 3])
            with left:
                for page in covering:
                    st.page_link(page.path, label=t(f"nav.{page.name}.title"), icon=page.icon)
            with right:
                for lesson in lessons.in_chapter(chapter):
                    if lesson.page in {p.name for p in pages}:
                        lesson_link(lesson, t(f"lessons.{lesson.id}.title"), icon=":material/school:")
