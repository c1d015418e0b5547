"""The Perpetrator prioritisation page's controls: the window and the score's weights, each
shown and editable (no published weight matrix exists)."""

from __future__ import annotations

import streamlit as st

from stalking_profile.measures.prioritisation import (
    BREACH_POINTS,
    RISK_POINTS,
    Weights,
    read_harm_index,
)


def _weight(label: str, key: str, value: float, help_text: str) -> float:
    return float(st.number_input(label, 0.0, 10.0, value, 0.5, key=f"prio_{key}", help=help_text))


def weights_editor() -> tuple[int, Weights]:
    """The months looked back and the weights chosen on the page (defaults: 12 months, every
    factor 1, DASH risk points high 3, medium 2, standard or none 1, a breach 2)."""
    with st.expander("Window and weights", icon=":material/tune:", expanded=False):
        months = int(st.number_input("Months looked back", 1, 60, 12, key="prio_months"))
        left, right = st.columns(2)
        with left:
            factors = {
                name: _weight(name.capitalize(), name, 1.0, text)
                for name, text in (
                    ("recency", "How recent the suspect's last offence is"),
                    ("frequency", "How many offences name the suspect"),
                    ("gravity", "How serious their offences and breaches are"),
                    ("victims", "How many different victims (North Yorkshire's V)"),
                )
            }
        with right:
            basis = st.radio(
                "Gravity of an offence",
                ["DASH risk level", "Crime harm index (days)"],
                key="prio_basis",
            )
            risk = {
                level: _weight(
                    "Points: no DASH form" if level == "none" else f"Points: {level} risk",
                    level,
                    points,
                    "per offence",
                )
                for level, points in RISK_POINTS.items()
            }
            harm = _harm_index() if basis != "DASH risk level" else None
            if harm is None:
                breach = _weight("Points: a breach of an order", "breach", BREACH_POINTS, "")
            else:  # in the index's unit: 2 points beside 365 days of an 8Q offence weighed nothing
                breach = float(
                    st.number_input(
                        "Days: a breach of an order",
                        0.0,
                        100_000.0,
                        harm["8Q"],
                        key="prio_breach_days",
                        help="A breach weighs as many days as this: by default the index's "
                        "days for stalking (8Q): breaching an order is an offence (a DVPO's is "
                        "civil contempt, weighed the same here).",
                    )
                )
    try:
        weights = Weights(**factors, risk_points=risk, harm_days=harm, breach_points=breach)
    except ValueError as error:
        st.error(str(error))
        st.stop()
    return months, weights


def _harm_index() -> dict[str, float] | None:
    upload = st.file_uploader(
        "Harm index (CSV: ho_offence_code, days)",
        type=["csv"],
        key="prio_harm",
        help="Days per Home Office offence code, e.g. from the Cambridge Crime Harm Index "
        "table (Institute of Criminology): rows for 8Q, 8L, 8M and 8R.",
    )
    if upload is None:
        st.info("Upload the harm index to weigh offences by it; until then DASH risk is used.")
        return None
    try:
        return read_harm_index(upload.getvalue().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        st.error(f"The harm index was not used: {error}")
        return None
