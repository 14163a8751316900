"""Words & embeddings (002 §9.2): jieba segmentation, a vocabulary, nn.Embedding vectors, cosine similarity.

Every output depends on the text and its settings, so the explorer is one fragment: a
setting or the neighbour's word reruns it (from the cached analysis), never the sidebar,
the header or the closing explanation.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.text.embed import COSINE, DIM, neighbours, pair_summary
from core.text.explore import SHOWN_WORDS, Analysis, analyse
from core.text.segment import DEFAULT_TEXT, MAX_CHARS, MODES, load_jieba
from ui import charts, word_charts
from ui.feedback import user_errors
from ui.i18n import t
from ui.nav import available
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, explain, param_input

FAMILY = "words"
NEIGHBOURS = 5
CUTS = {
    "precise": "jieba.lcut(text)",
    "full": "jieba.lcut(text, cut_all=True)",
    "search": "jieba.lcut_for_search(text)",
}


@st.cache_resource(show_spinner=False)
def tokenizer():
    """jieba's dictionary, loaded once per server (``jieba.initialize()`` takes about a second)."""
    return load_jieba()


@st.cache_data(show_spinner=False, max_entries=64)
def analysis(text: str, mode: str, drop: bool, dim: int, seed_value: int) -> Analysis:
    """`analyse` cached on its inputs: a setting moved back, or a neighbour picked, costs nothing."""
    return analyse(text, mode, drop_stopwords=drop, dim=dim, seed=seed_value)


def vocab_table(result: Analysis) -> pd.DataFrame:
    vectors = result.vectors.numpy()
    table = pd.DataFrame(
        {
            t("words.col_index"): range(len(result.vocab)),
            t("words.col_word"): result.vocab.words,
            t("words.col_count"): result.vocab.counts,
        }
    )
    for d in range(vectors.shape[1]):
        table[f"W[:, {d}]"] = vectors[:, d]
    return table


def similarity_section(result: Analysis) -> None:
    words = list(result.vocab.words)
    vocab, dim = len(words), result.vectors.shape[1]
    n = min(vocab, SHOWN_WORDS)
    shown = words[:n]
    st.markdown(t("words.cosine_intro"))
    st.latex(COSINE)
    if vocab > n:
        st.caption(t("words.shown", n=n, vocab=vocab))
    left, right = st.columns(2)
    with left:
        charts.show(word_charts.heatmap(result.onehot_similarity[:n, :n].numpy(), shown, shown,
                                        title=t("words.onehot_title")), key="words-onehot")  # fmt: skip
        st.markdown(t("words.onehot_stats", vocab=vocab))
    with right:
        charts.show(word_charts.heatmap(result.similarity[:n, :n].numpy(), shown, shown, title=t("words.embed_title")),
                    key="words-embed")  # fmt: skip
        if vocab > 1:
            low, high, mean = pair_summary(result.similarity)
            st.markdown(t("words.embed_stats", dim=dim, low=low, high=high, mean=mean))
    if vocab < 2:
        st.info(t("words.single_word"))
        return
    st.subheader(t("words.neighbours"))
    word_key = key(FAMILY, "word")
    if st.session_state.get(word_key) not in words:  # the text changed: the old word may be gone
        st.session_state[word_key] = words[0]
    word = st.selectbox(t("words.neighbours_word"), words, key=word_key)
    rows = neighbours(result.similarity, result.vocab.word_to_index[word], NEIGHBOURS)
    st.caption(t("words.neighbours_note"))
    st.table(pd.DataFrame({t("words.col_word"): [words[j] for j, _ in rows],
                           t("words.col_cosine"): [f"{v:+.3f}" for _, v in rows]}))  # fmt: skip


def explanation() -> None:
    st.subheader(t("words.why_title"))
    st.markdown(t("words.why_onehot"))
    st.markdown(t("words.why_embedding"))
    st.markdown(t("words.why_random"))
    poems = next((p for p in available() if p.name == "poems"), None)
    st.info(t("words.why_poems"), icon="🏮")
    if poems is not None:
        st.page_link(poems.path, label=t("nav.poems.title"), icon=poems.icon)


def course_code(mode: str, drop: bool, dim: int, seed_value: int) -> str:
    lines = [
        "import jieba, torch",
        "import torch.nn as nn",
        "",
        "text = '…'",
        f"words = [w for w in {CUTS[mode]} if w.strip()]",
    ]
    if drop:
        lines.append("words = [w for w in words if w not in stopwords and not is_punctuation(w)]")
    lines += [
        "word_to_index = {w: i for i, w in enumerate(dict.fromkeys(words))}",
        f"torch.manual_seed({seed_value})",
        f"embed = nn.Embedding(num_embeddings=len(word_to_index), embedding_dim={dim})",
        "vectors = embed(torch.tensor([word_to_index[w] for w in word_to_index]))",
        "sim = nn.functional.cosine_similarity(vectors[:, None], vectors[None, :], dim=-1)",
    ]
    return "\n".join(lines)


def results(result: Analysis, mode: str, drop: bool, seed_value: int) -> None:
    """Everything drawn from one analysis: chips, vocabulary, vectors, similarities, the course's code."""
    vocab, vec_dim = len(result.vocab), result.vectors.shape[1]
    st.subheader(t("words.segmented"))
    st.html(word_charts.word_chips(result))
    st.caption(t("words.stats", tokens=len(result.tokens), vocab=vocab, removed=sum(result.removed)))
    if any(result.removed):
        st.caption(t("words.removed_note"))

    st.subheader(t("words.vocab"))
    st.markdown(t("words.vocab_caption", vocab=vocab, dim=vec_dim, seed=seed_value))
    charts.table(vocab_table(result), column_config={
        f"W[:, {d}]": st.column_config.NumberColumn(format="%.4f") for d in range(vec_dim)})  # fmt: skip

    st.subheader(t("words.vectors"))
    n = min(vocab, SHOWN_WORDS)
    charts.show(word_charts.heatmap(result.vectors[:n].numpy(), [f"{d}" for d in range(vec_dim)],
                                    list(result.vocab.words[:n]), cosine=False, x_title=t("words.dimension"),
                                    title=t("words.vectors_title", vocab=vocab, dim=vec_dim)),
                key="words-vectors")  # fmt: skip

    st.subheader(t("words.similarity"))
    similarity_section(result)

    with st.expander(t("words.code")):
        st.code(course_code(mode, drop, vec_dim, seed_value), language="python")


@st.fragment
def explorer() -> None:
    text_key = key(FAMILY, "text")
    init(text_key, DEFAULT_TEXT)
    text = st.text_area(t("words.text"), key=text_key, height=100, help=t("words.text_help", max=MAX_CHARS))
    c1, c2, c3 = st.columns([2, 2, 3])
    mode = choose(MODES, FAMILY, label_key="words.mode", where=c1)
    stop_key = key(FAMILY, "stopwords")
    init(stop_key, False)
    with c2:
        st.write("")  # align the toggle with the select box's input row
        drop = st.toggle(t("words.stopwords"), key=stop_key, help=t("words.stopwords_help"))
    dim = param_input(DIM, key(FAMILY, "dim"), FAMILY, help=t("words.dim_help"), where=c3)
    with st.expander(f"{t('common.formula')} · {t(f'words.{mode}.title')}", expanded=True):
        explain(FAMILY, MODES.get(mode))
    result = None
    with user_errors():
        result = analysis(text, mode, drop, dim, seed())
    if result is not None:
        results(result, mode, drop, seed())


def main() -> None:
    st.title(t("words.title"))
    st.markdown(t("words.intro"))
    with st.spinner(t("words.loading")):
        tokenizer()
    explorer()
    explanation()


main()
