"""Repeat victims and repeat suspects (seed 004 section 3; the scrutiny review's
recommendations 10 and 11), from offences with pseudonymous victim and suspect keys.

Every measure takes the frame of queries.repeat_offences (recorded_date, recorded_month,
is_domestic, victim_id, suspect_id; it may start before the period, for lookbacks) and the
period's first and last months. A category is DA, non-DA or all: within DA, only DA offences
count (a victim of one DA and one non-DA offence is a repeat victim in "all" only).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from stalking_profile.filters import add_months
from stalking_profile.measures.rates import median_and_quartiles

CATEGORIES = {"all": None, "domestic": True, "non_domestic": False}
SERIAL_VICTIMS = 2  # MATAC: a serial perpetrator has 2 or more victims ...
SERIAL_YEARS = 3  # ... within 3 years


def _in_category(offences: pl.DataFrame, category: str) -> pl.DataFrame:
    domestic = CATEGORIES[category]
    return offences if domestic is None else offences.filter(pl.col("is_domestic") == domestic)


def _in_period(offences: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    return offences.filter(pl.col("recorded_month").is_between(start, end))


def repeat_summary(offences: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Repeat victims and suspects within the period, one row per category (all, domestic,
    non_domestic). Counted over offences recorded in the period (start to end month):

    - offences_with_victim: offences with a victim key;
    - victims: distinct victim keys; repeat_victims: those with 2 or more offences;
      repeat_victim_share = repeat_victims / victims;
    - offences_repeat_victim: offences whose victim is a repeat victim;
    - suspects: distinct identified suspects; repeat_suspects: those with 2 or more offences;
    - offences_with_suspect: offences with a suspect identified; offences_repeat_suspect: those
      whose suspect is a repeat suspect; repeat_suspect_share = offences_repeat_suspect /
      offences_with_suspect (the share of offences involving a repeat suspect).

    Offences without a victim key count in `offences` only. Published together, these
    give back victims - repeat victims + offences against a repeat victim = offences with a
    victim key (and the same for suspects): linked_tables protects them as such."""
    rows = []
    for category in CATEGORIES:
        shown = _in_category(_in_period(offences, start, end), category)
        victims = shown.filter(pl.col("victim_id").is_not_null()).group_by("victim_id").len()
        suspects = shown.filter(pl.col("suspect_id").is_not_null()).group_by("suspect_id").len()
        repeat_v = victims.filter(pl.col("len") >= 2)
        repeat_s = suspects.filter(pl.col("len") >= 2)
        with_suspect = int(suspects["len"].sum())
        rows.append(
            {
                "category": category,
                "offences": shown.height,
                "offences_with_victim": int(victims["len"].sum()),
                "victims": victims.height,
                "repeat_victims": repeat_v.height,
                "repeat_victim_share": repeat_v.height / victims.height if victims.height else None,
                "offences_repeat_victim": int(repeat_v["len"].sum()),
                "suspects": suspects.height,
                "repeat_suspects": repeat_s.height,
                "offences_with_suspect": with_suspect,
                "offences_repeat_suspect": int(repeat_s["len"].sum()),
                "repeat_suspect_share": (
                    int(repeat_s["len"].sum()) / with_suspect if with_suspect else None
                ),
            }
        )
    return pl.DataFrame(rows)


def monthly_repeats(
    offences: pl.DataFrame, start: date, end: date, data_start: date
) -> pl.DataFrame:
    """For each month of the period (the offences given, by recorded month):

    - offences: offences recorded in the month;
    - repeat_victim_12m: of them, those whose victim had another offence recorded in the 365
      days before (the same day included, whether or not in the period);
      repeat_victim_share = repeat_victim_12m / offences with a victim key;
    - with_suspect: offences with a suspect identified; repeat_suspect_12m: those whose
      suspect had another offence in the 365 days before; repeat_suspect_share =
      repeat_suspect_12m / with_suspect.

    `full_lookback` is false where the 365 days reach back before the data start
    (`data_start`), where a repeat may be missed: those months read low."""
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    ordered = offences.sort("recorded_date")
    flags = []
    for key in ("victim_id", "suspect_id"):
        previous = (
            ordered.filter(pl.col(key).is_not_null())
            .with_columns(pl.col("recorded_date").shift(1).over(key).alias("previous"))
            .with_columns(
                (
                    (
                        pl.col("previous").is_not_null()
                        & ((pl.col("recorded_date") - pl.col("previous")).dt.total_days() <= 365)
                    )
                    # two on one day are each the other's "before" (the shift flagged only the
                    # one that sorted second)
                    | (pl.len().over(key, "recorded_date") > 1)
                ).alias("repeat")
            )
        )
        flags.append(
            previous.filter(pl.col("recorded_month").is_between(start, end))
            .group_by("recorded_month")
            .agg(pl.len().alias(f"with_{key}"), pl.col("repeat").sum().alias(f"repeat_{key}"))
        )
    counts = _in_period(offences, start, end).group_by("recorded_month").len("offences")
    frame = (
        pl.DataFrame({"recorded_month": months}, schema={"recorded_month": pl.Date})
        .join(counts, on="recorded_month", how="left")
        .join(flags[0], on="recorded_month", how="left")
        .join(flags[1], on="recorded_month", how="left")
        .fill_null(0)
    )
    lookback_ok = [add_months(m, -12) >= data_start for m in months]
    return frame.select(
        "recorded_month",
        "offences",
        pl.col("repeat_victim_id").cast(pl.Int64).alias("repeat_victim_12m"),
        pl.when(pl.col("with_victim_id") > 0)
        .then(pl.col("repeat_victim_id") / pl.col("with_victim_id"))
        .alias("repeat_victim_share"),
        pl.col("with_suspect_id").cast(pl.Int64).alias("with_suspect"),
        pl.col("repeat_suspect_id").cast(pl.Int64).alias("repeat_suspect_12m"),
        pl.when(pl.col("with_suspect_id") > 0)
        .then(pl.col("repeat_suspect_id") / pl.col("with_suspect_id"))
        .alias("repeat_suspect_share"),
        pl.Series("full_lookback", lookback_ok, dtype=pl.Boolean),
    )


def days_between_offences(offences: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Days between a suspect's consecutive offences, both recorded in the period, by category:
    gaps (how many), median, lower and upper quartile days (`rates.median_and_quartiles`, the
    method of the time to an order too). Suspects with one offence in the period have no gap.
    Within DA (or non-DA) only that category's offences are paired; "DA and non-DA" pairs
    every offence with the one before it, so it counts the gaps between a DA and a non-DA
    offence as well and can hold more gaps than the two categories together."""
    rows = []
    for category in CATEGORIES:
        shown = _in_category(_in_period(offences, start, end), category)
        gaps = (
            shown.filter(pl.col("suspect_id").is_not_null())
            .sort("recorded_date")
            .with_columns(
                (pl.col("recorded_date") - pl.col("recorded_date").shift(1).over("suspect_id"))
                .dt.total_days()
                .alias("days")
            )["days"]
            .drop_nulls()
        )
        median, lower, upper = median_and_quartiles(pl.col("days"))
        rows.append(
            pl.DataFrame({"days": gaps}, schema={"days": pl.Int64}).select(
                pl.lit(category).alias("category"),
                pl.len().cast(pl.Int64).alias("gaps"),
                median.alias("median_days"),
                lower.alias("lower_quartile_days"),
                upper.alias("upper_quartile_days"),
            )
        )
    return pl.concat(rows)


def serial_perpetrators(
    offences: pl.DataFrame,
    start: date,
    end: date,
    data_start: date,
    victims: int = SERIAL_VICTIMS,
    years: int = SERIAL_YEARS,
) -> pl.DataFrame:
    """Serial perpetrators (the MATAC definition by default: `victims` or more distinct
    victims within `years` years): suspects identified on offences recorded in the period
    whose offences recorded in some `years` x 12 months ending in the period's last month or,
    for a longer period, in any month from the one `years` x 12 months into the period to
    its last, involve that many victims (one window, up to the end, for a period no longer
    than that: a longer one had missed suspects whose victims came earlier in it, 79 of 776
    from April 2018 to January 2022). One row: suspects (identified in the period),
    serial_suspects, offences_by_serial (the period's offences whose suspect is serial),
    offences_with_suspect, serial_share = offences_by_serial / offences_with_suspect,
    window_start (the first month of the windows) and full_window (false when it is before
    `data_start`, the data's first month: suspects may be missed)."""
    span = 12 * years - 1  # months before a window's last month
    first_end = min(end, add_months(start, span))  # the earliest last month of a window
    window_start = add_months(first_end, -span)
    window = _in_period(offences, window_start, end).filter(
        pl.col("suspect_id").is_not_null() & pl.col("victim_id").is_not_null()
    )
    # a window ends at each offence's month (not before the earliest end): its victims are
    # those of the suspect's offences from `span` months before to that month
    ends = window.select(
        "suspect_id",
        pl.max_horizontal(pl.col("recorded_month"), pl.lit(first_end)).alias("window_end"),
    ).unique()
    paired = ends.join(window.select("suspect_id", "recorded_month", "victim_id"), on="suspect_id")
    within = paired.filter(
        pl.col("recorded_month").is_between(
            pl.col("window_end").dt.offset_by(f"-{span}mo"), pl.col("window_end")
        )
    )
    serial = (
        within.group_by("suspect_id", "window_end")
        .agg(pl.col("victim_id").n_unique().alias("victims"))
        .filter(pl.col("victims") >= victims)["suspect_id"]
        .unique()
    )
    period = _in_period(offences, start, end).filter(pl.col("suspect_id").is_not_null())
    by_serial = period.filter(pl.col("suspect_id").is_in(serial.implode()))
    return pl.DataFrame(
        {
            "suspects": [period["suspect_id"].n_unique()],
            "serial_suspects": [by_serial["suspect_id"].n_unique()],
            "offences_by_serial": [by_serial.height],
            "offences_with_suspect": [period.height],
            "serial_share": [by_serial.height / period.height if period.height else None],
            "window_start": [window_start],
            "full_window": [window_start >= data_start],
        }
    )
