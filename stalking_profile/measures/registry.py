"""The list of measures the pages show, so the Definitions page is generated from the code
that computes them and the two cannot drift apart."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import polars as pl

from stalking_profile.measures import headline, outcomes, rates, risk, scorecard, spc, volumes

MEASURES: tuple[tuple[str, Callable], ...] = (
    ("Volumes", volumes.offence_total),
    ("Volumes", volumes.monthly_counts),
    ("Volumes", volumes.monthly_by_category),
    ("Volumes", volumes.rolling_12m),
    ("Volumes", volumes.district_category_counts),
    ("Volumes", volumes.district_period_table),
    ("Volumes", volumes.poisson_change_p_value),
    ("Headline", headline.domestic_offences),
    ("Headline", headline.non_domestic_offences),
    ("Headline", headline.domestic_share),
    ("Headline", headline.arrest_rate),
    ("Headline", headline.outcome_1_8_rate),
    ("Headline", headline.outcome_16_rate),
    ("Headline", headline.dash_completion_rate),
    ("Headline", headline.cyber_flag_rate),
    ("Outcomes", outcomes.outcome_table),
    ("Outcomes", outcomes.outcome_rates_by_category),
    ("Outcomes", outcomes.outcome_group_table),
    ("Outcomes", outcomes.median_days_to_outcome),
    ("Risk and flags", risk.flag_rates_by_district),
    ("Risk and flags", risk.domestic_comparison),
    ("Risk and flags", risk.dash_risk_mix),
    ("Risk and flags", risk.monthly_flag_rates),
    ("Statistical process control", spc.xmr),
    ("Statistical process control", spc.variation),
    ("Statistical process control", scorecard.monthly_indicators),
    ("Statistical process control", scorecard.scorecard),
    ("Uncertainty", rates.wilson_interval),
    ("Uncertainty", rates.two_proportion_p_value),
)


def definitions() -> pl.DataFrame:
    """One row per measure: section, function, and its definition (the docstring without
    doctest examples)."""
    rows = []
    for section, function in MEASURES:
        kept: list[str] = []
        for line in (inspect.getdoc(function) or "").splitlines():
            if line.strip().startswith(">>>"):
                break
            kept.append(line.strip())
        rows.append(
            {
                "section": section,
                "measure": function.__name__,
                "module": function.__module__.removeprefix("stalking_profile."),
                "definition": " ".join(line for line in kept if line),
            }
        )
    return pl.DataFrame(rows)
