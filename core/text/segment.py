"""Chinese word segmentation with jieba (three modes), a stop-word filter and a vocabulary.

jieba's dictionary is loaded lazily on first use (``jieba.initialize()``, about a second);
`load_jieba` does it once per process and silences jieba's log. A Streamlit page should
also cache it with ``st.cache_resource`` so the cost is paid once per server, not per run.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import jieba

from core.errors import UserError
from core.registry import Entry, Registry

ROOT = Path(__file__).resolve().parent.parent.parent
STOPWORDS_PATH = ROOT / "assets" / "stopwords_zh.txt"

MAX_CHARS = 2000  # longest text the explorer segments (keeps the similarity matrix small)
# The course's example sentence (002 §9.2, nn.Embedding over jieba's words).
DEFAULT_TEXT = "北京冬奥的进度条已经过半，不少外国运动员在完成自己的比赛后踏上归途。"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class SegmentMode(Entry):
    """A jieba segmentation mode: which of jieba's cut functions it calls."""

    cut_all: bool = False
    for_search: bool = False


MODES: Registry[SegmentMode] = Registry(
    "words",
    (
        SegmentMode(
            "precise",
            formula=r"\hat W=\arg\max_{w_1 w_2\cdots w_m=s}\ \sum_{k=1}^{m}\log\frac{f(w_k)}{F}",
        ),
        SegmentMode(
            "full",
            formula=r"W=\{\,s_{i..j}\;:\;s_{i..j}\in D\,\}",
            cut_all=True,
        ),
        SegmentMode(
            "search",
            formula=r"W=\hat W\ \cup\ \{\,u\sqsubset w\;:\;w\in\hat W,\ |u|\in\{2,3\},\ |u|<|w|,\ u\in D\,\}",
            for_search=True,
        ),
    ),
)


@cache
def load_jieba() -> jieba.Tokenizer:
    """jieba's default tokenizer with its dictionary loaded and its log silenced (once a process)."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


@cache
def stopwords() -> frozenset[str]:
    """The shipped stop-word list (``assets/stopwords_zh.txt``; ``#`` lines are comments)."""
    lines = STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def is_punctuation(token: str) -> bool:
    """True for a token made only of punctuation, symbols and spaces (``"，"``, ``"..."``)."""
    return all(unicodedata.category(c)[0] in "PSZ" for c in token)


def is_stopword(token: str) -> bool:
    """A stop word from the list, or a punctuation-only token."""
    return token in stopwords() or is_punctuation(token)


def check_text(text: str) -> str:
    """`text` stripped, or UserError when it is empty, too long or has no Chinese character."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    text = text.strip()
    if not text:
        raise UserError("words.errors.empty", "The text is empty.")
    if len(text) > MAX_CHARS:
        raise UserError(
            "words.errors.too_long",
            f"The text has {len(text)} characters; the limit is {MAX_CHARS}.",
            n=len(text),
            max=MAX_CHARS,
        )
    if not _CJK.search(text):
        raise UserError("words.errors.no_chinese", "The text contains no Chinese character.")
    return text


def segment(text: str, mode: str = "precise") -> list[str]:
    """jieba's words of `text` in `mode` (precise, full or search), whitespace tokens dropped.

    precise = ``jieba.lcut(text)``, full = ``jieba.lcut(text, cut_all=True)``, search =
    ``jieba.lcut_for_search(text)``; full mode also yields empty strings around non-Chinese
    runs, which are dropped with the spaces.

    Raises:
        UserError: unknown mode, empty / too long / non-Chinese text (see `check_text`).
    """
    spec = MODES.get(mode)
    text = check_text(text)
    tokenizer = load_jieba()
    if spec.for_search:
        words = tokenizer.lcut_for_search(text)
    else:
        words = tokenizer.lcut(text, cut_all=spec.cut_all)
    return [w for w in words if w.strip()]


def remove_stopwords(words: Iterable[str]) -> list[str]:
    """`words` without stop words and punctuation, order kept."""
    return [w for w in words if not is_stopword(w)]


@dataclass(frozen=True)
class Vocabulary:
    """Word ↔ index maps, indices in order of first appearance (deterministic, unlike ``set``).

    The course builds its vocabulary with ``list(set(words))``, whose order changes from
    run to run (string hashing is randomised); first-appearance order keeps the indices,
    and so the seeded embedding rows, reproducible.
    """

    words: tuple[str, ...]
    counts: tuple[int, ...]

    @classmethod
    def build(cls, tokens: Sequence[str]) -> Vocabulary:
        counter = Counter(tokens)
        words = tuple(dict.fromkeys(tokens))
        return cls(words, tuple(counter[w] for w in words))

    @cached_property
    def word_to_index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Indices of `tokens` (KeyError for a word not in the vocabulary)."""
        index = self.word_to_index
        return [index[t] for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.words[i] for i in ids]
