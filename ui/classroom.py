"""The classroom in the UI: who may control training, and the sidebar that says so.

Every control that starts, steers, stops or deletes training goes through `button` (or
asks `is_instructor`), so a student's page shows it disabled, and a click that arrives
anyway does nothing.
"""

from __future__ import annotations

import os

import streamlit as st

from core import classroom, settings

CODE_KEY = "classroom.code"
STUDENT_HELP = "Only the instructor can do this (see the sidebar)."


@st.cache_resource(show_spinner=False)
def announce_code() -> str:
    """Print the instructor code in the server's terminal once (for a server started without
    `python -m core serve`, which prints it itself)."""
    code = classroom.instructor_code()
    if not os.environ.get(settings.INSTRUCTOR_CODE_ENV):
        print(f"Neural Canvas instructor code: {code}", flush=True)
    return code


def is_instructor() -> bool:
    """Say whether this session may control training."""
    address = st.context.ip_address
    if not isinstance(address, str):  # None on loopback (AppTest hands over a stand-in object)
        address = None
    return classroom.is_instructor(address, st.session_state.get(CODE_KEY))


def button(label: str, where=st, **kwargs) -> bool:
    """A button only the instructor can press: disabled, with a reason, for students."""
    allowed = is_instructor()
    if not allowed:
        kwargs["disabled"], kwargs["help"] = True, STUDENT_HELP
    return bool(where.button(label, **kwargs)) and allowed


def confirmed_button(label: str, question: str, key: str, where=st, **kwargs) -> bool:
    """An instructor's button that asks before it acts: the first click puts `question`
    with Yes and Cancel; True once Yes is pressed."""
    asking = f"{key}.asking"
    if not st.session_state.get(asking):
        if button(label, where, key=key, **kwargs):
            st.session_state[asking] = True
            st.rerun()
        return False
    where.warning(question)
    yes_col, no_col = where.columns(2)
    if button("Yes", yes_col, key=f"{key}.yes", type="primary"):
        st.session_state[asking] = False
        return True
    if no_col.button("Cancel", key=f"{key}.no"):
        st.session_state[asking] = False
        st.rerun()
    return False


def sidebar() -> None:
    """Say who can reach this server and who controls it; let the instructor sign in."""
    announce_code()
    address, port = st.get_option("server.address"), st.get_option("server.port")
    urls = classroom.share_urls(address, port)
    if urls:
        st.caption("Shared on the network: anyone who can reach this computer can open "
                   + " or ".join(f"`{url}`" for url in urls) + ".")
    else:
        st.caption("Only this computer can open the app (`make run HOST=0.0.0.0` shares it "
                   "with a class).")
    if is_instructor():
        if urls or st.session_state.get(CODE_KEY):
            st.caption(":material/school: You are the instructor: you control training.")
        return
    st.caption(":material/visibility: Student view: draw and watch; training is the "
               "instructor's.")
    with st.popover("I am the instructor", icon=":material/key:"):
        entered = st.text_input("Instructor code (printed in the server's terminal)",
                                type="password", key="classroom.entered")
        if entered:
            if classroom.code_matches(entered):
                st.session_state[CODE_KEY] = entered
                st.rerun()
            st.error("That is not the instructor code.")
