"""The poems page's shared results: the shipped model and the corpus (loaded once per server),
batches, next-character views and neighbourhoods (cached on their inputs, bounded)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.errors import UserError
from core.poetry import explore, game, gelv, rhyme
from core.poetry.constrain import PingshuiMasks
from core.poetry.corpus import load_tang, split_lines, statistics
from core.poetry.generate import RhymeMasks
from core.poetry.train import load_model

MODELS_DIR = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems"
# The shipped models, the page's choice: the course's GRU, and the same GRU taught to plan
# (form and rhyme-group tokens before the poem, `core.poetry.condition`).
MODELS = {"plan": "tang_gru_cond.pt", "gru": "tang_gru.pt"}
DEFAULT_MODEL = next(iter(MODELS))


@st.cache_resource(show_spinner=False)
def shipped_model(name: str = DEFAULT_MODEL):
    """A built-in model (one copy per server), its vocabulary, its meta and the rhyme masks of its vocabulary."""
    model, vocab, meta = load_model(MODELS_DIR / MODELS[name])
    return model, vocab, meta, RhymeMasks(vocab)


@st.cache_resource(show_spinner=False)
def pingshui_masks(name: str = DEFAULT_MODEL) -> PingshuiMasks:
    """A shipped vocabulary seen through the 平水韵 (group membership, tone masks)."""
    return PingshuiMasks(shipped_model(name)[1])


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
def corpus_gelv_rates() -> dict[str, float] | None:
    """Held-out Tang poems: share rhyming in one 平声 group (even lines) and share fully regular (None without the corpus)."""
    try:
        poems = [split_lines(p) for p in corpus().heldout]
    except UserError:
        return None
    return {"pingshui": sum(map(gelv.pingshui_rhymes, poems)) / len(poems), "regular": gelv.regular_share(poems)}


@st.cache_data(show_spinner=False, max_entries=256)
def analysis(lines: tuple[str, ...]) -> gelv.Analysis:
    """The 格律 of a poem (`gelv.analyse`)."""
    return gelv.analyse(lines)


@st.cache_data(show_spinner=False, max_entries=64)
def game_round(form: str, seed: int, use_gelv: bool, name: str = DEFAULT_MODEL) -> game.Round:
    """The "real or generated?" round of `seed` (`game.make_round`)."""
    model, vocab, _, _ = shipped_model(name)
    return game.make_round(model, vocab, corpus().heldout, form, seed, gelv=use_gelv, masks=pingshui_masks(name))


@st.cache_resource(show_spinner=False)
def embedding_xy(name: str = DEFAULT_MODEL):
    """(C, 2) numpy: every character on the embedding's two leading principal components."""
    model, vocab, _, _ = shipped_model(name)
    return explore.embedding_map(model, vocab).numpy()


@st.cache_data(show_spinner=False, max_entries=64)
def batch(form: str, mode: str, text: str, n: int, decoder: str, values: tuple, sample_seed: int, scheme: str,
          use_gelv: bool = False, group: str = "", name: str = DEFAULT_MODEL):  # fmt: skip
    """A batch of poems (`explore.write`); `values` are the decoder's (name, raw value) pairs."""
    model, vocab, _, masks = shipped_model(name)
    return explore.write(model, vocab, form, mode, text, n=n, decoder=decoder, values=dict(values),
                         seed=sample_seed, rhyme=scheme, masks=masks, gelv=use_gelv, rhyme_group=group or None,
                         pingshui_masks=pingshui_masks(name))  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=256)
def thought(text: str, position: int, temperature: float, name: str = DEFAULT_MODEL) -> explore.Thought:
    """What the model expects at `position` of a poem's `text` (`explore.think`)."""
    model, vocab, _, _ = shipped_model(name)
    return explore.think(model, vocab, text, position, temperature)


@st.cache_data(show_spinner=False, max_entries=64)
def neighbourhood(char: str, name: str = DEFAULT_MODEL) -> explore.Neighbourhood:
    """`char` and its nearest characters by embedding (`explore.neighbourhood`)."""
    model, vocab, _, _ = shipped_model(name)
    return explore.neighbourhood(model, vocab, char)


@st.cache_data(show_spinner=False, max_entries=64)
def analysis_text(text: str) -> gelv.Analysis:
    """The 格律 of a pasted poem (`gelv.analyse_text`)."""
    return gelv.analyse_text(text)
