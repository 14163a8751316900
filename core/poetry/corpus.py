"""The Tang poem corpus: keep the regular 绝句/律诗, split by poem, count what is there.

A poem is kept when its text is nothing but CJK characters and line punctuation, it has
4 (绝句) or 8 (律诗) lines, and every line has 5 (五言) or 7 (七言) characters. Its
punctuation is normalised to the regular pattern ``line，line。line，line。`` (the raw
corpus also ends lines with ？！；). Notes in brackets, missing-character boxes (□) and
rare non-CJK symbols make a poem irregular, so it is dropped rather than repaired.

The split is by poem and depends only on the poem's text (an MD5 hash), never on file
order, so the same poem is always on the same side and duplicates never straddle it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.env import data_root
from core.errors import UserError

TANG = data_root() / "poems" / "tang.jsonl.gz"  # where the corpus is when this module is imported

COMMA, PERIOD = "，", "。"
LINE_ENDS = "，。？！；"  # accepted at the end of a raw line, normalised to ，/。
HELDOUT_PERCENT = 5  # share of poems (by hash) kept out of training

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_SPLIT = re.compile(f"[{LINE_ENDS}]")


@dataclass(frozen=True)
class Form:
    """A regular form: characters per line × number of lines."""

    name: str  # wujue, qijue, wulv, qilv
    chars: int  # 5 (五言) or 7 (七言)
    lines: int  # 4 (绝句) or 8 (律诗)

    @property
    def length(self) -> int:
        """Body length with punctuation: lines × (chars + 1)."""
        return self.lines * (self.chars + 1)


FORMS = (Form("wujue", 5, 4), Form("qijue", 7, 4), Form("wulv", 5, 8), Form("qilv", 7, 8))
FORM_BY_NAME = {f.name: f for f in FORMS}
FORM_BY_SHAPE = {(f.chars, f.lines): f for f in FORMS}


def form_of(chars: int, lines: int) -> Form | None:
    return FORM_BY_SHAPE.get((chars, lines))


def punct_after(line: int) -> str:
    """The punctuation closing 0-based `line`: ，after odd-numbered lines, 。after even."""
    return COMMA if line % 2 == 0 else PERIOD


def compose(lines: Iterable[str]) -> str:
    """Lines joined with the regular punctuation: ``a，b。c，d。``."""
    return "".join(line + punct_after(i) for i, line in enumerate(lines))


def split_lines(body: str) -> list[str]:
    """The lines of a poem body, punctuation removed."""
    return [s for s in _SPLIT.split(body) if s]


def clean_poem(text: str) -> tuple[str | None, str]:
    """(normalised body, "ok") for a regular poem, else (None, reason).

    Reasons: ``odd_chars`` (anything but CJK and line punctuation, e.g. notes),
    ``line_count`` (not 4 or 8 lines), ``line_length`` (lines not all 5 or all 7).
    """
    text = text.strip()
    if not text or text[-1] not in LINE_ENDS:
        return None, "odd_chars"
    lines = _SPLIT.split(text)
    if lines[-1] != "":
        return None, "odd_chars"
    lines = lines[:-1]
    if any(not _CJK.match(line) for line in lines):
        return None, "odd_chars"
    if len(lines) not in (4, 8):
        return None, "line_count"
    lengths = {len(line) for line in lines}
    if len(lengths) != 1 or lengths.pop() not in (5, 7):
        return None, "line_length"
    return compose(lines), "ok"


def poem_form(body: str) -> Form:
    lines = split_lines(body)
    form = form_of(len(lines[0]), len(lines))
    if form is None:
        raise ValueError(f"not a regular poem: {body!r}")
    return form


def is_heldout(body: str, percent: int = HELDOUT_PERCENT) -> bool:
    """Deterministic split by the poem's own text."""
    digest = hashlib.md5(body.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


@dataclass
class Corpus:
    """Cleaned, deduplicated poem bodies split into train and held-out."""

    train: list[str]
    heldout: list[str]
    dropped: dict[str, int] = field(default_factory=dict)  # reason → count
    raw: int = 0

    @property
    def poems(self) -> list[str]:
        return self.train + self.heldout

    def by_form(self, poems: list[str] | None = None) -> dict[str, int]:
        counts = Counter(poem_form(p).name for p in (self.poems if poems is None else poems))
        return {f.name: counts.get(f.name, 0) for f in FORMS}

    def subset(self, forms: Iterable[str]) -> Corpus:
        wanted = set(forms)
        keep = [p for p in self.train if poem_form(p).name in wanted]
        held = [p for p in self.heldout if poem_form(p).name in wanted]
        return Corpus(keep, held, dict(self.dropped), self.raw)


def read_jsonl(path: str | Path = TANG) -> Iterator[str]:
    """Raw poem texts (paragraphs joined) from a chinese-poetry JSONL(.gz) file."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                yield "".join(record.get("paragraphs") or [])


def build(texts: Iterable[str], percent: int = HELDOUT_PERCENT) -> Corpus:
    """Clean, deduplicate (first occurrence wins) and split `texts`."""
    seen: set[str] = set()
    train, heldout = [], []
    dropped: Counter[str] = Counter()
    raw = 0
    for text in texts:
        raw += 1
        body, reason = clean_poem(text)
        if body is None:
            dropped[reason] += 1
            continue
        if body in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(body)
        (heldout if is_heldout(body, percent) else train).append(body)
    return Corpus(train, heldout, dict(dropped), raw)


def load_tang(path: str | Path | None = None) -> Corpus:
    """The cleaned 全唐诗 corpus (about 2 s to read), from `path` or ``<data root>/poems/tang.jsonl.gz``.

    Raises:
        UserError: ``no_poem_corpus`` when the file is not there (says where to put it).
    """
    path = Path(path) if path else data_root() / "poems" / "tang.jsonl.gz"
    if not path.is_file():
        raise UserError("no_poem_corpus", f"no poem corpus at {path}", path=str(path), folder=str(path.parent))
    return build(read_jsonl(path))


def char_counts(poems: Iterable[str]) -> Counter[str]:
    """Character frequencies, punctuation excluded."""
    counts: Counter[str] = Counter()
    for poem in poems:
        counts.update(ch for ch in poem if ch not in (COMMA, PERIOD))
    return counts


def statistics(corpus: Corpus, top: int = 30) -> dict:
    """Numbers the page shows: poems per form and split, characters, the most frequent ones."""
    counts = char_counts(corpus.train)
    return {
        "raw": corpus.raw,
        "kept": len(corpus.poems),
        "train": len(corpus.train),
        "heldout": len(corpus.heldout),
        "dropped": dict(corpus.dropped),
        "by_form": corpus.by_form(),
        "distinct_chars": len(counts),
        "char_tokens": sum(counts.values()),
        "top_chars": counts.most_common(top),
    }


def parse_upload(data: bytes, max_bytes: int, max_poems: int) -> tuple[list[str], int]:
    """Poems from an uploaded UTF-8 text, one poem a line; (regular poems, skipped lines).

    Raises:
        UserError: too large, not UTF-8, or no regular poem in it.
    """
    from core.errors import UserError

    if len(data) > max_bytes:
        raise UserError(
            "poems.errors.upload_size",
            f"upload is {len(data)} bytes; the limit is {max_bytes}",
            size=len(data),
            limit=max_bytes,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("poems.errors.upload_encoding", "upload is not UTF-8 text") from None
    poems, skipped = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        body, _ = clean_poem(line.replace(" ", "").replace("\u3000", "").replace(",", COMMA).replace(".", PERIOD))
        if body is None:
            skipped += 1
        else:
            poems.append(body)
    if not poems:
        raise UserError(
            "poems.errors.upload_empty",
            f"no regular poem (4 or 8 lines of 5 or 7 characters) among {skipped} lines",
            skipped=skipped,
        )
    if len(poems) > max_poems:
        raise UserError(
            "poems.errors.upload_many",
            f"{len(poems)} poems; the limit is {max_poems}",
            count=len(poems),
            limit=max_poems,
        )
    return poems, skipped
