"""The indicator registry: one declaration per indicator, read by every place that shows it."""

from __future__ import annotations

import inspect

import polars as pl

from stalking_profile.db import Gateway
from stalking_profile.measures import (
    contact,
    demographics,
    headline,
    hotspots,
    indicators,
    orders,
    outcomes,
    prioritisation,
    quality,
    rates,
    registry,
    repeats,
    risk,
    scorecard,
    spc,
    volumes,
)

MEASURE_MODULES = (
    *(headline, outcomes, quality, risk, scorecard, spc, volumes, rates, hotspots),
    *(repeats, orders, contact, prioritisation, demographics),
)
NOT_MEASURES = {
    quality.indicators_for,
    prioritisation.read_harm_index,
}  # which indicators fit a filter: a choice, not a figure


def test_every_registered_column_exists_in_its_mart(demo_gateway: Gateway) -> None:
    columns = set(demo_gateway.sql("SELECT * FROM offence_summary LIMIT 0").columns)
    for indicator in indicators.INDICATORS:
        assert indicator.column in columns, indicator.key


def test_keys_are_unique_and_definitions_say_what_is_counted() -> None:
    keys = [indicator.key for indicator in indicators.INDICATORS]
    assert len(keys) == len(set(keys))
    for indicator in indicators.INDICATORS:
        assert "offences" in indicator.definition, indicator.key
        if indicator.is_rate:
            assert " / " in indicator.definition or " over " in indicator.definition, indicator.key


def test_every_place_reads_the_registry(tiny_gateway: Gateway) -> None:
    """What each consumer outputs is the registry's list: the headline rates, the scorecard
    rows, the risk flags and the outcome rates (a consumer with its own list fails here)."""
    from datetime import date

    from stalking_profile import queries
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("A", "B", "C"))
    counts = queries.offence_counts(tiny_gateway, flt)
    shown = headline.headline_indicators(counts, counts, "domestic").filter(
        pl.col("kind") == "rate"
    )
    expected = [i for i in indicators.shown_in("headline") if i.is_rate]
    assert shown["indicator"].to_list() == [i.key for i in expected]
    assert shown["definition"].to_list() == [i.definition for i in expected]
    monthly = scorecard.monthly_indicators(counts, flt.start_month, flt.end_month)
    assert monthly["indicator"].unique(maintain_order=True).to_list() == sorted(
        i.key for i in indicators.shown_in("scorecard")
    )
    flags = risk.flag_rates_by_district(counts, ["A", "B", "C"])
    assert set(flags["label"]) == {i.label for i in indicators.shown_in("flags")}
    outcome_rates = outcomes.outcome_rates_by_category(counts)
    assert set(outcome_rates["label"]) == {i.label for i in indicators.shown_in("outcomes")}


def test_every_public_measure_is_registered() -> None:
    """Every public function of a measure module that returns a figure is listed for the
    Definitions page (or is a registered indicator's helper)."""
    listed = {function for _, function in registry.MEASURES}
    unlisted = []
    for module in MEASURE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if function not in listed and function not in NOT_MEASURES:
                unlisted.append(f"{module.__name__}.{name}")
    assert unlisted == []
