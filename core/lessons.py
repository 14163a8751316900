"""Lessons: a page set up to show one idea, with a few sentences on what to look at.

A lesson is pure data: the page it opens, the widget values it sets (named as in a link:
the widget key without ``p.``, e.g. ``"activations.depth.depth": 20``), the course
chapter and section it belongs to. Its title and its 2–5 sentence narrative are
``lessons.<id>.title`` / ``lessons.<id>.text`` in ``assets/i18n/<lang>/lessons.json``.
A chapter's lessons are walked in the order they are listed here ("next lesson").

Adding a lesson: one `Lesson(...)` below and its two texts in both languages; the tests
open it in both languages and fail if its page rejects or ignores any of its values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from core.registry import Value

ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Lesson:
    """One lesson.

    Args:
        id: the link's ``lesson=`` value (lowercase, digits, underscores).
        chapter: the course chapter (a key of ``nav.chapters``).
        page: the page it opens (``pages/<page>.py``).
        values: the settings it gives the page's widgets, by link name.
        section: where in the course notes the idea is (``"002 §7.4"``), or "".
    """

    id: str
    chapter: str
    page: str
    values: Mapping[str, Value | list] = field(default_factory=dict)
    section: str = ""

    def __post_init__(self) -> None:
        if not ID.match(self.id):
            raise ValueError(f"lesson id {self.id!r} must be lowercase letters, digits and underscores")
        for name, value in self.values.items():
            if name.startswith("p.") or not name:
                raise ValueError(f"lesson {self.id}: value names are link names without 'p.' (got {name!r})")
            if not isinstance(value, bool | int | float | str | list):
                raise ValueError(f"lesson {self.id}: {name} = {value!r} is not a widget value")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))


_L = Lesson
_ALL = (
    # 1 · the linear model and gradient descent
    _L("linear_search", "linear", "linear", {"linear.section": "search", "linear.search.w_step": 0.5}, "003 §1"),
    _L("linear_gd_rates", "linear", "linear", {"linear.section": "gd", "linear.gd.lr": 0.05}, "003 §2"),
    _L("linear_gd_diverge", "linear", "linear", {"linear.section": "gd", "linear.gd.lr": 0.25}, "003 §2"),
    _L("linear_minibatch", "linear", "linear", {"linear.section": "sgd"}, "003 §3"),
    # 2 · activation functions
    _L("act_vanishing", "activations", "activations",
       {"activations.depth.many": ["sigmoid", "relu"], "activations.depth.depth": 20}, "002 §5.1.2"),
    _L("act_tanh_depth", "activations", "activations",
       {"activations.depth.many": ["sigmoid", "tanh"], "activations.depth.depth": 50, "activations.depth.weight": 2.0},
       "002 §5.1.2"),
    _L("act_nonlinear", "activations", "activations",
       {"activations.nonlin.layers": 10, "activations.nonlin.choice": "relu"}),
    _L("act_softmax_temperature", "activations", "activations", {"activations.softmax.temperature": 5.0}),
    # 3 · loss functions
    _L("loss_outliers", "losses", "losses",
       {"losses.compare.task": "regression", "losses.compare.regression.many": ["mse", "mae", "huber"]}),
    _L("loss_label_smoothing", "losses", "losses", {"losses.ce.label_smoothing": 0.2, "losses.ce.z1": 6.0}),
    # 4 · backpropagation
    _L("bp_apples", "backprop", "backprop", {"backprop.graphs.graph.choice": "shopping"}, "002 §4.1"),
    _L("bp_float32_check", "backprop", "backprop", {"backprop.net.precision": "float32", "backprop.check.h": 1e-7},
       "002 §3.2"),
    # 5 · weight initialization
    _L("init_normal_depth50", "initialization", "initializers",
       {"initializers.lab.choice": "normal", "initializers.lab.normal.std": 1.0, "initializers.lab.depth": 50,
        "initializers.lab.activation": "relu"}),
    _L("init_he_depth50", "initialization", "initializers",
       {"initializers.lab.choice": "kaiming_normal", "initializers.lab.depth": 50, "initializers.lab.activation": "relu"}),
    _L("init_symmetry", "initialization", "initializers", {"initializers.sym.constant.value": 0.5}, "002 §5.3.1"),
    # 6 · optimizers
    _L("opt_sgd_zigzag", "optimizers", "optimizers", {"optimizers.surface": "bowl", "optimizers.many": ["sgd"]},
       "002 §7.4"),
    _L("opt_momentum", "optimizers", "optimizers",
       {"optimizers.surface": "bowl", "optimizers.many": ["sgd", "momentum"]}, "002 §7.4"),
    _L("opt_adaptive", "optimizers", "optimizers",
       {"optimizers.surface": "bowl", "optimizers.many": ["sgd", "adagrad", "rmsprop", "adam"]}, "002 §7.4"),
    # 7 · learning-rate decay
    _L("sched_step", "lr_decay", "schedulers",
       {"schedulers.many": ["constant", "step"], "surfaces.schedulers.choice": "bowl",
        "optimizers.schedulers.choice": "sgd"}),
    _L("sched_warmup", "lr_decay", "schedulers", {"schedulers.many": ["cosine", "warmup_cosine", "onecycle"]}),
    # 8 · training
    _L("train_bgd_sum3", "training", "training",
       {"datasets.training.choice": "sum3", "training.batch_mode": "full", "optimizers.training.optimizer.choice": "sgd",
        "optimizers.training.optimizer.sgd.lr": 0.5, "training.epochs": 100}, "000 §4–5"),
    _L("train_minibatch_sum3", "training", "training",
       {"datasets.training.choice": "sum3", "training.batch_mode": "minibatch", "training.batch_size": 32,
        "optimizers.training.optimizer.choice": "sgd", "optimizers.training.optimizer.sgd.lr": 0.5,
        "training.epochs": 100}, "000 §4–5"),
    _L("train_overfit", "training", "training",
       {"datasets.training.choice": "moons", "datasets.training.moons.n_samples": 100,
        "datasets.training.moons.noise": 0.3, "models.training.model.mlp.layers": 4,
        "models.training.model.mlp.width": 128, "training.epochs": 300}),
    _L("train_weight_decay", "training", "training",
       {"datasets.training.choice": "moons", "datasets.training.moons.n_samples": 100,
        "datasets.training.moons.noise": 0.3, "models.training.model.mlp.layers": 4,
        "models.training.model.mlp.width": 128, "training.epochs": 300,
        "optimizers.training.optimizer.choice": "adamw", "optimizers.training.optimizer.adamw.weight_decay": 0.1}),
    # 9 · convolution (CNN)
    _L("conv_edges", "cnn", "convolution", {"convolution.kernels.choice": "sobel_x"}, "002 ch. 8"),
    _L("conv_stride", "cnn", "convolution",
       {"convolution.kernels.choice": "gaussian", "convolution.stride": 2, "convolution.padding": 0}, "002 ch. 8"),
    _L("conv_pooling", "cnn", "convolution",
       {"convolution.pools.choice": "avg", "convolution.pool_size": 4, "convolution.pool_stride": 4}, "002 ch. 8"),
    _L("digits_models", "cnn", "digits", {"digits.model.choice": "mlp"}, "003 §5.3"),
    # 10 · RNN
    _L("poem_acrostic", "rnn", "poems",
       {"poems.mode": "acrostic", "poems.text": "春夏秋冬", "poems.form": "qijue", "poems.gelv": False,
        "poems.scheme": "pingshui"}, "002 §9"),
    _L("poem_temperature", "rnn", "poems",
       {"poems.mode": "start", "poems.text": "明月", "poems.form": "wujue",
        "poems.decoding.sample.temperature": 1.5}, "002 §9"),
    _L("words_embedding", "rnn", "words", {"words.dim": 8}, "002 §9.2"),
)  # fmt: skip

LESSONS: Mapping[str, Lesson] = MappingProxyType({lesson.id: lesson for lesson in _ALL})
if len(LESSONS) != len(_ALL):
    raise ValueError("two lessons share an id")


def in_chapter(chapter: str) -> list[Lesson]:
    """A chapter's lessons, in order."""
    return [lesson for lesson in _ALL if lesson.chapter == chapter]


def next_lesson(lesson_id: str) -> Lesson | None:
    """The lesson after `lesson_id`: the next in its chapter, then the first of the next chapter
    (the list above is in the course's order; a test checks it against the chapters)."""
    index = next(i for i, lesson in enumerate(_ALL) if lesson.id == lesson_id)
    return _ALL[index + 1] if index + 1 < len(_ALL) else None
