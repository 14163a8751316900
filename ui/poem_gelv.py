"""The poems page's 格律 view: a poem with the 平仄 under each character, its pattern, rhyme and 粘/对,
and the two sections built on it (check a pasted poem; "real or generated?")."""

from __future__ import annotations

import html

import streamlit as st

from core.poetry import pingshui, rhyme
from core.poetry.corpus import FORM_BY_NAME
from core.poetry.gelv import Analysis
from ui import poem_cache as cache
from ui.feedback import user_errors
from ui.i18n import t
from ui.state import init, key

LINE_STYLE = "font-size:1.35rem;letter-spacing:0.12em;line-height:1.5;margin-top:0.35rem"
MARK_STYLE = "font-size:0.8rem;letter-spacing:0;margin-left:0.8em"
OK, BAD, QUIET = "#2e7d32", "#c62828", "#777"
# One style sheet per poem instead of inline styles on every character: a 七律's markup is ≈ 4× smaller.
# A cell is as wide as a character of the line above (1 em + the line's 0.12 em letter spacing).
STYLE = (
    "<style>.poem-tones,.poem-pattern{font-size:1.35rem;line-height:1;white-space:nowrap}"
    ".gc{display:inline-block;width:1.12em;text-align:center}.gc b,.gc i{font-style:normal;font-weight:400}"
    ".poem-tones .gc b,.poem-tones .gc i{font-size:.62em}.poem-tones .gc b{font-weight:700}"
    ".poem-pattern .gc b,.poem-pattern .gc i{font-size:.5em}.g-ok{color:#2e7d32}.g-free{color:#9e9e9e}"
    ".g-bad{color:#c62828;background:#ffebee;border-radius:3px}.g-unk{color:#ef6c00;background:#fff3e0;border-radius:3px}"
    ".g-req{color:#777}.g-any{color:#bdbdbd}</style>"
)
GAME_KEY = key("poems", "game")


def _cell(text: str, css: str, strict: bool, title: str = "") -> str:
    tag = "b" if strict else "i"
    attr = f' title="{html.escape(title)}"' if title else ""
    return f'<span class="gc {css}"{attr}><{tag}>{html.escape(text)}</{tag}></span>'


def _tone_row(cells) -> str:
    """The 平仄 of each character: green in pattern, red departing, orange unknown; free positions grey."""
    out = []
    for c in cells:
        css = "g-free" if not c.strict else "g-unk" if c.ok is None else "g-ok" if c.ok else "g-bad"
        title = t("poems.gelv.cell_title", need=c.required) if c.strict else ""
        out.append(_cell(c.mark, css, c.strict, title))
    return f'<div class="poem-tones">{"".join(out)}</div>'


def _pattern_row(cells) -> str:
    """The pattern's tones; a free position (一三五不论) is written 中 (either)."""
    spans = [_cell(c.required, "g-req", True) if c.strict else _cell("中", "g-any", False) for c in cells]
    return f'<div class="poem-pattern">{"".join(spans)}</div>'


def _line_mark(a: Analysis, i: int, line: str, scheme: str, report: list[dict]) -> str:
    parts = []
    if i in a.template.rhyme_lines():
        char = line[-1]
        names = "/".join(g.name for g in pingshui.ping_groups(char)) or t("poems.gelv.no_ping")
        ok = a.rhyme_group is not None
        parts.append(f'<span style="color:{OK if ok else BAD}">{html.escape(names)} {"✓" if ok else "✗"}</span>')
    if scheme == "shisan" and report[i]["even"]:
        info = report[i]
        mark = "✓" if info["rhymes"] else "✗"
        parts.append(html.escape(f"{info['final'] or '–'} · {info['rhyme_class'] or '–'} {mark}"))
    return f'<span style="{MARK_STYLE};color:{QUIET}">{" · ".join(parts)}</span>'


def poem_html(
    i: int, lines: list[str] | tuple[str, ...], a: Analysis, scheme: str = "pingshui", css: str = "poem"
) -> str:
    """Poem `i`: each line, the 平仄 under its characters and the pattern's; rhyme groups after rhyme lines.

    `css` is the poem's class: "poem" for the Write tab's poems, another for the other tabs' (tests find them apart).
    """
    report = rhyme.rhyme_report(lines) if scheme == "shisan" else []
    rows = []
    for k, (line, cells) in enumerate(zip(lines, a.cells, strict=True)):
        rows.append(
            f'<div class="poem-line" style="{LINE_STYLE}">{html.escape(line)}{_line_mark(a, k, line, scheme, report)}'
            f"</div>{_tone_row(cells)}{_pattern_row(cells)}"
        )
    return f'{STYLE}<div class="{css}" data-poem="{i}" data-verdict="{a.verdict}">{"".join(rows)}</div>'


def summary(a: Analysis) -> str:
    """One line: form and pattern, verdict, rhyme group, 粘/对."""
    head = t(
        "poems.gelv.summary", form=t(f"poems.forms.{a.form.name}"), pattern=t(f"poems.gelv.patterns.{a.template.key}")
    )
    verdict = t(f"poems.gelv.verdicts.{a.verdict}", n=len(a.departures))
    if a.rhyme_group is not None:
        rhymes = t("poems.gelv.rhyme_ok", group=a.rhyme_group.name, chars="".join(a.rhyme_chars))
    else:
        rhymes = t("poems.gelv.rhyme_bad", chars="".join(a.rhyme_chars))
    broken = [t(f"poems.gelv.broken_{link.kind}", a=link.a + 1, b=link.a + 2) for link in a.links if link.ok is False]
    links = "、".join(broken) if broken else t("poems.gelv.links_ok")
    return " · ".join([head, verdict, rhymes, links])


def show_poem(i: int, lines, scheme: str = "pingshui", css: str = "poem") -> Analysis:
    """A poem with its 格律 analysis (the poem's HTML and the summary caption); returns the analysis."""
    a = cache.analysis(tuple(lines))
    st.html(poem_html(i, lines, a, scheme, css))
    st.caption(summary(a))
    if a.unknown:
        st.warning(t("poems.gelv.unknown", chars="".join(a.unknown)))
    return a


@st.fragment
def paste_section() -> None:
    """Check a pasted poem: its 平仄, pattern, departures, rhyme and 粘/对."""
    st.markdown(t("poems.gelv.paste_intro"))
    init(key("poems", "paste"), "风急天高猿啸哀，渚清沙白鸟飞回。无边落木萧萧下，不尽长江滚滚来。")
    text = st.text_area(t("poems.gelv.paste"), key=key("poems", "paste"), height=110, max_chars=200)
    with user_errors():
        a = cache.analysis_text(text)
        show_poem(0, ["".join(c.char for c in row) for row in a.cells], css="poem-check")
    with st.expander(t("poems.gelv.about_title")):
        st.markdown(t("poems.gelv.about"))


def _answer(pick: int) -> None:
    state = st.session_state[GAME_KEY]
    state["picked"] = pick


def _next() -> None:
    state = st.session_state[GAME_KEY]
    state.update(round=state["round"] + 1, picked=None, scored=False)


@st.fragment
def game_section(seed: int, name: str) -> None:
    """Real or generated? A held-out poem beside a generated one; the session's score."""
    st.markdown(t("poems.game.intro"))
    init(GAME_KEY, {"round": 0, "picked": None, "scored": False, "right": 0, "total": 0})
    init(key("poems", "game", "form"), "wujue")
    init(key("poems", "game", "gelv"), True)
    c1, c2 = st.columns([1, 1])
    form = c1.selectbox(t("poems.form"), list(FORM_BY_NAME), key=key("poems", "game", "form"),
                        format_func=lambda f: t(f"poems.forms.{f}"))  # fmt: skip
    use_gelv = c2.toggle(t("poems.game.gelv"), key=key("poems", "game", "gelv"), help=t("poems.game.gelv_help"))
    state = st.session_state[GAME_KEY]
    with user_errors():
        rnd = cache.game_round(form, seed * 1000 + state["round"], use_gelv, name)
        picked = state["picked"]
        if picked is not None and not state["scored"]:
            state.update(scored=True, right=state["right"] + rnd.judge(picked), total=state["total"] + 1)
        cols = st.columns(2)
        for k, lines in enumerate(rnd.poems):
            with cols[k], st.container(border=True):
                st.markdown(f"**{t('poems.game.label', k='AB'[k])}**")
                if picked is None:
                    st.html(f'<div class="game-poem" data-poem="{k}">' + "".join(
                        f'<div class="poem-line" style="{LINE_STYLE}">{html.escape(line)}</div>' for line in lines
                    ) + "</div>")  # fmt: skip
                    st.button(t("poems.game.pick", k="AB"[k]), key=f"poems-game-pick-{k}", on_click=_answer, args=(k,))
                else:
                    st.markdown(t("poems.game.real" if k == rnd.real else "poems.game.fake"))
                    show_poem(k, lines, css="game-poem")
        if picked is not None:
            (st.success if rnd.judge(picked) else st.error)(
                t("poems.game.right" if rnd.judge(picked) else "poems.game.wrong")
            )
            st.button(t("poems.game.next"), key="poems-game-next", on_click=_next, icon=":material/skip_next:")
        st.caption(t("poems.game.score", right=state["right"], total=state["total"]))


def batch_view(poems: list, scheme: str) -> None:
    """The batch's poems in two columns, each with its 格律 analysis, and the batch's shares beside the corpus's."""
    st.caption(t("poems.gelv.legend"))
    cols = st.columns(2)
    found = []
    for i, poem in enumerate(poems):
        with cols[i % 2], st.container(border=True):
            head = t("poems.candidate", i=i + 1, logp=poem.mean_logprob)
            if poem.planned is not None:  # a model that drew its rhyme group before writing
                head += " · " + (t("poems.planned", name=poem.planned) if poem.planned else t("poems.planned_none"))
            st.caption(head + (" · " + t("poems.rhyme_class", name=poem.rhyme_class) if poem.rhyme_class else ""))
            found.append(show_poem(i, poem.lines, scheme))
    rates = {
        "pingshui": sum(a.rhymes for a in found) / len(found),
        "regular": sum(a.regular for a in found) / len(found),
    }
    reference = cache.corpus_gelv_rates()
    if reference is None:
        st.caption(t("poems.gelv.batch_alone", **rates))
    else:
        st.caption(
            t("poems.gelv.batch", **rates, corpus_pingshui=reference["pingshui"], corpus_regular=reference["regular"])
        )
    if scheme == "shisan":
        rate, ref = rhyme.rhyme_rate([p.lines for p in poems]), cache.corpus_rhyme_rate()
        st.caption(
            t("poems.batch_rhyme_alone", rate=rate) if ref is None else t("poems.batch_rhyme", rate=rate, corpus=ref)
        )
