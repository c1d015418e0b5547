"""The floor for the browser benchmark: a bare Streamlit app with one Plotly chart a page, two
pages and, in its sidebar, one widget of each kind the dashboard's filters use (a segmented
control, a select box and a multiselect), so every move the benchmark times on the dashboard is
timed here too. The caption says the choices, as the dashboard's pages say their filter."""

import plotly.graph_objects as go
import streamlit as st


def _page(title: str):
    def render() -> None:
        st.title(title)
        choice, month, items = (st.session_state[k] for k in ("choice", "month", "items"))
        st.caption(f"Choice {choice}, {', '.join(items)}, to {month}")
        n = 12 + len(items) + (choice == "B")
        st.plotly_chart(go.Figure(go.Bar(x=list(range(n)), y=list(range(n)))), theme=None)

    return render


with st.sidebar:
    st.segmented_control("Choice", ["A", "B"], default="A", required=True, key="choice")
    st.selectbox("Month", [f"Month {i}" for i in range(1, 25)], index=23, key="month")
    st.multiselect("Items", ["P", "Q", "R"], default=["P", "Q", "R"], key="items")
st.navigation(
    [
        st.Page(_page("Bare page"), title="Bare page", url_path="bare", default=True),
        st.Page(_page("Second page"), title="Second page", url_path="second"),
    ]
).run()
