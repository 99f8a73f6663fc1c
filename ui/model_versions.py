"""The model store's versions, on Home: every kept version of a model (when, how long, how
good), which one is in use, and the instructor's button to put another one in use."""

from __future__ import annotations

import time

import streamlit as st

from core import settings, store
from core.inference import denoise
from ui import classroom, runtime


def when(card: store.Card) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(card.trained_at))


def render_versions(cards: list[store.Card]) -> None:
    """Pick a model; see its versions; put one in use."""
    st.markdown("**Versions**")
    if not cards:
        st.caption("Every model's earlier versions appear here once it has been trained.")
        return
    models = sorted((card.name, card.dataset) for card in cards)
    name, dataset = st.selectbox("Versions of", models, key="home.versions.model",
                                 format_func=lambda model: f"{model[0]} ({model[1]})")
    kept, in_use = store.versions(name, dataset), store.read_card(name, dataset)
    if in_use is None or not kept:
        st.caption("It is not in the store any more.")
        return
    st.dataframe(
        [{"in use": "✓" if card.file == in_use.file else "", "trained": when(card),
          "training time": runtime.format_seconds(card.train_seconds),
          "measured": denoise.headline(card), "recipe": "quick" if card.quick else "full",
          "version": card.version} for card in kept],
        hide_index=True, width="stretch")
    st.caption(f"The store keeps the newest {settings.max_versions()} versions of each model "
               "and the one in use, within "
               f"{settings.store_budget_bytes() / 1e9:g} GB for the whole store. A new "
               "version that measures worse than the one in use is kept but not put in use.")
    by_version = {card.version: card for card in kept}
    choice_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    chosen = choice_col.selectbox(
        "Version", list(by_version), key=f"home.versions.choice.{name}.{dataset}",
        format_func=lambda v: f"{when(by_version[v])} · {denoise.headline(by_version[v])}")
    current = by_version[chosen].file == in_use.file
    if classroom.button("Put it in use", button_col, key="home.versions.use",
                        icon=":material/restore:", disabled=current,
                        help="It is the one in use." if current else None):
        store.use(name, dataset, chosen)
        st.toast(f"{name}: the version trained {when(by_version[chosen])} is now in use.",
                 icon=":material/restore:")
        st.rerun()
