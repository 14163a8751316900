"""Figures and tables for the digits page: the ten class probabilities, the shipped models' figures.

Only drawing: every number comes from `core.digits`. Figures are built whole in the house
style (`ui.charts.house_layout`), from plain dicts.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.digits.models import trained_epochs
from core.digits.predict import Prediction
from ui.charts import color, house_layout


def probabilities(prediction: Prediction, x: str, y: str) -> go.Figure:
    """A bar per digit 0–9, the predicted one highlighted, each labelled with its probability."""
    bars = {
        "type": "bar", "x": [str(d) for d in range(10)], "y": prediction.probs,
        "marker": {"color": [color(1) if d == prediction.label else color(0) for d in range(10)]},
        "text": [f"{p:.0%}" for p in prediction.probs], "textposition": "outside",
        "hovertemplate": "%{x}: %{y:.3f}<extra></extra>",
    }  # fmt: skip
    layout = {
        **house_layout(None, 300), "hovermode": "closest", "showlegend": False,
        "xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}, "range": [0, 1.15], "tickformat": ".0%"},
    }  # fmt: skip
    return go.Figure(data=[bars], layout=layout)


def comparison(metas: dict[str, dict], titles: dict[str, str], columns: dict[str, str]) -> pd.DataFrame:
    """Every shipped model's measured figures (from its checkpoint meta), one row a model.

    Args:
        metas: model name → its checkpoint meta; titles: model name → its shown title;
        columns: ``model``, ``accuracy``, ``params``, ``epochs`` → the column headers.
    """
    return pd.DataFrame([
        {
            columns["model"]: titles[name],
            columns["accuracy"]: f"{100 * meta['test_accuracy']:.2f} %",
            columns["params"]: f"{meta['params']:,}",
            columns["epochs"]: trained_epochs(meta),
        }
        for name, meta in metas.items()
    ])  # fmt: skip
