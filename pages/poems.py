"""Tang poems (002 §9, 004 RNN): a character RNN writes 绝句/律诗 under exact-form constraints."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.errors import UserError
from core.poetry import rhyme
from core.poetry.corpus import FORM_BY_NAME, FORMS, load_tang, parse_upload, statistics
from core.poetry.generate import (
    DECODERS,
    MAX_CANDIDATES,
    RhymeMasks,
    embedding_matrix,
    generate,
    nearest,
    next_char_distribution,
    pca_2d,
    temperature_curves,
)
from core.poetry.model import CELLS
from core.poetry.train import (
    LIVE,
    LIVE_SAMPLES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_POEMS,
    live_job,
    load_model,
    pick_subset,
)
from core.poetry.vocab import FIRST_CHAR_ID
from core.train import LiveRun
from ui import charts
from ui.feedback import user_errors
from ui.i18n import t
from ui.live import poll
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, explain, multiselect, param_inputs, uploader

FAMILY = "poems"
DEFAULTS = {"form": "qijue", "mode": "acrostic", "text": "春夏秋冬", "n": 4, "rhyme": True, "top": 10}
MODES = ("start", "acrostic")
THINK_TEMPERATURES = (0.5, 1.0, 2.0)
PCA_CHARS = 250  # most frequent characters drawn in the embedding map
NEIGHBOURS = 10
BOTTOM_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}  # clear of the title


@st.cache_resource(show_spinner=False)
def shipped_model():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems" / "tang_gru.pt"
    model, vocab, meta = load_model(path)
    return model, vocab, meta, RhymeMasks(vocab)


@st.cache_resource(show_spinner=False)
def corpus():
    return load_tang()


@st.cache_resource(show_spinner=False)
def corpus_stats() -> dict:
    return statistics(corpus(), top=40)


@st.cache_resource(show_spinner=False)
def corpus_rhyme_rate() -> float | None:
    """How often the held-out Tang poems' even lines all rhyme by our judgement (None without the corpus)."""
    try:
        return rhyme.rhyme_rate(corpus().heldout)
    except UserError:  # no data mounted: the shipped model still writes poems, without the reference figure
        return None


@st.cache_resource(show_spinner=False)
def embedding_map():
    model, vocab, _, _ = shipped_model()
    emb = embedding_matrix(model)[FIRST_CHAR_ID:]
    return pca_2d(emb).numpy()


def form_label(name: str) -> str:
    return t(f"poems.forms.{name}")


def rhyme_badges(lines: list[str]) -> str:
    """Each line with its last character's final and a ✓/✗ for the even lines."""
    rows = []
    for line, info in zip(lines, rhyme.rhyme_report(lines), strict=True):
        final = info["final"] or "–"
        cls = info["rhyme_class"] or "–"
        if info["even"]:
            mark = "✓" if info["rhymes"] else "✗"
            color = "#2e7d32" if info["rhymes"] else "#c62828"
        else:
            mark, color = ("○" if info["in_rhyme"] else ""), "#777"
        rows.append(
            f'<div class="poem-line" style="font-size:1.35rem;letter-spacing:0.12em;line-height:1.9">'
            f"{html.escape(line)}"
            f'<span style="font-size:0.8rem;letter-spacing:0;color:{color};margin-left:0.8em">'
            f"{html.escape(final)} · {html.escape(cls)} {mark}</span></div>"
        )
    return "".join(rows)


def show_poem(i: int, poem) -> None:
    with st.container(border=True):
        head = t("poems.candidate", i=i + 1, logp=poem.mean_logprob)
        if poem.rhyme_class:
            head += " · " + t("poems.rhyme_class", name=poem.rhyme_class)
        st.caption(head)
        st.html(f'<div class="poem" data-poem="{i}">{rhyme_badges(poem.lines)}</div>')


# -- page --------------------------------------------------------------------------------

st.title(t("poems.title"))
st.markdown(t("poems.intro"))

model, vocab, meta, masks = shipped_model()
metrics = meta.get("metrics", {})
st.caption(
    t(
        "poems.model_card",
        cell=model.cell.upper(),
        params=f"{sum(p.numel() for p in model.parameters()):,}",
        vocab=len(vocab),
        ppl=metrics.get("heldout_ppl", float("nan")),
        unigram=metrics.get("unigram_ppl", float("nan")),
        ratio=metrics.get("ppl_ratio", float("nan")),
    )
)

tab_write, tab_think, tab_embed, tab_corpus, tab_train = st.tabs(
    [t("poems.tabs.write"), t("poems.tabs.think"), t("poems.tabs.embed"), t("poems.tabs.corpus"), t("poems.tabs.train")]
)

# -- write -------------------------------------------------------------------------------
FORM_KEY, MODE_KEY, TEXT_KEY = key(FAMILY, "form"), key(FAMILY, "mode"), key(FAMILY, "text")
N_KEY, RHYME_KEY, BATCH_KEY = key(FAMILY, "n"), key(FAMILY, "rhyme"), key(FAMILY, "batch")
for k, name in ((FORM_KEY, "form"), (MODE_KEY, "mode"), (TEXT_KEY, "text"), (N_KEY, "n"), (RHYME_KEY, "rhyme")):
    init(k, DEFAULTS[name])
init(BATCH_KEY, 0)

poems: list = []
with tab_write:
    c1, c2, c3 = st.columns([1, 1, 1.4])
    form_name = c1.selectbox(t("poems.form"), list(FORM_BY_NAME), key=FORM_KEY, format_func=form_label)
    mode = c2.radio(t("poems.mode"), MODES, key=MODE_KEY, format_func=lambda m: t(f"poems.modes.{m}"), horizontal=True)
    text = c3.text_input(t(f"poems.text_{mode}"), key=TEXT_KEY, max_chars=16, help=t(f"poems.text_{mode}_help"))
    c4, c5, c6 = st.columns([1, 1, 1.4])
    decoder = choose(DECODERS, "poems.decoding", label_key="poems.decoder", where=c4)
    n = c5.slider(t("poems.n"), 1, MAX_CANDIDATES // 4, key=N_KEY)
    use_rhyme = c5.toggle(t("poems.rhyme"), key=RHYME_KEY, help=t("poems.rhyme_help"))
    if c6.button(t("poems.again"), icon=":material/refresh:"):
        st.session_state[BATCH_KEY] += 1
    entry = DECODERS.get(decoder)
    values = param_inputs(entry, "poems.decoding", columns=3)
    with st.expander(t("poems.how_sampling")):
        explain("poems.decoding", entry)
        st.markdown(t("poems.constraints"))
    with user_errors():
        form = FORM_BY_NAME[form_name]
        if mode == "acrostic" and not text.strip():
            raise UserError("poems.errors.empty", "enter one head character per line", lines=form.lines)
        resolved = entry.resolve(values)
        poems = generate(
            model,
            vocab,
            form,
            n=n,
            start=text if mode == "start" else "",
            heads=text if mode == "acrostic" else "",
            decoder=decoder,
            seed=seed() * 1000 + st.session_state[BATCH_KEY],
            rhyme=use_rhyme,
            rhyme_masks=masks,
            **resolved,
        )
    if poems:
        st.caption(t("poems.rhyme_legend"))
        cols = st.columns(2)
        for i, poem in enumerate(poems):
            with cols[i % 2]:
                show_poem(i, poem)
        rate = rhyme.rhyme_rate([p.lines for p in poems])
        reference = corpus_rhyme_rate()
        if reference is None:
            st.caption(t("poems.batch_rhyme_alone", rate=rate * 100))
        else:
            st.caption(t("poems.batch_rhyme", rate=rate * 100, corpus=reference * 100))

# -- the model's thinking -----------------------------------------------------------------
with tab_think:
    st.markdown(t("poems.think_intro"))
    if not poems:
        st.info(t("poems.think_none"))
    else:
        c1, c2 = st.columns([1, 2])
        POEM_KEY, POS_KEY = key(FAMILY, "think", "poem"), key(FAMILY, "think", "pos")
        init(POEM_KEY, 0)
        init(POS_KEY, 1)
        if st.session_state[POEM_KEY] >= len(poems):  # fewer candidates than last time
            st.session_state[POEM_KEY] = 0
        which = c1.selectbox(
            t("poems.think_poem"), list(range(len(poems))), key=POEM_KEY,
            format_func=lambda i: t("poems.candidate_short", i=i + 1),
        )  # fmt: skip
        text_body = poems[which].text
        positions = list(range(len(text_body)))
        if st.session_state[POS_KEY] >= len(text_body):  # a shorter form than last time
            st.session_state[POS_KEY] = 1
        pos = c2.select_slider(
            t("poems.think_pos"),
            positions,
            key=POS_KEY,
            format_func=lambda i: f"{i + 1} · {text_body[i] if i < len(text_body) else ''}",
        )
        prefix = text_body[:pos]
        st.html(
            '<div style="font-size:1.3rem;letter-spacing:0.1em">'
            f"{html.escape(prefix)}<span style='background:#ffe082;padding:0 4px;border-radius:4px'>"
            f"{html.escape(text_body[pos])}</span>"
            f"<span style='color:#bbb'>{html.escape(text_body[pos + 1 :])}</span></div>"
        )
        logits = next_char_distribution(model, vocab, prefix)
        init(key(FAMILY, "think", "temp"), 1.0)
        temp = st.slider(t("poems.think_temp"), 0.1, 3.0, step=0.05, key=key(FAMILY, "think", "temp"))
        temps = sorted({*THINK_TEMPERATURES, float(temp)})
        ids, curves = temperature_curves(logits, temps, k=DEFAULTS["top"])
        labels = [vocab.tokens[i] for i in ids]
        chosen = text_body[pos]
        fig = charts.figure(t("poems.think_chart", k=len(ids)), y=t("poems.prob"), height=380)
        for j, tt in enumerate(temps):
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=curves[tt],
                    name=f"T = {tt:g}",
                    marker_color=charts.color(j),
                    opacity=1.0 if tt == float(temp) else 0.45,
                )
            )
        fig.update_layout(barmode="group", legend=BOTTOM_LEGEND)
        fig.update_xaxes(type="category", tickfont={"size": 18})
        charts.show(fig, key="poems-think")
        actual = float(logits.softmax(-1)[vocab.id(chosen)])
        rank = int((logits > logits[vocab.id(chosen)]).sum()) + 1
        st.caption(t("poems.think_actual", char=chosen, p=actual * 100, rank=rank))
        st.latex(r"p_i(T) = \frac{\exp(z_i / T)}{\sum_j \exp(z_j / T)}")
        st.markdown(t("poems.think_temp_note"))

# -- embeddings ---------------------------------------------------------------------------
with tab_embed:
    st.markdown(t("poems.embed_intro"))
    init(key(FAMILY, "embed", "char"), "月")
    char = st.text_input(t("poems.embed_char"), key=key(FAMILY, "embed", "char"), max_chars=4)
    xy = embedding_map()
    chars = vocab.characters()
    near: list[tuple[str, float]] = []
    with user_errors():
        near = nearest(model, vocab, char.strip(), k=NEIGHBOURS)
    fig = charts.figure(t("poems.embed_chart", n=PCA_CHARS), x="PC 1", y="PC 2", height=560)
    fig.add_trace(
        go.Scatter(
            x=xy[:PCA_CHARS, 0], y=xy[:PCA_CHARS, 1], mode="text", text=chars[:PCA_CHARS],
            textfont={"color": "#607d8b", "size": 13}, name=t("poems.embed_frequent"), hoverinfo="text",
        )
    )  # fmt: skip
    if near:
        target = char.strip()
        picked = [target] + [c for c, _ in near]
        idx = [vocab.id(c) - FIRST_CHAR_ID for c in picked]
        fig.add_trace(
            go.Scatter(
                x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", text=picked, textposition="top center",
                marker={"size": [16] + [10] * len(near), "color": [charts.color(1)] + [charts.color(0)] * len(near)},
                textfont={"size": 18}, name=t("poems.embed_near"),
            )
        )  # fmt: skip
    fig.update_layout(hovermode="closest", legend=BOTTOM_LEGEND)
    charts.show(fig, key="poems-embed")
    if near:
        st.dataframe(
            pd.DataFrame(
                {t("poems.col_char"): [c for c, _ in near], t("poems.col_cos"): [round(s, 3) for _, s in near]}
            ),
            hide_index=True,
        )
    st.latex(
        r"\cos(\mathbf{u},\mathbf{v}) = \frac{\mathbf{u}\cdot\mathbf{v}}{\lVert\mathbf{u}\rVert\,\lVert\mathbf{v}\rVert}"
    )
    st.markdown(t("poems.embed_note"))

# -- corpus statistics -------------------------------------------------------------------
with tab_corpus, user_errors():  # without the corpus: what is missing and where to put it
    stats = corpus_stats()
    st.markdown(t("poems.corpus_intro"))
    m = st.columns(4)
    m[0].metric(t("poems.stat_raw"), f"{stats['raw']:,}")
    m[1].metric(t("poems.stat_kept"), f"{stats['kept']:,}")
    m[2].metric(t("poems.stat_split"), f"{stats['train']:,} / {stats['heldout']:,}")
    m[3].metric(t("poems.stat_vocab"), f"{len(vocab) - FIRST_CHAR_ID:,} / {stats['distinct_chars']:,}")
    st.caption(
        t(
            "poems.dropped",
            **{r: stats["dropped"].get(r, 0) for r in ("odd_chars", "line_count", "line_length", "duplicate")},
        )
    )
    c1, c2 = st.columns([1, 2])
    fig = charts.figure(t("poems.per_form"), height=360)
    fig.add_trace(go.Bar(x=[form_label(f.name) for f in FORMS], y=[stats["by_form"][f.name] for f in FORMS]))
    with c1:
        charts.show(fig, key="poems-forms")
    top = stats["top_chars"]
    fig = charts.figure(t("poems.top_chars", n=len(top)), height=360)
    fig.add_trace(go.Bar(x=[c for c, _ in top], y=[n for _, n in top], marker_color=charts.color(2)))
    fig.update_xaxes(type="category", tickfont={"size": 15}, tickmode="array", tickvals=[c for c, _ in top])
    with c2:
        charts.show(fig, key="poems-top")
    st.markdown(
        t(
            "poems.metrics_note",
            ppl=metrics.get("heldout_ppl", float("nan")),
            unigram=metrics.get("unigram_ppl", float("nan")),
            ratio=metrics.get("ppl_ratio", float("nan")),
            unk=metrics.get("heldout_unk_rate", float("nan")) * 100,
        )
    )

# -- live training -----------------------------------------------------------------------


@st.cache_resource(scope="session", show_spinner=False, on_release=lambda box: box["run"] and box["run"].stop())
def live_box() -> dict:
    """This session's live poem run (closing the tab stops it)."""
    return {"run": None}


with tab_train:
    st.markdown(t("poems.train_intro"))
    box = live_box()
    run: LiveRun | None = box["run"]
    SOURCE_KEY = key(FAMILY, "live", "source")
    init(SOURCE_KEY, "tang")
    source = st.radio(
        t("poems.live_source"), ("tang", "upload"), key=SOURCE_KEY, horizontal=True,
        format_func=lambda s: t(f"poems.sources.{s}"),
    )  # fmt: skip
    training_poems: list[str] = []
    picked: list[str] = []
    upload = None
    uploaded: list[str] = []
    with user_errors():
        if source == "tang":
            FORMS_KEY = key(FAMILY, "live", "forms")
            init(FORMS_KEY, ["wujue"])
            picked = multiselect(t("poems.live_forms"), list(FORM_BY_NAME), key=FORMS_KEY, format_func=form_label)
        else:
            upload = uploader(t("poems.upload"), ["txt"], key="poems_corpus_upload", max_bytes=MAX_UPLOAD_BYTES,
                                    help=t("poems.upload_help"))  # fmt: skip
            if upload is not None:
                uploaded, skipped = parse_upload(upload.getvalue(), MAX_UPLOAD_BYTES, MAX_UPLOAD_POEMS)
                st.caption(t("poems.upload_ok", n=len(uploaded), skipped=skipped))
    c1, c2 = st.columns([1, 2])
    with c1:
        cell = choose(CELLS, "poems.cells", label_key="poems.cell", default="gru")
        SAMPLE_KEY = key(FAMILY, "live", "sample_form")
        init(SAMPLE_KEY, "wujue")
        sample_form = st.selectbox(t("poems.sample_form"), list(FORM_BY_NAME), key=SAMPLE_KEY, format_func=form_label)
    with c2:
        explain("poems.cells", CELLS.get(cell))
    live_entry = LIVE.get("small")
    live_values = param_inputs(live_entry, "poems.live", columns=3)
    explain("poems.live", live_entry)
    b1, b2 = st.columns(2)
    running = run is not None and run.running
    if b1.button(t("poems.start"), type="primary", disabled=running, icon=":material/play_arrow:"):
        with user_errors():
            resolved = live_entry.resolve(live_values)
            if source == "tang":
                training_poems = pick_subset(corpus().train, picked, int(resolved["max_poems"]), seed())
            else:
                if upload is None:
                    raise UserError("poems.errors.no_upload", "choose a text file first")
                training_poems = uploaded[: int(resolved["max_poems"])]
            run = LiveRun(live_job(training_poems, cell, resolved, sample_form, seed(), device()), name="poems")
            box["run"] = run.start()
            running = True
    if b2.button(t("poems.stop"), disabled=not running, icon=":material/stop:"):
        run.stop()

    def draw(snap: dict) -> None:
        if not snap:
            st.info(t("poems.live_idle"))
            return
        if snap.get("status") == "queued":
            st.info(t("poems.live_queued", pos=snap.get("queue_position", 1)))
            return
        losses = snap.get("losses", [])
        st.caption(
            t("poems.live_status", poems=snap.get("poems", 0), steps=len(losses), epochs=len(snap.get("epochs", [])))
        )
        if losses:
            fig = charts.figure(t("poems.live_loss"), x=t("poems.step"), y=t("poems.loss"), height=320)
            fig.add_trace(go.Scatter(y=losses, mode="lines", name=t("poems.loss")))
            charts.show(fig)
        for epoch, texts in sorted(snap.get("samples", {}).items(), reverse=True):
            st.markdown(f"**{t('poems.live_epoch', epoch=epoch)}**  " + "  ·  ".join(texts))
        if snap.get("status") in ("done", "stopped"):
            st.success(t(f"poems.live_{snap['status']}"))

    poll(run, draw, key="poems.live")
    if run is not None and run.error_text:
        st.error(run.error_text)
    if run is not None and not run.running and run.result and run.result.get("checkpoint"):
        st.download_button(
            t("poems.download"), run.result["checkpoint"], file_name="poem_model.pt", icon=":material/download:"
        )
    st.caption(t("poems.live_note", samples=LIVE_SAMPLES))
