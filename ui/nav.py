"""The page list: one source for app.py's navigation, the home page's cards and the tests.

A page that does not exist yet (its file is missing) is not listed anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """A page: its script, ASCII url, icon and the course chapters it covers.

    Its title and one-line blurb are ``nav.<name>.title`` / ``nav.<name>.blurb``.
    """

    name: str
    icon: str
    chapters: tuple[str, ...]  # keys under ``nav.chapters.*``

    @property
    def path(self) -> str:
        return f"pages/{self.name}.py"

    @property
    def url(self) -> str:
        return self.name

    @property
    def card(self) -> Path:
        """A small picture of the page (a screenshot), shown on the home page."""
        return ROOT / "static" / "cards" / f"{self.name}.png"

    @property
    def card_url(self) -> str:
        """Where the browser fetches the card: Streamlit's static files (``server.enableStaticServing``), so a
        home-page render sends twelve addresses, not ~400 KB of pictures, and the browser caches them."""
        return f"/app/static/cards/{self.name}.png"


PLANNED = (
    PageSpec("linear", ":material/scatter_plot:", ("linear",)),
    PageSpec("activations", ":material/show_chart:", ("activations",)),
    PageSpec("losses", ":material/target:", ("losses",)),
    PageSpec("backprop", ":material/account_tree:", ("backprop",)),
    PageSpec("initializers", ":material/tune:", ("initialization",)),
    PageSpec("optimizers", ":material/route:", ("optimizers",)),
    PageSpec("schedulers", ":material/trending_down:", ("lr_decay",)),
    PageSpec("training", ":material/model_training:", ("training",)),
    PageSpec("convolution", ":material/grid_on:", ("cnn",)),
    PageSpec("digits", ":material/draw:", ("cnn",)),
    PageSpec("poems", ":material/history_edu:", ("rnn",)),
    PageSpec("words", ":material/translate:", ("rnn",)),
)

CHAPTERS = (
    "linear",
    "activations",
    "losses",
    "backprop",
    "initialization",
    "optimizers",
    "lr_decay",
    "training",
    "cnn",
    "rnn",
)


def available() -> list[PageSpec]:
    """The planned pages whose script exists."""
    return [p for p in PLANNED if (ROOT / p.path).exists()]
