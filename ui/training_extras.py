"""The training page's Playground settings: input features (an MLP on 2-D points), L1/L2 rates, early stopping.

Drawn inside the settings column (the page's full run); each returns what goes into the run config.
"""

from __future__ import annotations

import streamlit as st

from core.data import TaskData
from core.data.features import DEFAULT_FEATURES, FEATURE_FORMULAS, FEATURES
from core.train.penalty import FORMULAS, RATE
from core.train.setup import PATIENCE
from ui.i18n import t
from ui.state import init, key
from ui.training_network_charts import FEATURE_TEXT
from ui.widgets import multiselect

FEATURES_KEY = key("training", "features")
L1_KEY, L2_KEY, PATIENCE_KEY = key("training", "l1"), key("training", "l2"), key("training", "early_stop")


def feature_choice(data: TaskData, kind: str) -> list[str] | None:
    """Playground's input features for an MLP on 2-D points (None for other data or models)."""
    if kind != "mlp" or tuple(data.input_shape) != (2,):
        return None
    init(FEATURES_KEY, list(DEFAULT_FEATURES))
    chosen = multiselect(t("training.extras.features"), list(FEATURES), key=FEATURES_KEY,
                         format_func=FEATURE_TEXT.get, help=t("training.extras.features_help"))  # fmt: skip
    if chosen:
        st.latex(r"h_0 = \big(" + ",\\ ".join(FEATURE_FORMULAS[n] for n in chosen) + r"\big)")
    return list(chosen)  # an empty choice reaches the model builder, which says what to pick


def regularization() -> tuple[dict, int]:
    """The L1/L2 rates and the early-stopping patience (no bounds on the boxes: `prepare` refuses bad ones)."""
    st.markdown(f"**{t('training.extras.regularization')}**")
    init(L1_KEY, 0.0, spec=RATE)
    init(L2_KEY, 0.0, spec=RATE)
    init(PATIENCE_KEY, 0, spec=PATIENCE)
    c1, c2, c3 = st.columns(3)
    l1 = c1.number_input(
        t("training.extras.l1"), key=L1_KEY, format="%g", step=0.001, help=t("training.extras.rate_help")
    )
    l2 = c2.number_input(
        t("training.extras.l2"), key=L2_KEY, format="%g", step=0.001, help=t("training.extras.rate_help")
    )
    # No tooltip here: its "Help for Early stopping" button would answer to a search for the Stop button.
    patience = c3.number_input(t("training.extras.early_stop"), key=PATIENCE_KEY, step=1)
    with st.popover(t("training.recipe.formula")):
        st.latex(FORMULAS["l1"])
        st.latex(FORMULAS["l2"])
        st.markdown(t("training.extras.penalty_desc"))
        st.markdown(t("training.extras.early_stop_help"))
    return {"l1": float(l1), "l2": float(l2)}, int(patience)
