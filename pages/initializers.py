"""Initializers and gradient flow: watch the signal and its gradient cross a deep network, or die trying."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core.activations import ACTIVATIONS
from core.errors import UserError
from core.gradflow import LAB_PARAMS, Blank, LabConfig, LabResult, lab_activations, run_lab
from core.init_demos import SYMMETRY_PARAMS, TRAIN_MAX_INITS, TRAIN_PARAMS, SymmetryRun, TrainCurve
from core.init_demos import symmetry_demo as _symmetry_demo
from core.init_demos import trainability as _trainability
from core.initializers import INITIALIZERS, gain, nonlinearity_for
from ui.charts import color, figure, show, style
from ui.feedback import user_errors
from ui.i18n import t, t_or, translator
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_params, entry_title, explain, param_input, param_inputs, title_text

FAMILY = "initializers"
MAIN_DEFAULT = "kaiming_normal"
ACTIVATION_DEFAULT = "relu"
COMPARE_DEFAULT = ("normal", "xavier_normal", "kaiming_normal")
COMPARE_RANGE = (2, 4)
TRAIN_DEFAULT = ("normal", "xavier_normal", "kaiming_normal", "torch_default")
SYMMETRY_RANDOM_DEFAULT = "xavier_normal"
TRAIN_STATE = "initializers.train.result"  # (request, curves) of the last Train click; not a widget key
VERDICT_BOX = {"healthy": "success", "saturated": "warning", "vanishing": "error", "exploding": "error"}
PARAMS = {p.name: p for p in LAB_PARAMS}
LOG_SPAN = 4  # decades a per-layer std axis spans at least (the verdict's ×100 either way)


def p(text_key: str, /, **fmt) -> str:
    """A page string."""
    return t(f"{FAMILY}.page.{text_key}", **fmt)


@st.cache_data(show_spinner=False, max_entries=32)
def _lab(config: LabConfig, device_name: str, layer: int | None, heatmaps: bool) -> LabResult:
    return run_lab(config, device_name, layer=layer, heatmaps=heatmaps)


@st.cache_data(show_spinner=False, max_entries=16)
def _symmetry(init: str, params: tuple, activation: str, act_params: tuple, steps: int, seed: int) -> SymmetryRun:
    return _symmetry_demo(init, dict(params), activation, dict(act_params), steps, seed)


@st.cache_data(show_spinner=False, max_entries=16)
def _train(
    inits: tuple, activation: str, act_params: tuple, settings: tuple, gain: bool, seed: int
) -> list[TrainCurve]:
    return _trainability([(n, dict(ps)) for n, ps in inits], activation, dict(act_params), **dict(settings),
                         recommended_gain=gain, seed=seed)  # fmt: skip


def _scale_text():
    tr = translator()  # bound now: Streamlit may call format_func outside the script run
    return lambda scale: tr(f"{FAMILY}.page.scale_{scale}", scale)


def _verdict_text(result: LabResult) -> tuple[str, str]:
    v = result.verdict
    title = t(f"{FAMILY}.verdicts.{v.key}.title", layer=v.layer or 0)
    return title, t(f"{FAMILY}.verdicts.{v.key}.desc", layer=v.layer or 0)


def _finding(f) -> str:
    name = f.kind if f.kind in ("saturated", "dead") else f"{f.kind}_{f.signal}"
    return t(f"{FAMILY}.verdicts.{name}.title", layer=f.layer)


def _show_verdict(result: LabResult, where=st, brief: bool = False) -> None:
    title, desc = _verdict_text(result)
    box = getattr(where, VERDICT_BOX[result.verdict.kind])
    box(f"**{title}**" if brief else f"**{title}** — {desc}")
    others = [f for f in result.verdict.findings[1:]] if result.verdict.kind != "healthy" else result.verdict.findings
    if others:
        where.caption(p("also") + " " + "; ".join(_finding(f) for f in others))


def _per_layer_figure(results: dict[str, LabResult], height: int = 380) -> go.Figure:
    """Activation std and weight-gradient std per layer (log scale), one trace per result."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(p("act_std_title"), p("grad_std_title")))
    for i, (label, r) in enumerate(results.items()):
        layers = np.arange(1, len(r.act_std) + 1)
        common = {"mode": "lines+markers", "marker": {"size": 4}, "line": {"color": color(i)}, "name": label}
        fig.add_trace(go.Scatter(x=layers, y=r.act_std, legendgroup=label, **common), row=1, col=1)
        fig.add_trace(go.Scatter(x=layers, y=r.grad_std, legendgroup=label, showlegend=False, **common), row=1, col=2)
    style(fig, height=height)
    fig.update_layout(legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0})
    for col, values in ((1, [r.act_std for r in results.values()]), (2, [r.grad_std for r in results.values()])):
        span = _log_range(np.concatenate(values))
        fig.update_yaxes(type="log", exponentformat="power", range=span, row=1, col=col)
        if span is None:  # every value 0 or inf/NaN: say so instead of leaving an empty panel with made-up ticks
            _nothing_note(fig, f"x{'' if col == 1 else col} domain", f"y{'' if col == 1 else col} domain")
            fig.update_yaxes(showticklabels=False, row=1, col=col)
    fig.update_xaxes(title_text=p("layer"))
    fig.update_yaxes(title_text=p("std"), row=1, col=1)
    fig.update_layout(hovermode="x unified")
    return fig


def _nothing_note(fig: go.Figure, xref: str = "paper", yref: str = "paper") -> None:
    fig.add_annotation(text=p("chart_nothing"), xref=xref, yref=yref, x=0.5, y=0.5, showarrow=False,
                       font={"size": 14}, align="center", bgcolor="rgba(255, 255, 255, 0.85)")  # fmt: skip


def _layers_text(runs: tuple[tuple[int, int], ...]) -> str:
    """((3, 3), (5, 50)) → "layers 3, 5–50" style text in the page's language."""
    parts = [p("layers_one", a=a) if a == b else p("layers_range", a=a, b=b) for a, b in runs]
    return p("layers_sep").join(parts)


def _explain_blanks(blanks: tuple[Blank, ...]) -> None:
    """Why a statistic reads 0 or NaN and a chart has no points: the signal died or overflowed."""
    for blank in blanks:
        name = f"blank_{blank.signal}_{blank.kind}" + ("_all" if blank.every_layer else "")
        box = st.error if blank.signal == "gradients" or blank.kind == "nonfinite" else st.warning
        box(p(name, layers=_layers_text(blank.runs)), icon=":material/exposure_zero:" if blank.kind == "zero" else "💥")
    if blanks:
        st.caption(p("blank_charts"))


def _log_range(values: np.ndarray, decades: float = LOG_SPAN) -> list[float] | None:
    """A log axis spanning at least `decades`, so a flat (healthy) curve looks flat, not zoomed-in noise."""
    positive = values[np.isfinite(values) & (values > 0)]
    if not positive.size:
        return None
    lo, hi = np.log10(positive.min()), np.log10(positive.max())
    if hi - lo >= decades:
        return [lo - 0.2, hi + 0.2]
    middle = (lo + hi) / 2
    return [middle - decades / 2, middle + decades / 2]


def _stats_table(result: LabResult) -> list[dict]:
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


def _fractions_figure(result: LabResult) -> go.Figure | None:
    series = [(name, values) for name, values in (("dead", result.dead), ("saturated", result.saturated))
              if values is not None]  # fmt: skip
    if not series:
        return None
    fig = figure(p("fractions_title"), x=p("layer"), y=p("fraction"), height=300)
    layers = np.arange(1, len(result.act_std) + 1)
    for i, (name, values) in enumerate(series):
        fig.add_trace(go.Bar(x=layers, y=values, name=p(f"{name}_fraction"), marker_color=color(3 + i)))
    fig.update_yaxes(range=[0, 1])
    fig.update_layout(showlegend=True)
    return fig


def _heatmap_figure(result: LabResult, signal: str, scale: str) -> go.Figure:
    heat = result.heatmaps[f"{signal}.{scale}"]
    x_title = p("value") if scale == "linear" else p("log_value")
    fig = figure(p(f"heat_{signal}"), x=x_title, y=p("layer"), height=420)
    layers = np.arange(1, heat.share.shape[0] + 1)
    # A share is a fraction: the colour bar starts at 0 and never passes 1 (plotly would centre an
    # all-zero heatmap on 0 and show negative shares). The top is the largest share, for contrast.
    top = float(heat.share.max())
    fig.add_trace(go.Heatmap(x=heat.centers, y=layers, z=heat.share, colorscale="Viridis", zmin=0.0,
                             zmax=min(top, 1.0) if top > 0 else 1.0, colorbar={"title": {"text": p("share")}},
                             hovertemplate=f"{p('layer')} %{{y}}<br>%{{x:.3g}}: %{{z:.1%}}<extra></extra>"))  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(hovermode="closest")
    if not top > 0:
        _nothing_note(fig)
    return fig


def _weight_figure(result: LabResult) -> go.Figure:
    view = result.weights
    fig = figure(p("weights_title", layer=view.layer), x=p("weight"), y=p("density"), height=380)
    centers = (view.edges[:-1] + view.edges[1:]) / 2
    fig.add_trace(go.Bar(x=centers, y=view.density, name=p("empirical"), marker_color=color(0), opacity=0.7))
    if view.theory.continuous_mass > 0 and view.pdf.any():
        fig.add_trace(go.Scatter(x=view.grid, y=view.pdf, name=p("theoretical"), line={"color": color(1), "width": 3}))
    for value, prob in view.theory.atoms:
        fig.add_vline(x=value, line={"color": color(1), "dash": "dash", "width": 2},
                      annotation_text=p("atom", value=f"{value:g}", prob=f"{prob:.1%}"))  # fmt: skip
    fig.update_layout(bargap=0, hovermode="closest")
    return fig


def _settings_values(where) -> dict:
    values = {}
    for name in ("depth", "width", "batch"):
        values[name] = param_input(PARAMS[name], key(FAMILY, "lab", name), FAMILY, where=where,
                                   help=t(f"{FAMILY}.page.help_{name}"))  # fmt: skip
    for name in ("input", "norm"):
        values[name] = param_input(PARAMS[name], key(FAMILY, "lab", name), FAMILY, where=where)
    values["residual"] = param_input(PARAMS["residual"], key(FAMILY, "lab", "residual"), FAMILY, where=where,
                                     help=p("help_residual"))  # fmt: skip
    return values


# ------------------------------------------------------------------------------------------ page

st.title(t("nav.initializers.title"))
st.markdown(p("intro"))

c_init, c_act, c_net = st.columns(3, gap="large")
with c_init:
    st.subheader(p("initializer"))
    name = choose(INITIALIZERS, FAMILY, "lab", label_key=f"{FAMILY}.page.initializer", default=MAIN_DEFAULT)
    entry = INITIALIZERS.get(name)
    init_params = param_inputs(entry, FAMILY, "lab")
with c_act:
    st.subheader(p("activation"))
    act_key = key(FAMILY, "lab", "activation")
    init(act_key, ACTIVATION_DEFAULT)
    activation = st.selectbox(p("activation"), lab_activations(), key=act_key,
                              format_func=title_text("activations"))  # fmt: skip
    act_params = param_inputs(ACTIVATIONS.get(activation), "activations", "init")
    torch_name, tabulated = nonlinearity_for(activation)
    slope = act_params.get("negative_slope")
    with user_errors():
        st.caption(p("gain_of", act=t_or(f"activations.{activation}.title", activation), torch=torch_name,
                     gain=f"{gain(torch_name, slope):.4g}") + ("" if tabulated else " " + p("gain_borrowed")))  # fmt: skip
    recommended = param_input(PARAMS["recommended_gain"], key(FAMILY, "lab", "recommended_gain"), FAMILY,
                              help=p("help_recommended_gain"))  # fmt: skip
with c_net:
    st.subheader(p("network"))
    settings = _settings_values(st)

with st.expander(p("about", name=entry_title(FAMILY, name)), expanded=True):
    explain(FAMILY, entry)
    try:  # a bad value is reported once, in the lab below; here the numbers are just left out
        probe = LabConfig(name, tuple(sorted(init_params.items())), activation, tuple(sorted(act_params.items())),
                          width=max(1, int(settings["width"] or 1)), recommended_gain=recommended)  # fmt: skip
        theory = entry.theory((probe.width, probe.width), **probe.init_values())
        st.caption(p("theory_std", width=probe.width, std=f"{theory.std:.4g}", mean=f"{theory.mean:.4g}"))
    except UserError:
        pass

tab_flow, tab_compare, tab_symmetry, tab_train = st.tabs(
    [p("tab_flow"), p("tab_compare"), p("tab_symmetry"), p("tab_train")]
)

common = {"activation": activation, "activation_params": act_params, "recommended_gain": recommended,
          "seed": seed(), **settings}  # fmt: skip
dev = str(device())

# --- one pass ------------------------------------------------------------------------------------
with tab_flow:
    verdict_box, metrics_box, layers_box, heat_box, weight_box = (st.container() for _ in range(5))
    config = result = None
    with user_errors(verdict_box):
        config = LabConfig.make(name, init_params, **common)
    if config is not None:  # invalid settings: the message alone, no section waits for a chart that never comes
        with weight_box:  # drawn below the other sections, but its layer slider is read before the run
            st.subheader(p("weights_header"))
            layer_key = key(FAMILY, "lab", "layer")
            init(layer_key, 1)
            st.session_state[layer_key] = max(1, min(int(st.session_state[layer_key]), config.depth))
            layer = st.slider(p("layer"), 1, config.depth, key=layer_key) if config.depth > 1 else 1
        with user_errors(verdict_box):
            result = _lab(config, dev, layer, True)
    if result is not None:
        with verdict_box:
            st.subheader(p("verdict"))
            _show_verdict(result)
        with metrics_box:
            m = st.columns(4)
            m[0].metric(p("loss"), f"{result.loss:.4g}")
            m[1].metric(p("input_std"), f"{result.input_std:.3g}")
            m[2].metric(p("last_act_std"), f"{result.act_std[-1]:.3g}")
            ratio = p("ratio_none") if result.grad_ratio is None else f"{result.grad_ratio:.3g}"
            m[3].metric(p("grad_ratio"), ratio, help=p("help_grad_ratio"))
            _explain_blanks(result.blanks)
        with layers_box:
            show(_per_layer_figure({entry_title(FAMILY, name): result}), key="init-layers")
            with st.expander(p("table_header")):
                st.dataframe(_stats_table(result), hide_index=True, width="stretch")
            fractions = _fractions_figure(result)
            if fractions is not None:
                show(fractions, key="init-fractions")
                st.caption(p("fractions_caption"))
        with heat_box:
            st.subheader(p("heat_header"))
            scale_key = key(FAMILY, "lab", "scale")
            init(scale_key, "log")
            scale = st.radio(p("scale"), ["linear", "log"], key=scale_key, horizontal=True,
                             format_func=_scale_text())  # fmt: skip
            h1, h2 = st.columns(2)
            with h1:
                show(_heatmap_figure(result, "activations", scale), key="init-heat-act")
            with h2:
                show(_heatmap_figure(result, "gradients", scale), key="init-heat-grad")
            st.caption(p("heat_caption"))
        with weight_box:
            show(_weight_figure(result), key="init-weights")
            view = result.weights
            st.caption(p("weights_caption", mean=f"{view.mean:.4g}", std=f"{view.std:.4g}",
                         tmean=f"{view.theory.mean:.4g}", tstd=f"{view.theory.std:.4g}"))  # fmt: skip
        with st.expander(p("verdict_rules")):
            st.markdown(p("verdict_rules_text"))

# --- compare -------------------------------------------------------------------------------------
with tab_compare:
    st.markdown(p("compare_intro"))
    chosen = choose_many(INITIALIZERS, FAMILY, "cmp", label_key=f"{FAMILY}.page.compare_pick", default=COMPARE_DEFAULT)
    cmp_params = entry_params(INITIALIZERS, FAMILY, chosen, "cmp", side_by_side=True)
    with user_errors():
        if not COMPARE_RANGE[0] <= len(chosen) <= COMPARE_RANGE[1]:
            raise UserError("initializers.errors.compare_count", f"{len(chosen)} chosen", low=COMPARE_RANGE[0],
                            high=COMPARE_RANGE[1], count=len(chosen))  # fmt: skip
        results = {}
        for n in chosen:
            results[entry_title(FAMILY, n)] = _lab(LabConfig.make(n, cmp_params[n], **common), dev, None, False)
        show(_per_layer_figure(results, height=420), key="init-compare")
        cols = st.columns(len(results))
        for col, (label, r) in zip(cols, results.items(), strict=True):
            col.markdown(f"**{label}**")
            _show_verdict(r, col, brief=True)

# --- symmetry ------------------------------------------------------------------------------------
with tab_symmetry:
    st.markdown(p("symmetry_intro"))
    s1, s2, s3 = st.columns(3)
    with s1:
        steps = param_input(SYMMETRY_PARAMS[0], key(FAMILY, "sym", "steps"), FAMILY)
        const_params = param_inputs(INITIALIZERS.get("constant"), FAMILY, "sym")
    with s2:
        random_name = choose(INITIALIZERS, FAMILY, "sym", label_key=f"{FAMILY}.page.symmetry_random",
                             default=SYMMETRY_RANDOM_DEFAULT)  # fmt: skip
    with s3:
        random_params = param_inputs(INITIALIZERS.get(random_name), FAMILY, "sym")
    with user_errors():
        acts = tuple(sorted(ACTIVATIONS.get(activation).values(act_params).items()))
        runs = [
            _symmetry("constant", tuple(sorted(INITIALIZERS["constant"].resolve(const_params).items())), activation,
                      acts, steps, seed()),
            _symmetry(random_name, tuple(sorted(INITIALIZERS[random_name].resolve(random_params).items())),
                      activation, acts, steps, seed()),
        ]  # fmt: skip
        cols = st.columns(2)
        for index, (col, run) in enumerate(zip(cols, runs, strict=True)):
            with col:
                label = entry_title(FAMILY, run.init)
                fig = make_subplots(rows=1, cols=2, subplot_titles=(p("before"), p("after", steps=len(run.loss))),
                                    horizontal_spacing=0.12)  # fmt: skip
                limit = float(max(np.abs(run.before).max(), np.abs(run.after).max(), 1e-6))
                for j, w in enumerate((run.before, run.after)):
                    fig.add_trace(go.Heatmap(z=w, zmin=-limit, zmax=limit, colorscale="RdBu", showscale=j == 1,
                                             hovertemplate=p("neuron") + " %{y}, " + p("input") + " %{x}: %{z:.4f}"
                                             "<extra></extra>"), row=1, col=j + 1)  # fmt: skip
                style(fig, title=label, height=320)
                fig.update_yaxes(autorange="reversed")
                fig.update_yaxes(title_text=p("neuron"), col=1)
                fig.update_xaxes(title_text=p("input"))
                show(fig, key=f"init-sym-{index}")
                st.metric(p("spread"), f"{run.spread[-1]:.3g}", help=p("help_spread"))
        fig = figure(p("spread_title"), x=p("step"), y=p("spread"), height=320)
        for i, run in enumerate(runs):
            fig.add_trace(go.Scatter(y=run.spread, name=entry_title(FAMILY, run.init), line={"color": color(i)}))
        show(fig, key="init-sym-spread")
        st.caption(p("symmetry_caption"))

# --- trainability --------------------------------------------------------------------------------
with tab_train:
    st.markdown(p("train_intro"))
    picked = choose_many(INITIALIZERS, FAMILY, "train", label_key=f"{FAMILY}.page.train_pick", default=TRAIN_DEFAULT)
    t1, t2, t3 = st.columns(3)
    train_settings = {}
    for col, param in zip((t1, t2, t3), TRAIN_PARAMS, strict=True):
        train_settings[param.name] = param_input(param, key(FAMILY, "train", param.name), FAMILY, where=col)
    train_params = entry_params(INITIALIZERS, FAMILY, picked, "train", side_by_side=True)
    with user_errors():
        if not 1 <= len(picked) <= TRAIN_MAX_INITS:
            raise UserError("initializers.errors.compare_count", f"{len(picked)} chosen", low=1, high=TRAIN_MAX_INITS,
                            count=len(picked))  # fmt: skip
        inits = tuple((n, tuple(sorted(INITIALIZERS[n].resolve(train_params[n]).items()))) for n in picked)
        acts = tuple(sorted(ACTIVATIONS.get(activation).values(act_params).items()))
        request = (inits, activation, acts, tuple(sorted(train_settings.items())), recommended, seed())
        if st.button(p("train_button"), type="primary", key="initializers-train"):
            with st.spinner(p("training")):
                st.session_state[TRAIN_STATE] = (request, _train(*request))
        done = st.session_state.get(TRAIN_STATE)
        if done is None or done[0] != request:
            st.info(p("train_press"))
        else:
            curves = done[1]
            fig = figure(p("train_title"), x=p("step"), y=p("train_loss"), height=420)
            for i, curve in enumerate(curves):
                fig.add_trace(go.Scatter(y=curve.loss, name=entry_title(FAMILY, curve.init), line={"color": color(i)}))
            fig.update_yaxes(type="log")
            show(fig, key="init-train")
            rows = [
                {p("initializer"): entry_title(FAMILY, c.init), p("final_loss"): float(c.loss[-1]),
                 p("accuracy"): f"{c.accuracy:.0%}",
                 p("diverged"): "—" if c.diverged_at is None else p("diverged_at", step=c.diverged_at)}
                for c in curves
            ]  # fmt: skip
            st.dataframe(rows, hide_index=True, width="stretch")
            st.caption(p("train_caption"))
