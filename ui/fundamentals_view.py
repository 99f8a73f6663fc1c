"""The lab's Fundamentals section: activations, gradient descent and optimizers, live."""

from __future__ import annotations

import streamlit as st

from core.figures import lab_plots
from core.scratch import fundamentals

CHART = {"displayModeBar": False}


def section() -> None:
    activations()
    st.divider()
    gradient_descent()
    st.divider()
    optimizers()


def activations() -> None:
    st.subheader("Activation functions")
    left, right = st.columns(2)
    with left:
        name = st.segmented_control("Function", list(fundamentals.ACTIVATIONS), default="relu",
                                    key="lab.fun.activation") or "relu"
        st.plotly_chart(lab_plots.activation(name), key="lab.fun.activation_chart", config=CHART)
    with right:
        st.markdown("**A million evaluations**: one element at a time in a Python loop (as "
                    "the report timed them) against one vectorised NumPy call.")
        if st.button("Time them on this machine", key="lab.fun.time", icon=":material/timer:"):
            with st.spinner("Timing four functions a million times each…"):
                st.session_state["lab.fun.timings"] = fundamentals.time_activations()
        seconds = st.session_state.get("lab.fun.timings")
        if seconds:
            st.plotly_chart(lab_plots.timings(seconds), key="lab.fun.timing_chart", config=CHART)
            st.dataframe([{"function": name, "report (s)": s["report"],
                           "Python loop here (s)": round(s["loop"], 4),
                           "NumPy here (s)": round(s["numpy"], 5),
                           "NumPy is faster by": f"{s['loop'] / s['numpy']:.0f}x"}
                          for name, s in seconds.items()], hide_index=True, width="stretch")
            st.caption("The report's tanh was 2 / (1 + e^(−x)) − 1, which is tanh(x/2); ours "
                       "is math.tanh. Inputs are spread over [−5, 5].")


def gradient_descent() -> None:
    st.subheader("Gradient descent on f(x) = (x − 3)²")
    controls, chart = st.columns([1, 2])
    with controls:
        rate = st.slider("Learning rate", 0.01, 1.1, 0.1, step=0.01, key="lab.fun.gd_rate")
        steps = st.slider("Steps", 1, 50, 15, key="lab.fun.gd_steps")
        start = st.slider("Start at x =", -10.0, 10.0, -2.0, step=0.5, key="lab.fun.gd_start")
        xs = fundamentals.descend(rate, start, steps)
        st.markdown(f"Each step: x ← x − {rate:g} · 2 (x − 3). After {steps} steps "
                    f"**x = {xs[-1]:.4g}** (the minimum is at 3).")
        if rate > 1:
            st.warning("Above 1 every step overshoots by more than it gains: it diverges.")
        elif rate == 1:
            st.info("At exactly 1 it jumps between the same two points for ever.")
        elif rate > 0.5:
            st.caption("Above 0.5 it overshoots the minimum and zig-zags in.")
    chart.plotly_chart(lab_plots.descent(xs), key="lab.fun.gd_chart", config=CHART)


def optimizers() -> None:
    st.subheader("Optimizers on a 2-D loss surface")
    controls, chart = st.columns([1, 2])
    with controls:
        name = st.selectbox("Surface", list(fundamentals.SURFACES), key="lab.fun.surface")
        surface = fundamentals.SURFACES[name]
        st.caption(surface.title)
        chosen = st.multiselect("Optimizers", list(fundamentals.OPTIMIZER_RATES),
                                default=list(fundamentals.OPTIMIZER_RATES), key="lab.fun.opts")
        steps = st.slider("Steps", 10, 300, 100, step=10, key="lab.fun.opt_steps")
        rates = {}
        with st.expander("Learning rates"):
            for optimizer, rate in fundamentals.OPTIMIZER_RATES.items():
                rates[optimizer] = st.select_slider(
                    optimizer, (0.001, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5), value=rate,
                    key=f"lab.fun.rate.{optimizer}")
    paths = {optimizer: fundamentals.trajectory(surface, optimizer, rates[optimizer], steps)
             for optimizer in chosen}
    chart.plotly_chart(lab_plots.trajectories(surface, paths), key="lab.fun.opt_chart",
                       config=CHART)
    if paths:
        controls.dataframe([{"optimizer": o, "loss at the end":
                             float(surface.loss(*path[-1])), "steps taken": len(path) - 1}
                            for o, path in paths.items()], hide_index=True, width="stretch")
