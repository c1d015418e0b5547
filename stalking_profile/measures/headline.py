"""The Overview's headline figures for a filter, each defined once here."""

from __future__ import annotations

import math

import polars as pl

from stalking_profile.filters import Domestic, apply_domestic
from stalking_profile.measures.rates import Rate
from stalking_profile.measures.volumes import offence_total, poisson_change_p_value


def count_rate(counts: pl.DataFrame, column: str, small_denominator: int = 30) -> Rate:
    """The summed count column `column` (offences meeting a condition) over all offences in
    `counts` (a frame from queries.offence_counts)."""
    numerator = int(counts[column].sum()) if counts.height else 0
    return Rate(numerator, offence_total(counts), small_denominator)


def arrest_rate(counts: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """Arrest rate: offences with an arrest recorded / offences recorded in the period."""
    return count_rate(counts, "arrest_made", small_denominator)


def dash_completion_rate(counts: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """DASH completion: offences with a DASH risk assessment completed / offences recorded."""
    return count_rate(counts, "dash_completed", small_denominator)


def cyber_flag_rate(counts: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """Cyber-flag rate: offences flagged cyber-enabled / offences recorded in the period."""
    return count_rate(counts, "is_cyber", small_denominator)


def domestic_share(counts_all: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """DA share: domestic offences / all offences recorded in the period, for the filter's
    districts and offence types (shown only when DA and non-DA are both selected)."""
    return Rate(
        offence_total(counts_all.filter(pl.col("is_domestic"))),
        offence_total(counts_all),
        small_denominator,
    )


def outcome_1_8_rate(counts: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """Outcome 1-8 rate: offences whose latest outcome (as at the extract date) is type 1, 1A,
    2, 2A, 3, 3A, 4, 6, 7 or 8 - outcome 5 (offender died) excluded, as in the problem profile
    - over all offences recorded in the period, open ones included."""
    return count_rate(counts, "outcome_1_8", small_denominator)


def outcome_16_rate(counts: pl.DataFrame, small_denominator: int = 30) -> Rate:
    """Outcome 16 rate: offences whose latest outcome is 16 (victim does not support action,
    suspect identified) over all offences recorded in the period, open ones included."""
    return count_rate(counts, "outcome_16", small_denominator)


def domestic_offences(counts: pl.DataFrame) -> int:
    """DA offences: offences flagged domestic abuse recorded in the period, for the filter's
    districts and offence types."""
    return offence_total(counts.filter(pl.col("is_domestic")))


def non_domestic_offences(counts: pl.DataFrame) -> int:
    """Non-DA offences: offences not flagged domestic abuse recorded in the period, for the
    filter's districts and offence types."""
    return offence_total(counts.filter(~pl.col("is_domestic")))


RATE_INDICATORS = (
    ("arrest_rate", "Arrest rate", arrest_rate),
    ("outcome_1_8_rate", "Outcome 1-8 rate", outcome_1_8_rate),
    ("outcome_16_rate", "Outcome 16 rate", outcome_16_rate),
    ("dash_completion_rate", "DASH completion", dash_completion_rate),
    ("cyber_flag_rate", "Cyber-flag rate", cyber_flag_rate),
)


def headline_indicators(
    counts_all: pl.DataFrame,
    previous_all: pl.DataFrame,
    domestic: Domestic,
    small_denominator: int = 30,
) -> pl.DataFrame:
    """Every headline figure for a filter, one row each.

    `counts_all` and `previous_all` are count frames for the filter's period and the equal
    period before it, with both DA and non-DA rows; the filter's DA choice is applied here.
    With DA and non-DA together the DA and non-DA counts follow the total, with the DA share
    (kind "share"); with one of them chosen those rows are left out, since the total already
    is that count and a share of one part would mean nothing. Columns: indicator, label,
    kind (count, change, share, rate), value, numerator, denominator, lower, upper (95%
    Wilson), p_value (change only), is_small, definition (the measure's docstring).
    """
    current = apply_domestic(counts_all, domestic)
    previous = apply_domestic(previous_all, domestic)
    now, before = offence_total(current), offence_total(previous)
    rows: list[dict[str, object]] = [
        {
            "indicator": "offences",
            "label": "Offences",
            "kind": "count",
            "value": float(now),
            "numerator": now,
            "denominator": None,
            "lower": None,
            "upper": None,
            "p_value": None,
            "is_small": False,
            "definition": "Offences recorded in the period (by recorded date) for the filter.",
        },
        {
            "indicator": "change",
            "label": "Change on previous period",
            "kind": "change",
            "value": (now - before) / before if before else None,
            "numerator": now,
            "denominator": before,
            "lower": None,
            "upper": None,
            "p_value": None if math.isnan(p := poisson_change_p_value(now, before)) else p,
            "is_small": before < small_denominator,
            "definition": (
                "(offences this period - offences in the equal-length period before) / offences "
                "in the period before; p_value: exact conditional binomial test of equal rates."
            ),
        },
    ]
    if domestic == "all":
        for key, label, count_of in (
            ("da_offences", "DA offences", domestic_offences),
            ("non_da_offences", "Non-DA offences", non_domestic_offences),
        ):
            value = count_of(current)
            rows.append(
                {
                    "indicator": key,
                    "label": label,
                    "kind": "count",
                    "value": float(value),
                    "numerator": value,
                    "denominator": None,
                    "lower": None,
                    "upper": None,
                    "p_value": None,
                    "is_small": False,
                    "definition": " ".join((count_of.__doc__ or "").split()),
                }
            )
    shares = [("domestic_share", "DA share", domestic_share)] if domestic == "all" else []
    for key, label, function in [*shares, *RATE_INDICATORS]:
        rate = function(current, small_denominator)
        lower, upper = rate.interval
        rows.append(
            {
                "indicator": key,
                "label": label,
                "kind": "share" if key == "domestic_share" else "rate",
                "value": rate.value,
                "numerator": rate.numerator,
                "denominator": rate.denominator,
                "lower": None if math.isnan(lower) else lower,
                "upper": None if math.isnan(upper) else upper,
                "p_value": None,
                "is_small": rate.is_small,
                "definition": " ".join((function.__doc__ or "").split()),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "indicator": pl.String,
            "label": pl.String,
            "kind": pl.String,
            "value": pl.Float64,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "lower": pl.Float64,
            "upper": pl.Float64,
            "p_value": pl.Float64,
            "is_small": pl.Boolean,
            "definition": pl.String,
        },
    )
