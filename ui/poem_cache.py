"""The poems page's shared results: the shipped model and the corpus (loaded once per server),
batches, next-character views and neighbourhoods (cached on their inputs, bounded)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.errors import UserError
from core.poetry import explore, rhyme
from core.poetry.corpus import load_tang, statistics
from core.poetry.generate import RhymeMasks
from core.poetry.train import load_model

MODEL_PATH = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems" / "tang_gru.pt"


@st.cache_resource(show_spinner=False)
def shipped_model():
    """The built-in model, its vocabulary, its meta and the rhyme masks of its vocabulary."""
    model, vocab, meta = load_model(MODEL_PATH)
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
def embedding_xy():
    """(C, 2) numpy: every character on the embedding's two leading principal components."""
    return explore.embedding_map(shipped_model()[0]).numpy()


@st.cache_data(show_spinner=False, max_entries=64)
def batch(form: str, mode: str, text: str, n: int, decoder: str, values: tuple, sample_seed: int, use_rhyme: bool):
    """A batch of poems (`explore.write`); `values` are the decoder's (name, raw value) pairs."""
    model, vocab, _, masks = shipped_model()
    return explore.write(model, vocab, form, mode, text, n=n, decoder=decoder, values=dict(values),
                         seed=sample_seed, rhyme=use_rhyme, masks=masks)  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=256)
def thought(text: str, position: int, temperature: float) -> explore.Thought:
    """What the model expects at `position` of a poem's `text` (`explore.think`)."""
    model, vocab, _, _ = shipped_model()
    return explore.think(model, vocab, text, position, temperature)


@st.cache_data(show_spinner=False, max_entries=64)
def neighbourhood(char: str) -> explore.Neighbourhood:
    """`char` and its nearest characters by embedding (`explore.neighbourhood`)."""
    model, vocab, _, _ = shipped_model()
    return explore.neighbourhood(model, vocab, char)
