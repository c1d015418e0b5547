"""The indicator registry: one declaration per indicator, read by every place that shows it."""

from __future__ import annotations

import inspect

from stalking_profile.db import Gateway
from stalking_profile.measures import (
    headline,
    hotspots,
    indicators,
    outcomes,
    quality,
    rates,
    registry,
    risk,
    scorecard,
    spc,
    volumes,
)

MEASURE_MODULES = (headline, outcomes, quality, risk, scorecard, spc, volumes, rates, hotspots)
NOT_MEASURES = {quality.indicators_for}  # which indicators fit a filter: a choice, not a figure


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


def test_every_place_reads_the_registry() -> None:
    assert [i.key for i in scorecard.INDICATORS] == [
        i.key for i in indicators.shown_in("scorecard")
    ]
    assert indicators.flag_labels() == risk.FLAGS
    assert {i.key for i in indicators.shown_in("headline")} <= {
        i.key for i in indicators.INDICATORS
    }


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
