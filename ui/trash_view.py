"""What was deleted: an Undo right after a deletion, and the trash on Home to put things
back or empty it for good."""

from __future__ import annotations

import time

import streamlit as st

from core import trash
from ui import classroom


def remember(key: str, item: trash.Item | None) -> None:
    """Keep a deletion in this session so `offer_undo` can offer to put it back."""
    st.session_state[key] = item.id if item is not None else None


def offer_undo(key: str) -> None:
    """Say where this session's last deletion went, with a button to put it back."""
    item = next((item for item in trash.items() if item.id == st.session_state.get(key)), None)
    if item is None:
        return
    text_col, undo_col = st.columns([4, 1], vertical_alignment="center")
    text_col.info(f"{item.title} went to the trash (Home can empty it).")
    if classroom.button("Undo", undo_col, key=f"{key}.undo", icon=":material/undo:"):
        put_back(item)


def put_back(item: trash.Item) -> None:
    try:
        trash.restore(item.id)
    except ValueError as error:
        st.error(str(error))
        return
    st.rerun()


def render_trash() -> None:
    """The trash: each deletion with a button to put it back, and one to empty it all."""
    found = trash.items()
    st.markdown("**Trash**")
    if not found:
        st.caption("Empty. Deleted lab runs and cleared class drawings wait here until "
                   "the trash is emptied.")
        return
    for item in found:
        text_col, restore_col = st.columns([4, 1], vertical_alignment="center")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.deleted_at))
        files = f"{len(item.files)} file{'s' if len(item.files) != 1 else ''}"
        text_col.markdown(f"{item.title} · deleted {when} · {files}")
        if classroom.button("Put back", restore_col, key=f"home.trash.restore.{item.id}",
                            icon=":material/restore_from_trash:"):
            put_back(item)
    if classroom.confirmed_button("Empty the trash", "Delete everything in the trash for "
                                  "good? This cannot be undone.", key="home.trash.empty",
                                  icon=":material/delete_forever:"):
        trash.empty()
        st.rerun()
