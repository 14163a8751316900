"""Tang poems (002 §9, 004 RNN): a character RNN writes 绝句/律诗 under exact-form constraints.

The seven tabs are one fragment (`studio`): the thinking tab reads the batch the Write tab
just drew, so a new batch redraws the tabs (never the sidebar or the header). The 格律 check,
the game, the thinking, embedding and training tabs are fragments inside it: their own widgets
rerun only them. Every poem is shown with its 格律 analysis (`ui.poem_gelv`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.poetry import explore
from core.poetry.corpus import FORM_BY_NAME, FORMS, parse_upload
from core.poetry.generate import DECODERS, RHYME_SCHEMES
from core.poetry.model import CELLS
from core.poetry.train import LIVE, LIVE_SAMPLES, MAX_UPLOAD_BYTES, MAX_UPLOAD_POEMS, live_job
from ui import charts, poem_charts, poem_gelv
from ui import poem_cache as cache
from ui.feedback import user_errors
from ui.i18n import t
from ui.live import poll, run_book
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, explain, multiselect, param_input, param_inputs, uploader

FAMILY = "poems"
DEFAULTS = {
    "form": "qijue",
    "mode": "acrostic",
    "text": "春夏秋冬",
    "n": 4,
    "gelv": True,
    "scheme": "pingshui",
    "group": "",
}
BATCH_KEY, POEM_KEY, POS_KEY = key(FAMILY, "batch"), key(FAMILY, "think", "poem"), key(FAMILY, "think", "pos")


def form_label(name: str) -> str:
    return t(f"poems.forms.{name}")


def write_section(name: str) -> list:
    """The Write tab's settings and the batch they give (empty when the input is refused)."""
    for setting, value in DEFAULTS.items():
        init(key(FAMILY, setting), value)
    init(BATCH_KEY, 0)
    c1, c2, c3 = st.columns([1, 1, 1.4])
    form = c1.selectbox(t("poems.form"), list(FORM_BY_NAME), key=key(FAMILY, "form"), format_func=form_label)
    mode = c2.radio(t("poems.mode"), explore.MODES, key=key(FAMILY, "mode"), horizontal=True,
                    format_func=lambda m: t(f"poems.modes.{m}"))  # fmt: skip
    text = c3.text_input(t(f"poems.text_{mode}"), key=key(FAMILY, "text"), max_chars=16,
                         help=t(f"poems.text_{mode}_help"))  # fmt: skip
    c4, c5, c6 = st.columns([1, 1, 1.4])
    decoder = choose(DECODERS, "poems.decoding", label_key="poems.decoder", where=c4)
    n = c5.slider(t("poems.n"), 1, explore.MAX_BATCH, key=key(FAMILY, "n"))
    use_gelv = c5.toggle(t("poems.gelv_option"), key=key(FAMILY, "gelv"), help=t("poems.gelv_help"))
    scheme = c6.selectbox(t("poems.rhyme"), RHYME_SCHEMES, key=key(FAMILY, "scheme"), disabled=use_gelv,
                          format_func=lambda s: t(f"poems.rhymes.{s}"), help=t("poems.rhyme_help"))  # fmt: skip
    masks = cache.pingshui_masks(name)
    group = c6.selectbox(t("poems.rhyme_group"), ["", *masks.names], key=key(FAMILY, "group"),
                         disabled=not use_gelv and scheme != "pingshui", help=t("poems.rhyme_group_help"),
                         format_func=lambda g: f"{g} ({int(masks.sizes[masks.names.index(g)])})" if g else t("poems.group_auto"))  # fmt: skip
    if c4.button(t("poems.again"), icon=":material/refresh:"):
        st.session_state[BATCH_KEY] += 1
    entry = DECODERS.get(decoder)
    values = param_inputs(entry, "poems.decoding", columns=3)
    with st.expander(t("poems.how_sampling")):
        explain("poems.decoding", entry)
        st.markdown(t("poems.constraints"))
    poems: list = []
    with user_errors():
        sample_seed = explore.batch_seed(seed(), st.session_state[BATCH_KEY])
        scheme = "pingshui" if use_gelv else scheme
        poems = cache.batch(form, mode, text, n, decoder, tuple(sorted(values.items())), sample_seed, scheme, use_gelv,
                            group if scheme == "pingshui" else "", name)  # fmt: skip
    if poems:
        poem_gelv.batch_view(poems, scheme)
    return poems


@st.fragment
def think_section(poems: list, name: str) -> None:
    st.markdown(t("poems.think_intro"))
    if not poems:
        st.info(t("poems.think_none"))
        return
    c1, c2 = st.columns([1, 2])
    init(POEM_KEY, 0)
    init(POS_KEY, 1)
    if st.session_state[POEM_KEY] >= len(poems):  # fewer candidates than last time
        st.session_state[POEM_KEY] = 0
    which = c1.selectbox(t("poems.think_poem"), list(range(len(poems))), key=POEM_KEY,
                         format_func=lambda i: t("poems.candidate_short", i=i + 1))  # fmt: skip
    text = poems[which].text
    if st.session_state[POS_KEY] >= len(text):  # a shorter form than last time
        st.session_state[POS_KEY] = 1
    pos = c2.select_slider(t("poems.think_pos"), list(range(len(text))), key=POS_KEY,
                           format_func=lambda i: f"{i + 1} · {text[i] if i < len(text) else ''}")  # fmt: skip
    st.html(poem_charts.position_html(text, pos))
    temperature = param_input(explore.TEMPERATURE, key(FAMILY, "think", "temp"), "poems.decoding")
    with user_errors():
        seen = cache.thought(text, pos, temperature, name)
        fig = poem_charts.think_figure(seen, temperature, title=t("poems.think_chart", k=len(seen.labels)),
                                       y=t("poems.prob"))  # fmt: skip
        charts.show(fig, key="poems-think")
        st.caption(t("poems.think_actual", char=seen.chosen, p=seen.probability, rank=seen.rank))
    st.latex(r"p_i(T) = \frac{\exp(z_i / T)}{\sum_j \exp(z_j / T)}")
    st.markdown(t("poems.think_temp_note"))


@st.fragment
def embed_section(name: str) -> None:
    st.markdown(t("poems.embed_intro"))
    init(key(FAMILY, "embed", "char"), "月")
    char = st.text_input(t("poems.embed_char"), key=key(FAMILY, "embed", "char"), max_chars=4)
    hood = None
    with user_errors():
        hood = cache.neighbourhood(char, name)
    chars = cache.shipped_model(name)[1].characters()[: explore.PCA_CHARS]
    fig = poem_charts.embed_figure(cache.embedding_xy(name), chars, hood, title=t("poems.embed_chart", n=explore.PCA_CHARS),
                                   frequent=t("poems.embed_frequent"), near=t("poems.embed_near"))  # fmt: skip
    charts.show(fig, key="poems-embed")
    if hood is not None:
        st.dataframe(pd.DataFrame({t("poems.col_char"): hood.chars[1:], t("poems.col_cos"): hood.similarity}),
                     hide_index=True, column_config={t("poems.col_cos"): st.column_config.NumberColumn(format="%.3f")})  # fmt: skip
    st.latex(
        r"\cos(\mathbf{u},\mathbf{v}) = \frac{\mathbf{u}\cdot\mathbf{v}}{\lVert\mathbf{u}\rVert\,\lVert\mathbf{v}\rVert}"
    )
    st.markdown(t("poems.embed_note"))


def corpus_section(card: dict) -> None:
    with user_errors():  # without the corpus: what is missing and where to put it
        stats = cache.corpus_stats()
        st.markdown(t("poems.corpus_intro"))
        m = st.columns(4)
        m[0].metric(t("poems.stat_raw"), f"{stats['raw']:,}")
        m[1].metric(t("poems.stat_kept"), f"{stats['kept']:,}")
        m[2].metric(t("poems.stat_split"), f"{stats['train']:,} / {stats['heldout']:,}")
        m[3].metric(t("poems.stat_vocab"), f"{card['chars']:,} / {stats['distinct_chars']:,}")
        reasons = ("odd_chars", "line_count", "line_length", "duplicate")
        st.caption(t("poems.dropped", **{r: stats["dropped"].get(r, 0) for r in reasons}))
        c1, c2 = st.columns([1, 2])
        with c1:
            charts.show(poem_charts.bars_figure([form_label(f.name) for f in FORMS], [stats["by_form"][f.name] for f in FORMS],
                                                title=t("poems.per_form")), key="poems-forms")  # fmt: skip
        top = stats["top_chars"]
        with c2:
            charts.show(poem_charts.bars_figure([c for c, _ in top], [n for _, n in top], color=2, tick_size=15,
                                                title=t("poems.top_chars", n=len(top))), key="poems-top")  # fmt: skip
        st.markdown(t("poems.metrics_note", **card))


def corpus_inputs(source: str) -> tuple[list[str], list[str] | None]:
    """The Tang forms picked, and the uploaded file's poems (None: no file, or one refused with a message)."""
    picked: list[str] = []
    uploaded = None
    with user_errors():
        if source == "tang":
            init(key(FAMILY, "live", "forms"), ["wujue"])
            picked = multiselect(t("poems.live_forms"), list(FORM_BY_NAME), key=key(FAMILY, "live", "forms"),
                                 format_func=form_label)  # fmt: skip
        else:
            upload = uploader(t("poems.upload"), ["txt"], key="poems_corpus_upload", max_bytes=MAX_UPLOAD_BYTES,
                              help=t("poems.upload_help"))  # fmt: skip
            if upload is not None:
                poems, skipped = parse_upload(upload.getvalue(), MAX_UPLOAD_BYTES, MAX_UPLOAD_POEMS)
                st.caption(t("poems.upload_ok", n=len(poems), skipped=skipped))
                uploaded = poems
    return picked, uploaded


@st.fragment
def train_section() -> None:
    st.markdown(t("poems.train_intro"))
    book = run_book(FAMILY)
    record = book.active() or next(reversed(book.runs), None)
    run = record.live if record is not None else None
    init(key(FAMILY, "live", "source"), "tang")
    source = st.radio(t("poems.live_source"), explore.SOURCES, key=key(FAMILY, "live", "source"), horizontal=True,
                      format_func=lambda s: t(f"poems.sources.{s}"))  # fmt: skip
    picked, uploaded = corpus_inputs(source)
    c1, c2 = st.columns([1, 2])
    with c1:
        cell = choose(CELLS, "poems.cells", label_key="poems.cell", default="gru")
        init(key(FAMILY, "live", "sample_form"), "wujue")
        sample_form = st.selectbox(t("poems.sample_form"), list(FORM_BY_NAME), key=key(FAMILY, "live", "sample_form"),
                                   format_func=form_label)  # fmt: skip
    with c2:
        explain("poems.cells", CELLS.get(cell))
    live_entry = LIVE.get("small")
    live_values = param_inputs(live_entry, "poems.live", columns=3)
    explain("poems.live", live_entry)
    b1, b2 = st.columns(2)
    running = run is not None and run.running
    if b1.button(t("poems.start"), type="primary", disabled=running, icon=":material/play_arrow:"):
        with user_errors():
            poems, settings = explore.live_plan(live_values, source, tang=lambda: cache.corpus().train, forms=picked,
                                                uploaded=uploaded, seed=seed())  # fmt: skip
            job = live_job(poems, cell, settings, sample_form, seed(), device())
            run, running = book.start(FAMILY, {"cell": cell, "sample_form": sample_form, **settings}, job).live, True
    if b2.button(t("poems.stop"), disabled=not running, icon=":material/stop:"):
        run.stop()
    poll(run, poem_charts.live_panel, key="poems.live")
    if run is not None and run.error_text:
        st.error(run.error_text)
    if run is not None and not run.running and run.result and run.result.get("checkpoint"):
        st.download_button(t("poems.download"), run.result["checkpoint"], file_name="poem_model.pt",
                           icon=":material/download:")  # fmt: skip
    st.caption(t("poems.live_note", samples=LIVE_SAMPLES))


@st.fragment
def studio(card: dict, name: str) -> None:
    names = ("write", "gelv", "game", "think", "embed", "corpus", "train")
    tabs = dict(zip(names, st.tabs([t(f"poems.tabs.{name}") for name in names]), strict=True))
    with tabs["write"]:
        poems = write_section(name)
    with tabs["gelv"]:
        poem_gelv.paste_section()
    with tabs["game"]:
        poem_gelv.game_section(seed(), name)
    with tabs["think"]:
        think_section(poems, name)
    with tabs["embed"]:
        embed_section(name)
    with tabs["corpus"]:
        corpus_section(card)
    with tabs["train"]:
        train_section()


def main() -> None:
    st.title(t("poems.title"))
    st.markdown(t("poems.intro"))
    init(key(FAMILY, "model"), cache.DEFAULT_MODEL, choices=list(cache.MODELS))
    name = st.radio(t("poems.model"), list(cache.MODELS), key=key(FAMILY, "model"), horizontal=True,
                    format_func=lambda m: t(f"poems.models.{m}"), help=t("poems.model_help"))  # fmt: skip
    model, vocab, meta, _ = cache.shipped_model(name)
    card = explore.model_card(model, vocab, meta)
    st.caption(t("poems.model_card", **{**card, "params": f"{card['params']:,}"}))
    studio(card, name)


main()
