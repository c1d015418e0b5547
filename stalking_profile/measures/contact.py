"""Victim contact: was the victim contacted as often as their Victim Contact Agreement said?
(the scrutiny review's recommendations 16 and 17).

The measures take the frame of queries.victim_contacts: one row per contact of each offence
recorded in the period (crime_ref, recorded_date, recorded_month, district_code, end_date,
agreed_interval_days, contact_date), an offence with no agreement once with both null.
end_date is the day the offence's outcome was recorded, or the extract date if it is open.

An agreement is *kept* when no stretch between the offence being recorded, each contact and
the end date is longer than the agreed interval: the first contact came within the interval,
each contact within the interval of the one before, and the last within the interval of the
outcome (or, for an open offence, of the extract date: an update overdue today is a miss;
one not yet due is not).

Not measured: whether the victim was told the outcome. A contact after the outcome is not
read, so an offence whose outcome came within the interval counts as kept with no contact
at all (a helper agent's count: 766 of the demo's 4,359 agreements kept in the year to
September 2021 had none); the seeds' dip samples ask about the final update case by case.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from stalking_profile.measures.rates import SMALL_DENOMINATOR, with_rate_columns


def contact_by_offence(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per offence: agreed (an agreement is recorded), agreed_interval_days, contacts
    (made on or before end_date), longest_gap_days and kept (null without an agreement)."""
    offences = rows.group_by("crime_ref", maintain_order=True).agg(
        pl.col("recorded_date", "recorded_month", "district_code", "end_date").first(),
        pl.col("agreed_interval_days").max(),
        pl.col("contact_date")
        .filter(pl.col("contact_date") <= pl.col("end_date"))
        .count()
        .alias("contacts"),
    )
    in_time = rows.filter(pl.col("contact_date") <= pl.col("end_date"))
    points = pl.concat(
        [
            offences.select("crime_ref", pl.col("recorded_date").alias("point")),
            in_time.select("crime_ref", pl.col("contact_date").alias("point")),
            offences.select("crime_ref", pl.col("end_date").alias("point")),
        ]
    ).sort("crime_ref", "point")
    longest = (
        points.with_columns(pl.col("point").diff().over("crime_ref").dt.total_days().alias("gap"))
        .group_by("crime_ref")
        .agg(pl.col("gap").max().fill_null(0).alias("longest_gap_days"))
    )
    frame = offences.join(longest, on="crime_ref", how="left")
    agreed = pl.col("agreed_interval_days").is_not_null()
    return frame.with_columns(
        agreed.alias("agreed"),
        pl.when(agreed)
        .then(pl.col("longest_gap_days") <= pl.col("agreed_interval_days"))
        .alias("kept"),
    )


def contact_rates(
    per_offence: pl.DataFrame,
    by: str,
    rows: Sequence[object] | None = None,
    small_denominator: int = SMALL_DENOMINATOR,
) -> pl.DataFrame:
    """Contact kept, by `by` (district_code or recorded_month), with a row "All" when by
    district: offences recorded; agreements (offences with an agreement) and
    agreement_share = agreements / offences; kept (agreements kept) with rate = kept /
    agreements and its Wilson interval (lower, upper), is_small where agreements are under
    `small_denominator`. `rows`: the values of `by` to give a
    row each, with 0 counts where no offence has them (default: those the offences have)."""
    aggregates = [
        pl.len().cast(pl.Int64).alias("offences"),
        pl.col("agreed").sum().cast(pl.Int64).alias("agreements"),
        pl.col("kept").fill_null(False).sum().cast(pl.Int64).alias("kept"),
    ]
    frame = per_offence.group_by(by).agg(aggregates)
    if rows is not None:
        every = pl.DataFrame({by: list(rows)}, schema={by: per_offence.schema[by]})
        counts = ("offences", "agreements", "kept")
        frame = every.join(frame, on=by, how="left").with_columns(pl.col(counts).fill_null(0))
    frame = frame.sort(by)
    if by == "district_code":
        force = per_offence.select(aggregates).with_columns(pl.lit("All").alias(by))
        frame = pl.concat([frame, force.select(frame.columns)])
    return with_rate_columns(frame, "kept", "agreements", small_denominator).with_columns(
        pl.when(pl.col("offences") > 0)
        .then(pl.col("agreements") / pl.col("offences"))
        .alias("agreement_share")
    )
