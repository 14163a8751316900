"""Charts, tables and verdict boxes of the initializers page (gradient-flow lab and its demos).

Only drawing: every number comes from `core.gradflow` and `core.init_demos`. Figures are
plain dicts (`ui.spec_charts`): built in a millisecond or two, cached by the page per input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.gradflow import Blank, LabResult, WeightView
from core.init_demos import SymmetryRun, TrainCurve
from ui.charts import color
from ui.i18n import t
from ui.spec_charts import Spec, layout, pair_axes, spec

FAMILY = "initializers"
VERDICT_BOX = {"healthy": "success", "saturated": "warning", "vanishing": "error", "exploding": "error"}
LOG_SPAN = 4  # decades a per-layer std axis spans at least (the verdict's ×100 either way)


def p(text_key: str, /, **fmt) -> str:
    """A page string."""
    return t(f"{FAMILY}.page.{text_key}", **fmt)


def _nothing_note(xref: str = "paper", yref: str = "paper") -> dict:
    return {"text": p("chart_nothing"), "xref": xref, "yref": yref, "x": 0.5, "y": 0.5, "showarrow": False,
            "font": {"size": 14}, "align": "center", "bgcolor": "rgba(255, 255, 255, 0.85)"}  # fmt: skip


def log_range(values: np.ndarray, decades: float = LOG_SPAN) -> list[float] | None:
    """A log axis spanning at least `decades`, so a flat (healthy) curve looks flat, not zoomed-in noise."""
    positive = values[np.isfinite(values) & (values > 0)]
    if not positive.size:
        return None
    lo, hi = np.log10(positive.min()), np.log10(positive.max())
    if hi - lo >= decades:
        return [float(lo - 0.2), float(hi + 0.2)]
    middle = (lo + hi) / 2
    return [float(middle - decades / 2), float(middle + decades / 2)]


def per_layer(results: dict[str, LabResult], height: int = 380) -> Spec:
    """Activation std and weight-gradient std per layer (log scale), one trace per result."""
    data = []
    for i, (label, r) in enumerate(results.items()):
        layers = np.arange(1, len(r.act_std) + 1)
        common = {"type": "scatter", "x": layers, "mode": "lines+markers", "marker": {"size": 4},
                  "line": {"color": color(i)}, "name": label, "legendgroup": label}  # fmt: skip
        data += [
            {**common, "y": r.act_std},
            {**common, "y": r.grad_std, "showlegend": False, "xaxis": "x2", "yaxis": "y2"},
        ]
    box = layout(height=height, legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0}, hovermode="x unified",
                 **pair_axes((p("act_std_title"), p("grad_std_title"))))  # fmt: skip
    for n, values in (("", [r.act_std for r in results.values()]), ("2", [r.grad_std for r in results.values()])):
        span = log_range(np.concatenate(values))
        axis = {"type": "log", "exponentformat": "power"} | ({} if span is None else {"range": span})
        if span is None:  # every value 0 or inf/NaN: say so instead of leaving an empty panel with made-up ticks
            box["annotations"].append(_nothing_note(f"x{n} domain", f"y{n} domain"))
            axis["showticklabels"] = False
        box[f"yaxis{n}"].update(axis)
        box[f"xaxis{n}"]["title"] = {"text": p("layer")}
    box["yaxis"]["title"] = {"text": p("std")}
    return spec(data, box)


def fractions(result: LabResult) -> Spec | None:
    series = [(name, values) for name, values in (("dead", result.dead), ("saturated", result.saturated))
              if values is not None]  # fmt: skip
    if not series:
        return None
    layers = np.arange(1, len(result.act_std) + 1)
    data = [{"type": "bar", "x": layers, "y": values, "name": p(f"{name}_fraction"), "marker": {"color": color(3 + i)}}
            for i, (name, values) in enumerate(series)]  # fmt: skip
    box = layout(p("fractions_title"), x=p("layer"), y=p("fraction"), height=300, yaxis={"range": [0, 1]},
                 showlegend=True)  # fmt: skip
    return spec(data, box)


def heatmap(result: LabResult, signal: str, scale: str) -> Spec:
    heat = result.heatmaps[f"{signal}.{scale}"]
    x_title = p("value") if scale == "linear" else p("log_value")
    layers = np.arange(1, heat.share.shape[0] + 1)
    # A share is a fraction: the colour bar starts at 0 and never passes 1 (plotly would centre an
    # all-zero heatmap on 0 and show negative shares). The top is the largest share, for contrast.
    top = float(heat.share.max())
    data = [{"type": "heatmap", "x": heat.centers, "y": layers, "z": heat.share, "colorscale": "Viridis", "zmin": 0.0,
             "zmax": min(top, 1.0) if top > 0 else 1.0, "colorbar": {"title": {"text": p("share")}},
             "hovertemplate": f"{p('layer')} %{{y}}<br>%{{x:.3g}}: %{{z:.1%}}<extra></extra>"}]  # fmt: skip
    box = layout(p(f"heat_{signal}"), x=x_title, y=p("layer"), height=420, yaxis={"autorange": "reversed"},
                 hovermode="closest")  # fmt: skip
    if not top > 0:
        box["annotations"] = [_nothing_note()]
    return spec(data, box)


def weights(view: WeightView) -> Spec:
    centers = (view.edges[:-1] + view.edges[1:]) / 2
    data = [{"type": "bar", "x": centers, "y": view.density, "name": p("empirical"), "marker": {"color": color(0)},
             "opacity": 0.7}]  # fmt: skip
    if view.theory.continuous_mass > 0 and view.pdf.any():
        data.append({"type": "scatter", "x": view.grid, "y": view.pdf, "name": p("theoretical"),
                     "line": {"color": color(1), "width": 3}})  # fmt: skip
    atoms = [(float(value), prob) for value, prob in view.theory.atoms]
    shapes = [{"type": "line", "x0": v, "x1": v, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
               "line": {"color": color(1), "dash": "dash", "width": 2}} for v, _ in atoms]  # fmt: skip
    notes = [{"text": p("atom", value=f"{v:g}", prob=f"{prob:.1%}"), "x": v, "xref": "x", "y": 1, "yref": "y domain",
              "showarrow": False, "xanchor": "left", "yanchor": "top"} for v, prob in atoms]  # fmt: skip
    marks = {"shapes": shapes, "annotations": notes} if atoms else {}
    box = layout(p("weights_title", layer=view.layer), x=p("weight"), y=p("density"), height=380, bargap=0,
                 hovermode="closest", **marks)  # fmt: skip
    return spec(data, box)


def symmetry(run: SymmetryRun, label: str) -> Spec:
    """The first layer's weights before and after training, side by side (one colour scale)."""
    limit = float(max(np.abs(run.before).max(), np.abs(run.after).max(), 1e-6))
    hover = p("neuron") + " %{y}, " + p("input") + " %{x}: %{z:.4f}<extra></extra>"
    data = [{"type": "heatmap", "z": w, "zmin": -limit, "zmax": limit, "colorscale": "RdBu", "showscale": j == 1,
             "hovertemplate": hover, "xaxis": "x" if j == 0 else "x2", "yaxis": "y" if j == 0 else "y2"}
            for j, w in enumerate((run.before, run.after))]  # fmt: skip
    box = layout(label, height=320, **pair_axes((p("before"), p("after", steps=len(run.loss))), gap=0.12))
    for n in ("", "2"):
        box[f"yaxis{n}"]["autorange"] = "reversed"
        box[f"xaxis{n}"]["title"] = {"text": p("input")}
    box["yaxis"]["title"] = {"text": p("neuron")}
    return spec(data, box)


def _curves(series: Sequence[tuple[str, np.ndarray]]) -> list[dict]:
    return [
        {"type": "scatter", "y": y, "name": name, "line": {"color": color(i)}} for i, (name, y) in enumerate(series)
    ]


def spread(runs: Sequence[SymmetryRun], names: Sequence[str]) -> Spec:
    data = _curves([(name, run.spread) for run, name in zip(runs, names, strict=True)])
    return spec(data, layout(p("spread_title"), x=p("step"), y=p("spread"), height=320))


def training(curves: Sequence[TrainCurve], names: Sequence[str]) -> Spec:
    data = _curves([(name, curve.loss) for curve, name in zip(curves, names, strict=True)])
    return spec(data, layout(p("train_title"), x=p("step"), y=p("train_loss"), height=420, yaxis={"type": "log"}))


def stats_table(result: LabResult) -> list[dict]:
    """One row per layer: the numbers behind the charts."""
    rows = []
    for i in range(len(result.act_std)):
        row = {p("layer"): i + 1, p("col_mean"): float(result.act_mean[i]), p("col_std"): float(result.act_std[i]),
               p("col_grad"): float(result.grad_std[i])}  # fmt: skip
        if result.dead is not None:
            row[p("dead_fraction")] = f"{result.dead[i]:.0%}"
        if result.saturated is not None:
            row[p("saturated_fraction")] = f"{result.saturated[i]:.0%}"
        rows.append(row)
    return rows


def train_table(curves: Sequence[TrainCurve], names: Sequence[str]) -> list[dict]:
    return [
        {p("initializer"): name, p("final_loss"): float(c.loss[-1]), p("accuracy"): f"{c.accuracy:.0%}",
         p("diverged"): "—" if c.diverged_at is None else p("diverged_at", step=c.diverged_at)}
        for c, name in zip(curves, names, strict=True)
    ]  # fmt: skip


def _finding(f) -> str:
    name = f.kind if f.kind in ("saturated", "dead") else f"{f.kind}_{f.signal}"
    return t(f"{FAMILY}.verdicts.{name}.title", layer=f.layer)


def show_verdict(result: LabResult, where=st, brief: bool = False) -> None:
    """The verdict in a box coloured by its kind (healthy green … vanishing red), its other findings below."""
    v = result.verdict
    title = t(f"{FAMILY}.verdicts.{v.key}.title", layer=v.layer or 0)
    box = getattr(where, VERDICT_BOX[v.kind])
    box(f"**{title}**" if brief else f"**{title}** — {t(f'{FAMILY}.verdicts.{v.key}.desc', layer=v.layer or 0)}")
    others = list(v.findings[1:]) if v.kind != "healthy" else v.findings
    if others:
        where.caption(p("also") + " " + "; ".join(_finding(f) for f in others))


def _layers_text(runs: tuple[tuple[int, int], ...]) -> str:
    """((3, 3), (5, 50)) → "layers 3, 5–50" style text in the page's language."""
    parts = [p("layers_one", a=a) if a == b else p("layers_range", a=a, b=b) for a, b in runs]
    return p("layers_sep").join(parts)


def explain_blanks(blanks: tuple[Blank, ...]) -> None:
    """Why a statistic reads 0 or NaN and a chart has no points: the signal died or overflowed."""
    for blank in blanks:
        name = f"blank_{blank.signal}_{blank.kind}" + ("_all" if blank.every_layer else "")
        box = st.error if blank.signal == "gradients" or blank.kind == "nonfinite" else st.warning
        box(p(name, layers=_layers_text(blank.runs)), icon=":material/exposure_zero:" if blank.kind == "zero" else "💥")
    if blanks:
        st.caption(p("blank_charts"))
