"""The character language model: Embedding → RNN | LSTM | GRU → Linear, from a plain config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from core.models import count_params
from core.registry import Entry, Param, Registry


@dataclass(frozen=True)
class Cell(Entry):
    """A recurrent layer type; `module` is its torch class."""

    module: type[nn.Module] = nn.RNN


CELLS = Registry(
    "poems.cells",
    (
        Cell("rnn", formula=r"h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})", module=nn.RNN),
        Cell(
            "lstm",
            formula=(
                r"\begin{aligned} i_t,f_t,o_t &= \sigma(W x_t + U h_{t-1} + b)\\"
                r" g_t &= \tanh(W_g x_t + U_g h_{t-1} + b_g)\\"
                r" c_t &= f_t \odot c_{t-1} + i_t \odot g_t,\quad h_t = o_t \odot \tanh(c_t) \end{aligned}"
            ),
            module=nn.LSTM,
        ),
        Cell(
            "gru",
            formula=(
                r"\begin{aligned} r_t,z_t &= \sigma(W x_t + U h_{t-1} + b)\\"
                r" n_t &= \tanh(W_n x_t + b_{in} + r_t \odot (U_n h_{t-1} + b_{hn}))\\"
                r" h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} \end{aligned}"
            ),
            module=nn.GRU,
        ),
    ),
)

# The shape of a model; the page's live-training form is built from these specs.
ARCH_PARAMS = (
    Param("embed_dim", 128, 16, 512, 16),
    Param("hidden_dim", 256, 16, 1024, 16),
    Param("num_layers", 1, 1, 3, 1),
    Param("dropout", 0.0, 0.0, 0.5, 0.05),
    Param("tied", False),
)


def config(vocab_size: int, cell: str = "gru", control_start: int = 0, **arch: Any) -> dict[str, Any]:
    """A validated plain config for `build` (`control_start` > 0: a conditioned model, `PoemLM.add_plan`)."""
    if vocab_size < 7:
        raise ValueError(f"vocab_size must be ≥ 7, got {vocab_size}")
    CELLS.get(cell)
    values = {p.name: p.validate(arch.get(p.name, p.default)) for p in ARCH_PARAMS}
    unknown = set(arch) - {p.name for p in ARCH_PARAMS}
    if unknown:
        raise ValueError(f"unknown architecture parameters {sorted(unknown)}")
    if not 0 <= control_start < vocab_size:
        raise ValueError(f"control_start must be in 0..{vocab_size - 1}, got {control_start}")
    return {"kind": "poem_lm", "vocab_size": int(vocab_size), "cell": cell, **values, "control_start": control_start}


class PoemLM(nn.Module):
    """Next-character model.

    .. math:: e_t = E[x_t],\\; h_t = \\mathrm{RNN}(e_t, h_{t-1}),\\; p(x_{t+1}\\mid x_{\\le t}) = \\mathrm{softmax}(W h_t + b)

    Shapes: tokens (B, T) → logits (B, T, V); the state is (L, B, H) (a pair for LSTM).
    """

    def __init__(
        self,
        vocab_size: int,
        cell: str,
        embed_dim: int,
        hidden_dim: int,
        num_layers: int,
        dropout: float,
        tied: bool = False,
        control_start: int = 0,
    ) -> None:
        super().__init__()
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = CELLS.get(cell).module(
            embed_dim, hidden_dim, num_layers=num_layers, batch_first=True, dropout=dropout if num_layers > 1 else 0.0
        )
        self.drop = nn.Dropout(dropout)
        # Tied: project h to the embedding size and reuse E as the output matrix (Press & Wolf,
        # 2017). It halves the parameters and makes the output softmax, the costliest part on
        # a CPU, cost embed_dim·V instead of hidden_dim·V per character.
        self.tied = tied
        self.proj = nn.Linear(hidden_dim, embed_dim) if tied else nn.Identity()
        self.head = nn.Linear(embed_dim if tied else hidden_dim, vocab_size)
        if tied:
            self.head.weight = self.embed.weight
        self.control_start = 0
        self.plan = self.plan_out = self.plan_gate = None
        if control_start:
            self.add_plan(control_start)

    def add_plan(self, control_start: int) -> None:
        """Make this a conditioned model (`core.poetry.condition`): ids ≥ `control_start` are control tokens.

        What the control tokens said (form, rhyme group), the sum of their embeddings so far,
        is the model's *plan* p. It enters twice, both parts starting at zero (so a plain
        model extended with them first behaves as before):

        .. math:: x_t \\leftarrow E[x_t] + W_p\\,p, \\qquad z_t \\leftarrow z_t + \\sigma(g^\\top h_t + b)\\, B\\,p

        W_p keeps the plan in view at every input. B maps the plan straight to a score per
        character and the gate σ(·) opens where the recurrent state says a rhyme is due; without
        this output path a GRU fine-tuned on the tokens learnt to follow them in ≤ 5 % of poems.
        """
        embed_dim, vocab_size = self.embed.embedding_dim, self.embed.num_embeddings
        self.control_start = int(control_start)
        self.plan = nn.Linear(embed_dim, embed_dim, bias=False)
        self.plan_out = nn.Linear(embed_dim, vocab_size, bias=False)
        self.plan_gate = nn.Linear(self.rnn.hidden_size, 1)
        nn.init.zeros_(self.plan.weight)
        nn.init.zeros_(self.plan_out.weight)

    def forward(self, tokens: torch.Tensor, state: Any = None) -> torch.Tensor:
        logits, _ = self.step(tokens, state)
        return logits

    def step(self, tokens: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Logits (B, T, V) and the final state, continuing from `state` (with a plan: (recurrent state, plan))."""
        x = self.embed(tokens)  # (B, T, E)
        if self.plan is None:
            out, state = self.rnn(self.drop(x), state)  # (B, T, H)
            return self.head(self.proj(self.drop(out))), state
        rnn_state, plan = state if state is not None else (None, None)
        said = x * (tokens >= self.control_start).unsqueeze(-1)  # the control tokens' embeddings, else 0
        plans = said.cumsum(1) + (plan.unsqueeze(1) if plan is not None else 0)  # (B, T, E)
        out, rnn_state = self.rnn(self.drop(x + self.plan(plans)), rnn_state)
        logits = self.head(self.proj(self.drop(out))) + torch.sigmoid(self.plan_gate(out)) * self.plan_out(plans)
        return logits, (rnn_state, plans[:, -1])


def build(cfg: dict[str, Any]) -> PoemLM:
    """The model of a plain config (as saved in an artifact)."""
    if cfg.get("kind") != "poem_lm":
        raise ValueError(f"not a poem model config: kind={cfg.get('kind')!r}")
    return PoemLM(
        int(cfg["vocab_size"]),
        str(cfg["cell"]),
        int(cfg["embed_dim"]),
        int(cfg["hidden_dim"]),
        int(cfg["num_layers"]),
        float(cfg["dropout"]),
        bool(cfg.get("tied", False)),
        int(cfg.get("control_start", 0)),
    )


parameter_count = count_params  # one parameter count for every model in the app
