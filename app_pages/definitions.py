"""Definitions: every measure as its code defines it, the data contract and the rule changes."""

import streamlit as st

from stalking_profile import contract, recording_rules, ui
from stalking_profile.measures.methods import METHODS
from stalking_profile.measures.registry import definitions

st.title("Definitions")
st.caption("Generated from the code that computes each figure, so the two cannot drift apart.")

measures_tab, methods_tab, changes_tab, contract_tab = ui.page_tabs(
    ["Measures", "Statistical methods", "Counting-rule and law changes", "Data contract"]
)
if measures_tab.open:
    with measures_tab:
        for section, rows in definitions().group_by("section", maintain_order=True):
            st.header(section[0])
            st.markdown(  # one element a section: the browser draws a page of ~100 faster
                "\n\n".join(
                    f"**`{row['measure']}`** ({row['module']}) — {row['definition']}"
                    for row in rows.iter_rows(named=True)
                )
            )

if methods_tab.open:
    with methods_tab:
        st.markdown(
            "\n\n".join(
                f"**{method.name}** ({method.used_for}): {method.how} *{method.reference}.*"
                for method in METHODS
            )
        )

if changes_tab.open:
    with changes_tab:
        st.caption("Counting-rule and law changes marked on trends.")
        ui.show_table(
            recording_rules.every_change().drop("offence_types"),
            labels={"label": "Change"},
        )

if contract_tab.open:
    with contract_tab:
        st.markdown(contract.data_dictionary_markdown())
