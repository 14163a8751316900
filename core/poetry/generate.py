"""Constrained sampling of poems: the form is exact by construction.

A 绝句/律诗 of form (L characters × N lines) is ``<s>`` followed by N·(L+1) fixed slots:
L character slots, then ``，`` after the 1st, 3rd, … line and ``。`` after the 2nd, 4th, ….
The decoder walks those slots. A punctuation slot, a 藏头诗 head (the first character of
each line) and a given start character are *forced*; every other slot samples from the
model's next-character distribution with the special tokens, ``<unk>`` and the punctuation
masked out, so a generated poem always has the right number of lines of the right length.

With a rhyme option, the last slot of every even line is restricted to characters of one
rhyme group, and a rhyme character is not used twice while the group has others, as in
regular verse: by the 平水韵 (``rhyme="pingshui"``, `core.poetry.constrain`: one 平声 group
of the Tang rhyme books, chosen by the poem's first rhyme or given) or by the modern
十三辙 (``rhyme="shisan"``, `core.poetry.rhyme`: the class of the 2nd line's last character).
With the 格律 option (``gelv=True``) each poem also draws one of its form's four tonal
patterns and every strict slot (二四六 and the last character) keeps to the pattern's tone;
its rhyme is then the 平水韵's, the first line included when the pattern 入韵.

Sampling (per slot, logits z over the allowed characters):

.. math:: p_i \\propto \\exp(z_i / T), then keep the k most likely (top-k) and the smallest set
    whose mass reaches p (top-p, nucleus), renormalise and draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from core.errors import UserError
from core.poetry import condition, constrain
from core.poetry import rhyme as rhyme_mod
from core.poetry.corpus import FORM_BY_NAME, Form, punct_after
from core.poetry.vocab import BOS_ID, COMMA_ID, FIRST_CHAR_ID, PERIOD_ID, Vocab
from core.registry import Entry, Param, Registry

MAX_CANDIDATES = 64
CANDIDATE_POOL = 256  # top-p is computed on this many best tokens when they hold enough mass


Rule = Callable[[torch.Tensor, dict, torch.Generator], torch.Tensor]


def _sample(masked: torch.Tensor, values: dict, gen: torch.Generator) -> torch.Tensor:
    """Draw from softmax(z/T), kept to the top-k ∩ top-p candidates."""
    ids, probs = candidates(masked.cpu() / values["temperature"], values["top_k"], values["top_p"])
    return ids.gather(1, torch.multinomial(probs, 1, generator=gen)).squeeze(1)


def _greedy(masked: torch.Tensor, values: dict, gen: torch.Generator) -> torch.Tensor:
    """The most likely allowed character."""
    return masked.argmax(-1).cpu()


@dataclass(frozen=True)
class Decoder(Entry):
    """A decoding rule for the free slots: ``rule(masked_logits (n, V), resolved values, generator) -> ids (n,)``."""

    rule: Rule | None = None

    def __post_init__(self) -> None:
        if self.rule is None:
            raise TypeError(f"decoder {self.name!r} needs its rule")


TEMPERATURE = Param("temperature", 0.9, 0.1, 2.0, 0.05)
DECODERS = Registry(
    "poems.decoding",
    (
        Decoder(
            "sample",
            params=(TEMPERATURE, Param("top_k", 0, 0, 200, 1), Param("top_p", 0.9, 0.05, 1.0, 0.05)),
            formula=(
                r"p_i = \frac{\exp(z_i/T)}{\sum_j \exp(z_j/T)},\quad"
                r" \text{keep } \mathrm{top}\text{-}k \ \cap\ \{\,i : \textstyle\sum_{j \prec i} p_j < p\,\}"
            ),
            rule=_sample,
        ),
        Decoder("greedy", formula=r"x_t = \arg\max_i z_i", rule=_greedy),
    ),
)


@dataclass
class Poem:
    """One generated poem."""

    lines: list[str]
    form: str
    mean_logprob: float  # mean log p of the sampled (not forced) characters under the model
    rhyme_class: str | None = None  # the 十三辙 class or the 平水韵 group the rhyme option kept to
    pattern: str | None = None  # with 格律: the pattern's key (`gelv.Template.key`)
    planned: str | None = None  # a conditioned model's rhyme token: a 平声 group's name, "" for <韵:无>

    @property
    def text(self) -> str:
        return "".join(line + punct_after(i) for i, line in enumerate(self.lines))


def slots(form: Form) -> list[tuple[str, int, int]]:
    """Body slots in order: ("char", line, col) or ("punct", line, -1)."""
    out = []
    for line in range(form.lines):
        out += [("char", line, col) for col in range(form.chars)]
        out.append(("punct", line, -1))
    return out


def get_form(name: str) -> Form:
    try:
        return FORM_BY_NAME[name]
    except KeyError:
        raise UserError(
            "unknown_name",
            f"Unknown form {name!r}; choose from: {', '.join(FORM_BY_NAME)}",
            family="poems.forms",
            value=name,
            choices=", ".join(FORM_BY_NAME),
        ) from None


def suggestions(char: str, vocab: Vocab, limit: int = 6) -> list[str]:
    """Known characters that sound like `char` (same toneless syllable, else same rhyme class)."""
    from pypinyin import Style, lazy_pinyin

    sound = lazy_pinyin(char, style=Style.NORMAL)[0]
    known = vocab.characters()  # most frequent first
    same = [c for c in known if lazy_pinyin(c, style=Style.NORMAL)[0] == sound and c != char]
    if not same:
        wanted = set(rhyme_mod.classes(char))
        same = [c for c in known if wanted & set(rhyme_mod.classes(c))]
    return same[:limit]


def is_hanzi(char: str) -> bool:
    """A CJK ideograph, including the supplementary planes (rare characters the corpus drops)."""
    return rhyme_mod.is_chinese(char) or (len(char) == 1 and 0x20000 <= ord(char) <= 0x323AF)


def check_chars(text: str, vocab: Vocab, what: str) -> list[str]:
    """The characters of `text` (whitespace ignored), each Chinese and in the vocabulary.

    Raises:
        UserError: a character is not Chinese, or the model does not know it (with
            suggestions of known characters that sound alike).
    """
    chars = [c for c in text if not c.isspace()]
    bad = [c for c in chars if not is_hanzi(c)]
    if bad:
        raise UserError(
            "poems.errors.not_chinese",
            f"{what}: {''.join(bad)!r} are not Chinese characters",
            chars="".join(bad),
        )
    for c in chars:
        if c not in vocab:
            alt = suggestions(c, vocab)
            raise UserError(
                "poems.errors.unknown_char",
                f"{what}: the model does not know {c!r}; try {' '.join(alt)}",
                char=c,
                suggestions=" ".join(alt) or "—",
            )
    return chars


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """Set logits outside top-k and outside the top-p nucleus to -inf (rows independent).

    Args:
        logits: (B, V), already divided by the temperature; -inf marks disallowed tokens.
        top_k: keep the k largest (0: no limit).
        top_p: keep the smallest prefix of the sorted distribution whose mass reaches p
            (the most likely token is always kept).
    """
    if top_k > 0 and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, -math.inf)
    if top_p < 1.0:
        sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
        probs = sorted_logits.softmax(-1)
        before = probs.cumsum(-1) - probs  # mass strictly before each token
        drop_sorted = before >= top_p
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, -math.inf)
    return logits


def candidates(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, probs), both (B, K): the tokens `filter_logits` keeps and their renormalised probabilities.

    The same distribution as ``filter_logits(logits, top_k, top_p).softmax(-1)`` (zeros left
    out), computed on the CANDIDATE_POOL best tokens instead of sorting the whole vocabulary:
    the nucleus is a prefix of the sorted order, so when the pool already holds mass ≥ p the
    answer is exact; otherwise (a very flat distribution) the pool grows fourfold until it does.
    """
    vocab_size = logits.shape[-1]
    pool = min(vocab_size, top_k if top_k > 0 else CANDIDATE_POOL)
    values, ids = torch.topk(logits, pool, dim=-1)  # (B, K), sorted descending
    if top_k > 0:
        probs = values.softmax(-1)
    else:
        lse = torch.logsumexp(logits, -1, keepdim=True)
        probs = (values - lse).exp()
        while pool < vocab_size and bool((probs.sum(-1) < top_p).any()):  # too flat: widen the pool
            pool = min(vocab_size, pool * 4)
            values, ids = torch.topk(logits, pool, dim=-1)
            probs = (values - lse).exp()
    if top_p < 1.0:
        before = probs.cumsum(-1) - probs
        probs = probs.masked_fill(before >= top_p, 0.0)
    probs = probs.masked_fill(torch.isinf(values), 0.0)
    return ids, probs / probs.sum(-1, keepdim=True)


def reshape(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(z / T): T < 1 sharpens, T > 1 flattens, T → 0 is argmax.

    Raises:
        UserError: T outside the decoder's own spec (`TEMPERATURE`, 0.1–2).
    """
    return (logits / TEMPERATURE.validate(temperature)).softmax(-1)


class RhymeMasks:
    """Rhyme class → (V,) bool mask of the characters whose main reading is in that class.

    Only the main (most common) reading counts here, although `rhyme.rhymes` accepts any
    reading of a polyphonic character: a rhyme forced on a rare reading (波 read as bei)
    would look wrong to a reader, so the decoder keeps to the obvious ones.
    """

    def __init__(self, vocab: Vocab):
        self.names = list(rhyme_mod.RHYME_CLASSES)
        self.main = torch.full((len(vocab),), -1, dtype=torch.long)  # main class of each id
        for j, tok in enumerate(vocab.tokens):
            name = rhyme_mod.rhyme_class(tok) if j >= FIRST_CHAR_ID else None
            if name is not None:
                self.main[j] = self.names.index(name)
        self.masks = self.main[None, :] == torch.arange(len(self.names))[:, None]  # (classes, V)
        self.any = self.main >= 0  # characters with a known rhyme

    def restrict(self, allowed: torch.Tensor, row_class: torch.Tensor, used: torch.Tensor) -> None:
        """Keep each poem's rhyme slot (row of `allowed`, in place) to its class, unused characters first.

        A poem whose class is not chosen yet (-1) may end on any character with a known rhyme.
        """
        device = allowed.device
        for r in range(allowed.shape[0]):
            if row_class[r] < 0:
                allowed[r] &= self.any.to(device)
            else:
                in_class = self.masks[row_class[r]].to(device)
                fresh = in_class & ~used[r].to(device)
                allowed[r] &= fresh if bool(fresh.any()) else in_class

    def record(self, choice: torch.Tensor, row_class: torch.Tensor, used: torch.Tensor) -> None:
        """After a rhyme slot: mark the characters used, and the first one's class becomes the poem's."""
        for r in range(choice.shape[0]):
            used[r, choice[r]] = True
            if row_class[r] < 0:
                row_class[r] = int(self.main[choice[r]])


def _fixed_chars(form: Form, vocab: Vocab, start: str, heads: str) -> tuple[list[str], list[str]]:
    """The poem's given first characters and 藏头 heads, checked against the form and the vocabulary.

    Raises:
        UserError: unknown characters, a head per line missing, a start longer than a line,
            or a start that contradicts the first head.
    """
    start_chars = check_chars(start, vocab, "start")
    head_chars = check_chars(heads, vocab, "heads")
    if heads.strip() and len(head_chars) != form.lines:
        raise UserError(
            "poems.errors.head_count",
            f"{len(head_chars)} head characters for a {form.lines}-line poem",
            count=len(head_chars),
            lines=form.lines,
        )
    if len(start_chars) > form.chars:
        raise UserError(
            "poems.errors.start_long",
            f"{len(start_chars)} start characters; a line has {form.chars}",
            count=len(start_chars),
            chars=form.chars,
        )
    if head_chars and start_chars and start_chars[0] != head_chars[0]:
        raise UserError("poems.errors.start_vs_head", "the start character differs from the first head")
    return start_chars, head_chars


RHYME_SCHEMES = ("none", "pingshui", "shisan")


def rhyme_scheme(rhyme: bool | str | None, gelv_on: bool) -> str:
    """The scheme of the `rhyme` argument: False/None → "none", True → "shisan" (the option's first meaning).

    With 格律 the rhyme is the 平水韵's whatever was asked (it is part of the pattern).

    Raises:
        UserError: an unknown scheme name.
    """
    scheme = (
        {False: "none", None: "none", True: "shisan"}.get(rhyme, rhyme) if isinstance(rhyme, bool | None) else rhyme
    )
    if scheme not in RHYME_SCHEMES:
        raise UserError("unknown_name", f"Unknown rhyme scheme {scheme!r}; choose from: {', '.join(RHYME_SCHEMES)}",
                        family="poems.rhymes", value=scheme, choices=", ".join(RHYME_SCHEMES))  # fmt: skip
    return "pingshui" if gelv_on else scheme


class _ShisanRule:
    """十三辙 rhyme slots (`RhymeMasks`), with the same restrict/record interface as `core.poetry.constrain`'s rules."""

    def __init__(self, masks: RhymeMasks, form: Form, n: int):
        self.masks, self.form = masks, form
        self.row_class = torch.full((n,), -1, dtype=torch.long)  # rhyme class per poem, -1 until chosen
        self.used = torch.zeros(n, masks.main.shape[0], dtype=torch.bool)  # rhyme characters already used

    def _slot(self, line: int, col: int) -> bool:
        return line % 2 == 1 and col == self.form.chars - 1

    def restrict(self, allowed: torch.Tensor, line: int, col: int) -> None:
        if self._slot(line, col):
            self.masks.restrict(allowed, self.row_class, self.used)

    def record(self, choice: torch.Tensor, line: int, col: int) -> None:
        if self._slot(line, col):
            self.masks.record(choice, self.row_class, self.used)

    def group_names(self) -> list[str | None]:
        return [self.masks.names[int(c)] if c >= 0 else None for c in self.row_class]


def _rules(form: Form, n: int, scheme: str, gelv_on: bool, group: str | None, masks, start: list[str], gen):
    """The rhyme/格律 rules of a batch and each poem's pattern (None without 格律).

    `masks` are the `RhymeMasks` for 十三辙, the `constrain.PingshuiMasks` for the 平水韵.
    """
    if scheme == "shisan":
        return [_ShisanRule(masks, form, n)], None
    if scheme != "pingshui":
        return [], None
    patterns = constrain.pick_patterns(form, n, start, gen) if gelv_on else None
    index = masks.group_index(group, form, gelv_on) if group else None
    rules = [constrain.PingshuiRule(masks, form, constrain.rhyme_lines(form, patterns, n), gelv_on, index)]
    if gelv_on:
        rules.append(constrain.ToneRule(masks, form, patterns))
    return rules, patterns


@torch.no_grad()
def generate(
    model: nn.Module,
    vocab: Vocab,
    form: str | Form = "qijue",
    *,
    n: int = 1,
    start: str = "",
    heads: str = "",
    decoder: str = "sample",
    temperature: float = 0.9,
    top_k: int = 0,
    top_p: float = 0.9,
    seed: int = 0,
    rhyme: bool | str = False,
    rhyme_masks: RhymeMasks | None = None,
    gelv: bool = False,
    rhyme_group: str | None = None,
    pingshui_masks: constrain.PingshuiMasks | None = None,
) -> list[Poem]:
    """`n` poems of `form` sampled in one batch.

    Args:
        start: the poem's first character(s) (at most one line).
        heads: 藏头诗: one character per line, placed at the start of each line.
        decoder: "sample" (temperature, top-k, top-p) or "greedy".
        seed: seeds the sampling generator; same inputs and seed → same poems.
        rhyme: "none", "pingshui" (平水韵) or "shisan" (十三辙; also True): even lines end in one group.
        gelv: 格律: strict slots follow a tonal pattern, rhymes by the 平水韵.
        rhyme_group: a 平声 group name (e.g. "下平七阳") for the 平水韵 rhyme; None: the poem picks.
        rhyme_masks, pingshui_masks: precomputed `RhymeMasks(vocab)` (十三辙), `constrain.PingshuiMasks(vocab)`.

    Raises:
        UserError: bad form, characters or settings.
    """
    form = get_form(form) if isinstance(form, str) else form
    entry = DECODERS.get(decoder)
    values = entry.resolve({"temperature": temperature, "top_k": top_k, "top_p": top_p} if entry.params else {})
    if not 1 <= int(n) <= MAX_CANDIDATES:
        raise UserError("poems.errors.candidates", f"n={n} outside 1..{MAX_CANDIDATES}", high=MAX_CANDIDATES)
    start_chars, head_chars = _fixed_chars(form, vocab, start, heads)
    scheme = rhyme_scheme(rhyme, gelv)
    masks = (rhyme_masks or RhymeMasks(vocab)) if scheme == "shisan" else pingshui_masks
    masks = masks or (constrain.PingshuiMasks(vocab) if scheme == "pingshui" else None)

    device = next(model.parameters()).device
    model.eval()
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    rules, patterns = _rules(form, int(n), scheme, gelv, rhyme_group, masks, start_chars, gen)
    char_ok = vocab.char_mask().to(device)  # (V,)
    n = int(n)
    tokens, state, planned = _start(model, vocab, form, n, rhyme_group if scheme == "pingshui" else None, gen, rules)
    out = torch.zeros(n, 0, dtype=torch.long)
    logprob = torch.zeros(n, dtype=torch.float64)
    sampled = 0
    for kind, line, col in slots(form):
        logits, state = model.step(tokens, state)
        logits = logits[:, -1].float()  # (n, V)
        choice = _forced(kind, line, col, vocab, start_chars, head_chars, n)
        if choice is None:
            allowed = char_ok.expand(n, -1).clone()  # (n, V)
            for rule in rules:
                rule.restrict(allowed, line, col)
            allowed[~allowed.any(-1)] = char_ok  # never an empty choice (cannot happen with the shipped rules)
            choice = entry.rule(logits.masked_fill(~allowed, -math.inf), values, gen)
            logprob += F.log_softmax(logits, -1).cpu().gather(1, choice[:, None]).squeeze(1).double()
            sampled += 1
        if kind == "char":
            for rule in rules:
                rule.record(choice, line, col)
        out = torch.cat([out, choice[:, None]], dim=1)
        tokens = choice[:, None].to(device)
    groups = rules[0].group_names() if rules else [None] * n
    keys = [p.key for p in patterns] if patterns else [None] * n
    return [
        Poem(_lines(vocab.decode(out[r].tolist()), form), form.name, float(logprob[r] / max(sampled, 1)), g, k, p)
        for r, (g, k, p) in enumerate(zip(groups, keys, planned, strict=True))
    ]


def _start(model: nn.Module, vocab: Vocab, form: Form, n: int, group: str | None, gen: torch.Generator, rules: list):
    """The next input (n, 1), the state and each poem's planned group before the first character.

    A plain model starts from ``<s>`` (no state, no plan). A conditioned model is fed ``<s> <form>``,
    then the rhyme token: `group`'s when given, else drawn from the model (T = 1); the plan is the
    group's name ("" for ``<韵:无>``), and a 平水韵 rule keeps each poem to it.
    """
    device = next(model.parameters()).device
    if not condition.is_conditioned(vocab):
        return torch.full((n, 1), BOS_ID, dtype=torch.long, device=device), None, [None] * n
    head = torch.tensor([[BOS_ID, vocab.index[condition.form_token(form)]]] * n, dtype=torch.long, device=device)
    logits, state = model.step(head)
    ids = condition.rhyme_ids(vocab)
    if group:
        choice = torch.full((n,), vocab.index[condition.rhyme_token(group)], dtype=torch.long)
    else:
        probs = logits[:, -1].float().cpu()[:, ids].softmax(-1)
        choice = ids[torch.multinomial(probs, 1, generator=gen).squeeze(1)]
    planned = [condition.group_of(vocab.tokens[i]) or "" for i in choice.tolist()]
    for rule in rules:
        if isinstance(rule, constrain.PingshuiRule):
            rule.follow(planned)
    return choice[:, None].to(device), state, planned


def _lines(text: str, form: Form) -> list[str]:
    """The lines of a decoded poem body (punctuation dropped)."""
    return [text[i * (form.chars + 1) : i * (form.chars + 1) + form.chars] for i in range(form.lines)]


def _forced(kind: str, line: int, col: int, vocab: Vocab, start: list[str], heads: list[str], n: int):
    """(n,) ids of a slot fixed in advance (punctuation, a 藏头 head, a start character), None for a free slot."""
    if kind == "punct":
        return torch.full((n,), COMMA_ID if punct_after(line) == "，" else PERIOD_ID, dtype=torch.long)
    if col == 0 and heads:
        return torch.full((n,), vocab.id(heads[line]), dtype=torch.long)
    if line == 0 and col < len(start):
        return torch.full((n,), vocab.id(start[col]), dtype=torch.long)
    return None


@torch.no_grad()
def next_char_distribution(model: nn.Module, vocab: Vocab, prefix: str, controls: Sequence[str] = ()) -> torch.Tensor:
    """(V,) logits of the character after ``<s>`` + `controls` + `prefix` (the model's raw view)."""
    device = next(model.parameters()).device
    ids = torch.tensor([vocab.encode(prefix, eos=False, controls=controls)], dtype=torch.long, device=device)
    model.eval()
    return model(ids)[0, -1].float().cpu()


def top_next(
    model: nn.Module, vocab: Vocab, prefix: str, k: int = 10, temperature: float = 1.0
) -> list[tuple[str, float]]:
    """The k most likely next tokens after `prefix` with their probabilities at `temperature`."""
    probs = reshape(next_char_distribution(model, vocab, prefix), temperature)
    values, ids = torch.topk(probs, min(k, len(vocab)))
    return [(vocab.tokens[i], float(p)) for p, i in zip(values.tolist(), ids.tolist(), strict=True)]


def temperature_curves(
    logits: torch.Tensor, temperatures: Sequence[float], k: int = 10
) -> tuple[list[int], dict[float, list[float]]]:
    """The top-k ids at T=1 and their probabilities under each temperature (same ids, re-weighted)."""
    ids = torch.topk(logits, min(k, logits.numel())).indices.tolist()
    return ids, {t: reshape(logits, t)[ids].tolist() for t in temperatures}


def embedding_matrix(model: nn.Module) -> torch.Tensor:
    """(V, E) input embeddings."""
    return model.embed.weight.detach().float().cpu()


def pca_2d(vectors: torch.Tensor) -> torch.Tensor:
    """(N, 2) projection onto the two leading principal components (centred SVD)."""
    centred = vectors - vectors.mean(0, keepdim=True)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return centred @ v[:2].T


def nearest(model: nn.Module, vocab: Vocab, char: str, k: int = 10) -> list[tuple[str, float]]:
    """The k characters whose embeddings have the highest cosine similarity to `char`'s."""
    chars = check_chars(char, vocab, "character")
    if len(chars) != 1:
        raise UserError("poems.errors.one_char", f"need exactly one character, got {len(chars)}")
    char = chars[0]
    emb = embedding_matrix(model)
    sims = F.cosine_similarity(emb[vocab.id(char)][None], emb, dim=-1)  # (V,)
    sims[:FIRST_CHAR_ID] = -math.inf
    sims[vocab.char_end :] = -math.inf
    sims[vocab.id(char)] = -math.inf
    values, ids = torch.topk(sims, min(k, len(vocab.characters()) - 1))
    return [(vocab.tokens[i], float(s)) for s, i in zip(values.tolist(), ids.tolist(), strict=True)]
