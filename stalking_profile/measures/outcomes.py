"""Outcomes: each offence's latest outcome as at the extract date, tabulated and as rates."""

from __future__ import annotations

import polars as pl

from stalking_profile.measures.rates import Rate
from stalking_profile.measures.volumes import FORCE, offence_total

OPEN_LABEL = "(blank)"
# Outcomes 1-8 as the problem profile counts them: charge/summons, cautions, TIC, penalty
# notices, cannabis/khat warnings and community resolutions, WITHOUT outcome 5 (offender died),
# which the Home Office groups with prosecution prevented. 154 of 5,668 = 2.7% in the profile.
OUTCOME_1_8_CODES: tuple[str, ...] = ("1", "1A", "2", "2A", "3", "3A", "4", "6", "7", "8")


def outcome_rate(counts: pl.DataFrame, codes: tuple[str, ...], small_denominator: int = 30) -> Rate:
    """Offences whose latest outcome (as at the extract date) has one of `codes`, over all
    offences in `counts` (recorded in the period, open ones included)."""
    numerator = offence_total(counts.filter(pl.col("outcome_code").is_in(list(codes))))
    return Rate(numerator, offence_total(counts), small_denominator)


def outcome_table(
    counts: pl.DataFrame, outcome_types: pl.DataFrame, district_codes: list[str]
) -> pl.DataFrame:
    """Offences by latest outcome x district, in the problem profile's shape.

    One row per outcome key present (in the framework's order), then "(blank)" for offences
    with no outcome yet, then "Totals"; one column per district and a Force column. Counts
    offences recorded in the period by their latest outcome on or before the extract date.
    """
    keyed = counts.with_columns(pl.col("outcome_key").fill_null(OPEN_LABEL))
    wide = (
        keyed.group_by("outcome_key", "district_code")
        .agg(pl.col("offences").sum())
        .pivot(on="district_code", index="outcome_key", values="offences")
    )
    for code in district_codes:
        if code not in wide.columns:
            wide = wide.with_columns(pl.lit(0, dtype=pl.Int64).alias(code))
    labels = outcome_types.select("outcome_key", "outcome_code", "label", "sort_order").vstack(
        pl.DataFrame(
            {
                "outcome_key": [OPEN_LABEL],
                "outcome_code": [""],
                "label": [OPEN_LABEL],
                "sort_order": [10**6],
            },
            schema=outcome_types.select(
                "outcome_key", "outcome_code", "label", "sort_order"
            ).schema,
        )
    )
    body = (
        wide.join(labels, on="outcome_key", how="left")
        .with_columns(pl.col(code).fill_null(0).cast(pl.Int64) for code in district_codes)
        .with_columns(pl.sum_horizontal(district_codes).alias(FORCE))
        .sort("sort_order")
        .select("outcome_key", "outcome_code", "label", *district_codes, FORCE)
    )
    totals = body.select(
        pl.lit("Totals").alias("outcome_key"),
        pl.lit("").alias("outcome_code"),
        pl.lit("Totals").alias("label"),
        *[pl.col(c).sum() for c in [*district_codes, FORCE]],
    )
    return pl.concat([body, totals])
