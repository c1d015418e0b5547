"""The floor for the browser benchmark: a bare Streamlit page with one Plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
st.plotly_chart(go.Figure(go.Bar(x=list(range(12)), y=list(range(12)))), theme=None)
