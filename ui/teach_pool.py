"""The Teach page's examples: the classes, drawing and labelling examples, the gallery per
class, and the pool's export, import and clearing."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import classroom
from core.data import image_grid, symbol_pool, symbols
from ui import classroom as roles
from ui import inputs, trash_view

CANVAS = "teach.draw"
GALLERY = 30  # the newest examples shown per class
GALLERY_COLUMNS = 10
FILL_PER_CLASS = 10
MY_OWN = "My own"


@st.cache_data(max_entries=2, show_spinner=False)
def read_pool(version: tuple[int, ...]) -> symbol_pool.Pool:
    """The pool, read again only when it changed (`version` keys the cache)."""
    del version
    return symbol_pool.read()


@st.cache_data(max_entries=2, show_spinner=False)
def exported(version: tuple[int, ...]) -> bytes:
    del version
    return symbol_pool.export_npz()


def current() -> symbol_pool.Pool:
    return read_pool(symbol_pool.version())


def classes_editor(pool: symbol_pool.Pool) -> None:
    """The instructor names the classes (a preset or their own); students see them."""
    chips = " · ".join(f"**{name}**" for name in pool.classes)
    if not roles.is_instructor():
        st.markdown(f"**The classes:** {chips} (the instructor chooses them)")
        return
    with st.expander(f"The classes: {chips}", expanded=not len(pool),
                     icon=":material/category:"):
        preset_col, names_col, set_col = st.columns([1, 2.2, 1], vertical_alignment="bottom")
        if "teach.names" not in st.session_state:
            show_preset(pool.classes)
        preset_col.selectbox("Preset", [*symbols.PRESETS, MY_OWN], key="teach.preset",
                             on_change=show_preset, args=(pool.classes,),
                             help="Letters: type the ones you want in the box.")
        text = names_col.text_input(  # one field whose text follows the preset: a field per
            # preset would leave the old one on screen beside the new one while the page reruns
            f"{symbols.MIN_CLASSES} to {symbols.MAX_CLASSES} class names, separated by commas",
            key="teach.names",
            help="Examples keep their class by name: the examples of a class you drop are "
                 "hidden, not lost, and come back if you name it again.")
        if set_col.button("Use these classes", key="teach.set_classes", type="primary"):
            try:
                symbol_pool.set_classes(symbols.parse_classes(text))
            except ValueError as error:
                st.error(str(error))
                return
            st.rerun()


def show_preset(classes: tuple[str, ...]) -> None:
    """Put the chosen preset's names (the pool's own for "My own") in the names field."""
    preset = st.session_state.get("teach.preset", next(iter(symbols.PRESETS)))
    st.session_state["teach.names"] = ", ".join(symbols.PRESETS.get(preset, classes))


def collect(pool: symbol_pool.Pool) -> None:
    """A canvas and one button per class that adds the drawing as an example of it."""
    image, _, message = inputs.canvas(CANVAS, prompt="Draw one of the symbols, then press "
                                                     "its button below.")
    instructor = roles.is_instructor()
    allowed = instructor or st.toggle(
        "Send my drawings to the class's examples", key="teach.share",
        help="Only the 28x28 image and the class you pick are kept, with a random id.")
    # Always there, so the buttons keep their place: else a stroke's rerun shows the new row of
    # buttons beside the old one until it ends.
    st.caption(message or "")
    columns = st.columns(min(5, len(pool.classes)))
    for index, name in enumerate(pool.classes):
        if columns[index % len(columns)].button(
                name, key=f"teach.add.{index}", disabled=image is None or not allowed,
                use_container_width=True, help=f"Add this drawing as an example of {name}"):
            add(image, name)
    if instructor and symbols.drawable(pool.classes):
        if st.button(f"Add {FILL_PER_CLASS} computer-drawn examples of each",
                     key="teach.fill", icon=":material/auto_fix_high:",
                     help="Drawn by a synthetic hand (random strokes, pens, sizes, places "
                          "and rotations), to try the page without a class."):
            fill(pool.classes)


def add(image: np.ndarray, name: str) -> None:
    try:
        st.session_state["teach.last_sent"] = symbol_pool.add(
            image, name, st.session_state.get("teach.last_sent"))
    except ValueError as error:  # TooSoon and PoolFull too
        st.warning(str(error))
        return
    inputs.clear_canvas(CANVAS)
    st.toast(f"Added as {name}.", icon=":material/add_task:")
    st.rerun()


def fill(names: tuple[str, ...]) -> None:
    rng = np.random.default_rng()
    try:
        for _ in range(FILL_PER_CLASS):
            for name in names:
                symbol_pool.add(symbols.draw(name, rng), name)
    except classroom.PoolFull as error:
        st.warning(str(error))
        return
    st.rerun()


def gallery(pool: symbol_pool.Pool) -> None:
    """The newest examples of each class as one numbered picture, and for the instructor a
    picker of numbers to delete. One picture and one picker per class, not an image and a
    button per example, which with 150 examples cost 84-140 ms of server CPU per rerun (now
    25-38 ms), and every student's stroke reruns the page."""
    counts = pool.counts()
    version = symbol_pool.version()  # once: it counts the pool file's lines
    tabs = st.tabs([f"{name} ({count})" for name, count in zip(pool.classes, counts,
                                                                  strict=True)])
    for label, tab in enumerate(tabs):
        with tab:
            if not counts[label]:
                st.caption("No examples yet: draw one and press its button.")
                continue
            shown = f"The newest {GALLERY} of {counts[label]}" if counts[label] > GALLERY \
                else "All of them"
            st.image(examples_picture(version, label),
                     caption=f"{shown}, newest first, numbered in the order they came.")
            if roles.is_instructor():
                delete_picker(label, newest(pool, label))


def newest(pool: symbol_pool.Pool, label: int) -> dict[int, str]:
    """A class's newest examples, newest first: each one's number (its place in the class,
    oldest first, so a new example never renumbers the others) and its id."""
    members = np.flatnonzero(pool.labels == label)
    numbers = range(len(members), max(0, len(members) - GALLERY), -1)
    return {number: pool.ids[members[number - 1]] for number in numbers}


@st.cache_data(max_entries=20, show_spinner=False)
def examples_picture(version: tuple[int, ...], label: int) -> np.ndarray:
    """A class's newest examples, numbered, as one picture (the pool's `version` keys it)."""
    del version
    pool = symbol_pool.read()
    shown = newest(pool, label)
    images = pool.images[np.flatnonzero(pool.labels == label)[[n - 1 for n in shown]]]
    return image_grid.tile(images, GALLERY_COLUMNS, scale=2, numbers=list(shown))


def delete_picker(label: int, shown: dict[int, str]) -> None:
    """Pick examples by their numbers in the picture and delete them."""
    key = f"teach.pick.{label}"
    picked = st.pills("Delete examples by number", list(shown), selection_mode="multi",
                      key=key, help="Choose the numbers of the examples to drop (a stray "
                                    "line, the wrong class), then press Delete.")
    st.button(f"Delete {len(picked)} chosen" if picked else "Delete",
              key=f"teach.delete.{label}", disabled=not picked, icon=":material/delete:",
              on_click=delete_picked, args=(key, shown))


def delete_picked(key: str, shown: dict[int, str]) -> None:
    """Delete the examples whose numbers are picked, as the page numbered them."""
    for number in st.session_state.get(key) or ():
        if number in shown:
            symbol_pool.remove(shown[number])
    st.session_state[key] = []


def manage(pool: symbol_pool.Pool) -> None:
    """Export, import and clear the pool."""
    export_col, import_col, clear_col = st.columns([1, 1.6, 1])
    export_col.download_button(
        "Export the examples (.npz)", exported(symbol_pool.version()),
        file_name="neural-canvas-symbols.npz", mime="application/octet-stream",
        key="teach.export", icon=":material/download:", disabled=not len(pool),
        help="A plain .npz of images (n, 28, 28) uint8, labels (n,) and classes: prepare a "
             "pool at home and import it in the lecture.")
    with import_col:
        upload = st.file_uploader("Import examples (.npz)", type=["npz"], key="teach.import",
                                  disabled=not roles.is_instructor(),
                                  help="Sets the classes to the file's and adds its examples.")
        if upload is not None and roles.button("Import them", key="teach.import.go"):
            try:
                added = symbol_pool.import_npz(upload.getvalue())
            except ValueError as error:
                st.error(f"Not imported: {error}")
            else:
                st.success(f"Imported {added:,} examples.")
    with clear_col:
        if roles.confirmed_button("Clear the examples", "Clear every example? They go to the "
                                  "trash, from where Undo or Home can put them back.",
                                  key="teach.clear", icon=":material/delete:"):
            trash_view.remember("teach.cleared", symbol_pool.clear())
            st.rerun()
        trash_view.offer_undo("teach.cleared")
    st.caption(f"{symbol_pool.count():,} of at most {symbol_pool.MAX_EXAMPLES:,} examples kept "
               "(28x28 images and their class, nothing else).")
