"""The scorecard: each headline indicator's monthly series on an XmR chart, with the Making
Data Count variation of its latest month."""

from __future__ import annotations

from datetime import date

import polars as pl

from stalking_profile.filters import months_between
from stalking_profile.measures.indicators import Indicator, shown_in
from stalking_profile.measures.spc import MINIMUM_POINTS, variation, xmr

INDICATORS: tuple[Indicator, ...] = shown_in("scorecard")


def monthly_indicators(counts: pl.DataFrame, first_month: date, last_month: date) -> pl.DataFrame:
    """Each indicator per recorded month: offences recorded in the month (denominator), those
    meeting the indicator (numerator), and the value (the count for offences; numerator /
    denominator for rates, null for a month without offences). Outcomes are as at the extract
    date, so recent months' outcome rates are lower while offences are still open."""
    months = pl.DataFrame(
        {"recorded_month": months_between(first_month, last_month)},
        schema={"recorded_month": pl.Date},
    )
    per_month = counts.group_by("recorded_month").agg(
        pl.col("offences").sum().alias("denominator"),
        *[pl.col(ind.column).sum().alias(ind.key) for ind in INDICATORS],
    )
    wide = months.join(per_month, on="recorded_month", how="left").fill_null(0)
    long = wide.unpivot(
        index=["recorded_month", "denominator"], variable_name="indicator", value_name="numerator"
    )
    is_rate = pl.col("indicator").replace_strict({i.key: i.is_rate for i in INDICATORS})
    return long.with_columns(
        pl.when(~is_rate)
        .then(pl.col("numerator").cast(pl.Float64))
        .when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .otherwise(None)
        .alias("value")
    ).sort("indicator", "recorded_month")


def indicator_chart(
    monthly: pl.DataFrame, key: str, breaks: list[date], run_length: int
) -> pl.DataFrame:
    """The XmR chart frame of one indicator (months without a value are left out)."""
    series = monthly.filter((pl.col("indicator") == key) & pl.col("value").is_not_null())
    return xmr(series["recorded_month"].to_list(), series["value"].to_list(), breaks, run_length)


def scorecard(monthly: pl.DataFrame, breaks: list[date], run_length: int) -> pl.DataFrame:
    """One row per indicator: latest month and value, the mean and process limits in force,
    the variation of the latest point (common cause, special cause improving / concerning /
    high / low) and the assurance (no targets are set, so none). Under MINIMUM_POINTS months
    the chart is a run chart: no process limits (null), as the chart draws none."""
    rows = []
    for indicator in INDICATORS:
        chart = indicator_chart(monthly, indicator.key, breaks, run_length)
        if chart.is_empty():
            continue
        latest = chart.row(-1, named=True)
        if chart.height < MINIMUM_POINTS:
            latest["lower_limit"] = latest["upper_limit"] = None
        rows.append(
            {
                "indicator": indicator.key,
                "label": indicator.label,
                "is_rate": indicator.is_rate,
                "latest_month": latest["month"],
                "latest_value": latest["value"],
                "mean": latest["mean"],
                "lower_limit": latest["lower_limit"],
                "upper_limit": latest["upper_limit"],
                "variation": variation(chart, indicator.improvement),
                "improvement": indicator.improvement,
                "assurance": "no target set",
                "months": chart.height,
            }
        )
    return pl.DataFrame(rows)
