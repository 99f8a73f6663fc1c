"""Neural Canvas core: all computation, importable without Streamlit."""
