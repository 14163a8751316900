"""Initializers and gradient flow: watch the signal and its gradient cross a deep network, or die trying."""

import streamlit as st

from core.activations import ACTIVATIONS
from core.errors import UserError
from core.gradflow import LAB_PARAMS, LabConfig, lab_activations
from core.init_demos import COMPARE_RANGE, SYMMETRY_PARAMS, TRAIN_MAX_INITS, TRAIN_PARAMS, check_count
from core.initializers import INITIALIZERS, gain, nonlinearity_for
from ui import init_cache as cache
from ui import init_charts as charts
from ui.charts import show, table
from ui.feedback import user_errors
from ui.i18n import lang, t, t_or, translator
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_params, entry_title, explain, param_input, param_inputs, title_text

FAMILY = "initializers"
MAIN_DEFAULT = "kaiming_normal"
ACTIVATION_DEFAULT = "relu"
COMPARE_DEFAULT = ("normal", "xavier_normal", "kaiming_normal")
TRAIN_DEFAULT = ("normal", "xavier_normal", "kaiming_normal", "torch_default")
SYMMETRY_RANDOM_DEFAULT = "xavier_normal"
TRAIN_STATE = "initializers.train.result"  # (request, curves) of the last Train click; not a widget key
PARAMS = {p.name: p for p in LAB_PARAMS}
p = charts.p


def _scale_text():
    tr = translator()  # bound now: Streamlit may call format_func outside the script run
    return lambda scale: tr(f"{FAMILY}.page.scale_{scale}", scale)


def network_settings() -> dict:
    values = {}
    for name in ("depth", "width", "batch"):
        values[name] = param_input(PARAMS[name], key(FAMILY, "lab", name), FAMILY, help=p(f"help_{name}"))
    for name in ("input", "norm"):
        values[name] = param_input(PARAMS[name], key(FAMILY, "lab", name), FAMILY)
    values["residual"] = param_input(
        PARAMS["residual"], key(FAMILY, "lab", "residual"), FAMILY, help=p("help_residual")
    )
    return values


def activation_settings() -> tuple[str, dict, bool]:
    act_key = key(FAMILY, "lab", "activation")
    init(act_key, ACTIVATION_DEFAULT)
    activation = st.selectbox(p("activation"), lab_activations(), key=act_key, format_func=title_text("activations"))
    act_params = param_inputs(ACTIVATIONS.get(activation), "activations", "init")
    torch_name, tabulated = nonlinearity_for(activation)
    with user_errors():
        st.caption(p("gain_of", act=t_or(f"activations.{activation}.title", activation), torch=torch_name,
                     gain=f"{gain(torch_name, act_params.get('negative_slope')):.4g}")
                   + ("" if tabulated else " " + p("gain_borrowed")))  # fmt: skip
    recommended = param_input(PARAMS["recommended_gain"], key(FAMILY, "lab", "recommended_gain"), FAMILY,
                              help=p("help_recommended_gain"))  # fmt: skip
    return activation, act_params, recommended


def about(name: str, init_params: dict, common: dict) -> None:
    entry = INITIALIZERS.get(name)
    with st.expander(p("about", name=entry_title(FAMILY, name)), expanded=True):
        explain(FAMILY, entry)
        try:  # a bad value is reported once, in the lab below; here the numbers are just left out
            probe = LabConfig(name, tuple(sorted(init_params.items())), common["activation"],
                              tuple(sorted(common["activation_params"].items())),
                              width=max(1, int(common["width"] or 1)), recommended_gain=common["recommended_gain"])  # fmt: skip
            theory = entry.theory((probe.width, probe.width), **probe.init_values())
            st.caption(p("theory_std", width=probe.width, std=f"{theory.std:.4g}", mean=f"{theory.mean:.4g}"))
        except UserError:
            pass


def flow_tab(name: str, init_params: dict, common: dict, dev: str) -> None:
    config = result = None
    with user_errors():
        config = LabConfig.make(name, init_params, **common)
        result = cache.lab_pass(config, dev, True)
    if result is None:  # invalid settings: the message alone, no section waits for a chart that never comes
        return
    st.subheader(p("verdict"))
    charts.show_verdict(result)
    m = st.columns(4)
    m[0].metric(p("loss"), f"{result.loss:.4g}")
    m[1].metric(p("input_std"), f"{result.input_std:.3g}")
    m[2].metric(p("last_act_std"), f"{result.act_std[-1]:.3g}")
    ratio = p("ratio_none") if result.grad_ratio is None else f"{result.grad_ratio:.3g}"
    m[3].metric(p("grad_ratio"), ratio, help=p("help_grad_ratio"))
    charts.explain_blanks(result.blanks)
    show(cache.flow_chart("layers", lang(), config, dev), key="init-layers")
    with st.expander(p("table_header")):
        table(charts.stats_table(result))
    fractions = cache.flow_chart("fractions", lang(), config, dev)
    if fractions is not None:
        show(fractions, key="init-fractions")
        st.caption(p("fractions_caption"))
    st.subheader(p("heat_header"))
    scale_key = key(FAMILY, "lab", "scale")
    init(scale_key, "log")
    scale = st.radio(p("scale"), ["linear", "log"], key=scale_key, horizontal=True, format_func=_scale_text())
    for col, (signal, short) in zip(st.columns(2), (("activations", "act"), ("gradients", "grad")), strict=True):
        with col:
            show(cache.flow_chart("heat", lang(), config, dev, (signal, scale)), key=f"init-heat-{short}")
    st.caption(p("heat_caption"))
    weights_section(config, dev)
    with st.expander(p("verdict_rules")):
        st.markdown(p("verdict_rules_text"))


def weights_section(config: LabConfig, dev: str) -> None:
    st.subheader(p("weights_header"))
    layer_key = key(FAMILY, "lab", "layer")
    init(layer_key, 1)
    st.session_state[layer_key] = max(1, min(int(st.session_state[layer_key]), config.depth))
    layer = st.slider(p("layer"), 1, config.depth, key=layer_key) if config.depth > 1 else 1
    show(cache.flow_chart("weights", lang(), config, dev, layer), key="init-weights")
    view = cache.weights(config, dev, layer)
    st.caption(p("weights_caption", mean=f"{view.mean:.4g}", std=f"{view.std:.4g}", tmean=f"{view.theory.mean:.4g}",
                 tstd=f"{view.theory.std:.4g}"))  # fmt: skip


def compare_tab(common: dict, dev: str) -> None:
    st.markdown(p("compare_intro"))
    chosen = choose_many(INITIALIZERS, FAMILY, "cmp", label_key=f"{FAMILY}.page.compare_pick", default=COMPARE_DEFAULT)
    cmp_params = entry_params(INITIALIZERS, FAMILY, chosen, "cmp", side_by_side=True)
    with user_errors():
        check_count(len(chosen), *COMPARE_RANGE)
        configs = tuple(LabConfig.make(n, cmp_params[n], **common) for n in chosen)
        show(cache.compare_chart(lang(), configs, dev), key="init-compare")
        for col, config in zip(st.columns(len(configs)), configs, strict=True):
            col.markdown(f"**{entry_title(FAMILY, config.initializer)}**")
            charts.show_verdict(cache.lab_pass(config, dev, False), col, brief=True)


def symmetry_tab(activation: str, act_params: dict) -> None:
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
    acts = tuple(sorted(act_params.items()))
    with user_errors():
        runs = tuple((n, tuple(sorted(ps.items())), activation, acts, steps, seed())
                     for n, ps in (("constant", const_params), (random_name, random_params)))  # fmt: skip
        pairs, spread = cache.symmetry_charts(lang(), runs)
        for index, (col, fig, run) in enumerate(zip(st.columns(2), pairs, runs, strict=True)):
            with col:
                show(fig, key=f"init-sym-{index}")
                st.metric(p("spread"), f"{cache.symmetry(*run).spread[-1]:.3g}", help=p("help_spread"))
        show(spread, key="init-sym-spread")
        st.caption(p("symmetry_caption"))


def train_tab(activation: str, act_params: dict, recommended: bool) -> None:
    st.markdown(p("train_intro"))
    picked = choose_many(INITIALIZERS, FAMILY, "train", label_key=f"{FAMILY}.page.train_pick", default=TRAIN_DEFAULT)
    train_settings = {param.name: param_input(param, key(FAMILY, "train", param.name), FAMILY, where=col)
                      for col, param in zip(st.columns(3), TRAIN_PARAMS, strict=True)}  # fmt: skip
    train_params = entry_params(INITIALIZERS, FAMILY, picked, "train", side_by_side=True)
    with user_errors():
        check_count(len(picked), 1, TRAIN_MAX_INITS)
        inits = tuple((n, tuple(sorted(INITIALIZERS[n].resolve(train_params[n]).items()))) for n in picked)
        acts = tuple(sorted(ACTIVATIONS.get(activation).values(act_params).items()))
        request = (inits, activation, acts, tuple(sorted(train_settings.items())), recommended, seed())
        if st.button(p("train_button"), type="primary", key="initializers-train"):
            with st.spinner(p("training")):
                st.session_state[TRAIN_STATE] = (request, cache.train(*request))
        done = st.session_state.get(TRAIN_STATE)
        if done is None or done[0] != request:
            st.info(p("train_press"))
            return
        names = [entry_title(FAMILY, c.init) for c in done[1]]
        show(charts.training(done[1], names), key="init-train")
        table(charts.train_table(done[1], names))
        st.caption(p("train_caption"))


@st.fragment
def lab() -> None:
    """Every control feeds the four tabs, so the whole lab is one section; its results are cached per input."""
    c_init, c_act, c_net = st.columns(3, gap="large")
    with c_init:
        st.subheader(p("initializer"))
        name = choose(INITIALIZERS, FAMILY, "lab", label_key=f"{FAMILY}.page.initializer", default=MAIN_DEFAULT)
        init_params = param_inputs(INITIALIZERS.get(name), FAMILY, "lab")
    with c_act:
        st.subheader(p("activation"))
        activation, act_params, recommended = activation_settings()
    with c_net:
        st.subheader(p("network"))
        settings = network_settings()
    common = {"activation": activation, "activation_params": act_params, "recommended_gain": recommended,
              "seed": seed(), **settings}  # fmt: skip
    about(name, init_params, common)
    tab_flow, tab_compare, tab_symmetry, tab_train = st.tabs([p(f"tab_{n}") for n in ("flow", "compare", "symmetry",
                                                                                       "train")])  # fmt: skip
    dev = str(device())
    with tab_flow:
        flow_tab(name, init_params, common, dev)
    with tab_compare:
        compare_tab(common, dev)
    with tab_symmetry:
        symmetry_tab(activation, act_params)
    with tab_train:
        train_tab(activation, act_params, recommended)


def main() -> None:
    st.title(t("nav.initializers.title"))
    st.markdown(p("intro"))
    lab()


main()
