"""Risk and flags: arrest, DASH, SASH and cyber-enabled rates, DA vs non-DA, and DASH risk mix."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from stalking_profile.measures.categories import (
    CATEGORIES,
    FORCE,
    Areas,
    grid,
    with_category,
    with_roll_ups,
)
from stalking_profile.measures.indicators import flag_labels
from stalking_profile.measures.rates import (
    SMALL_DENOMINATOR,
    newcombe_intervals,
    proportion_difference_test,
    with_false_discovery_rate,
    with_rate_columns,
)

FLAGS: dict[str, str] = flag_labels()  # count column -> label, from the indicator registry


def flag_rates_by_district(
    counts: pl.DataFrame,
    district_codes: list[str],
    small_denominator: int = SMALL_DENOMINATOR,
    areas: Areas | None = None,
) -> pl.DataFrame:
    """Each flag's rate per district (and roll-up area: default "Force" = `district_codes`)
    x category (domestic, non_domestic, all).

    For flag F: numerator = offences recorded in the period with F true; denominator = offences
    recorded in the period, in that district and category. One row per flag x district x
    category, with the 95% Wilson interval; districts without offences show "no data".
    """
    areas = {FORCE: district_codes} if areas is None else areas
    wide = (
        with_roll_ups(with_category(counts), areas)
        .group_by("district_code", "category")
        .agg(
            pl.col("offences").sum().alias("denominator"),
            *[pl.col(flag).sum().alias(flag) for flag in FLAGS],
        )
    )
    long = (
        grid(district_code=[*district_codes, *areas], category=list(CATEGORIES))
        .join(wide, on=["district_code", "category"], how="left")
        .fill_null(0)
        .unpivot(
            index=["district_code", "category", "denominator"],
            on=list(FLAGS),
            variable_name="flag",
            value_name="numerator",
        )
        .with_columns(pl.col("flag").replace_strict(FLAGS).alias("label"))
    )
    return with_rate_columns(
        long.cast({"numerator": pl.Int64, "denominator": pl.Int64}),
        small_denominator=small_denominator,
    )


def domestic_comparison(rates: pl.DataFrame) -> pl.DataFrame:
    """DA vs non-DA for each flag and district: both rates (offences recorded in the period with
    the flag / offences recorded in the period, DA and non-DA separately), the difference in
    percentage points with its 95% interval (Newcombe), the two-sided p-value (the mid-p exact
    test when an expected count is under 5, else the two-proportion z-test; `test` says which)
    and the q-value controlling the false discovery rate over the whole table's tests
    (Benjamini-Hochberg); significant = q < 0.05.

    `rates` is the output of flag_rates_by_district.
    """
    domestic = rates.filter(pl.col("category") == "domestic").select(
        "flag",
        "label",
        "district_code",
        pl.col("numerator").alias("da_numerator"),
        pl.col("denominator").alias("da_denominator"),
        pl.col("rate").alias("da_rate"),
    )
    non_domestic = rates.filter(pl.col("category") == "non_domestic").select(
        "flag",
        "district_code",
        pl.col("numerator").alias("non_da_numerator"),
        pl.col("denominator").alias("non_da_denominator"),
        pl.col("rate").alias("non_da_rate"),
    )
    table = domestic.join(non_domestic, on=["flag", "district_code"])
    counts = table.select(
        "da_numerator", "da_denominator", "non_da_numerator", "non_da_denominator"
    ).rows()
    tests = [proportion_difference_test(*row) for row in counts]
    intervals = newcombe_intervals(counts)
    p_values = np.array([p for p, _ in tests], dtype=float)
    return with_false_discovery_rate(
        table.with_columns(
            ((pl.col("da_rate") - pl.col("non_da_rate")) * 100).alias("difference_points"),
            pl.Series("difference_lower", [lo * 100 for lo, _ in intervals]).fill_nan(None),
            pl.Series("difference_upper", [hi * 100 for _, hi in intervals]).fill_nan(None),
            pl.Series("p_value", p_values, dtype=pl.Float64).fill_nan(None),
            pl.Series("test", [name for _, name in tests], dtype=pl.String),
        )
    )


def dash_risk_mix(counts: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR) -> pl.DataFrame:
    """DASH risk levels among offences with a completed DASH, by category (and all).

    numerator = offences with a DASH at that level; denominator = offences with a completed
    DASH in the category; both recorded in the period; is_small: denominator under
    `small_denominator`.
    """
    sums = (
        with_roll_ups(with_category(counts))
        .group_by("category")
        .agg(pl.col("dash_completed", "dash_standard", "dash_medium", "dash_high").sum())
    )
    levels = sums.unpivot(
        index=["category", "dash_completed"],
        on=["dash_standard", "dash_medium", "dash_high"],
        variable_name="dash_risk",
        value_name="numerator",
    ).with_columns(
        pl.col("dash_risk").str.strip_prefix("dash_"), pl.col("dash_completed").alias("denominator")
    )
    table = (
        grid(category=list(CATEGORIES), dash_risk=["standard", "medium", "high"])
        .join(
            levels.select("category", "dash_risk", "numerator", "denominator"),
            on=["category", "dash_risk"],
            how="left",
        )
        .fill_null(0)
        .cast({"numerator": pl.Int64, "denominator": pl.Int64})
    )
    return with_rate_columns(table, small_denominator=small_denominator)


def monthly_flag_rates(
    counts: pl.DataFrame, flag: str, months: list[date], small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """A flag's rate per recorded month, by category, for trend charts.

    numerator = offences recorded in the month with the flag; denominator = offences recorded
    in the month; months without offences show no rate; is_small: denominator under
    `small_denominator`.
    """
    both = with_roll_ups(with_category(counts))
    per_month = both.group_by("recorded_month", "category").agg(
        pl.col("offences").sum().alias("denominator"),
        pl.col(flag).sum().alias("numerator"),
    )
    table = (
        grid(recorded_month=months, category=list(CATEGORIES))
        .join(per_month, on=["recorded_month", "category"], how="left")
        .fill_null(0)
    )
    counted = table.cast({"numerator": pl.Int64, "denominator": pl.Int64})
    return with_rate_columns(counted, small_denominator=small_denominator).sort(
        "category", "recorded_month"
    )
