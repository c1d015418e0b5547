"""Victim contact: was the victim contacted as often as their Victim Contact Agreement said?
(the scrutiny review's recommendations 16 and 17).

The measures take the frame of queries.victim_contacts: one row per contact of each offence
recorded in the period (crime_ref, recorded_date, recorded_month, district_code, end_date,
has_outcome, extract_date, agreed_interval_days, contact_date), an offence with no agreement
once with both null. end_date is the day the offence's outcome was recorded, or the extract
date if it is open.

An agreement is *kept* when no stretch between the offence being recorded, each contact and
the end date is longer than the agreed interval: the first contact came within the interval,
each contact within the interval of the one before, and the last within the interval of the
outcome (or, for an open offence, of the extract date: an update overdue today is a miss;
one not yet due is not).

A victim is *told the outcome* when a contact came on the outcome's day or within the agreed
interval after it: the final update the scrutiny panel asks forces to make when a case is
closed (seed 002: "how investigations are closed in terms of the final update to the
victim"). It is judged only where it was due by the extract date (an outcome recorded, and
its interval run out). Contact *kept* reads the contacts up to the outcome only, so an
offence whose outcome came within the interval counts as kept with no contact at all (on
the demo, 766 of the 4,359 agreements kept in the year to September 2021 had none): told
the outcome is the figure that says whether such a victim heard of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from stalking_profile.measures.rates import SMALL_DENOMINATOR, with_rate_columns


def contact_by_offence(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per offence: agreed (an agreement is recorded), agreed_interval_days, contacts
    (made on or before end_date), longest_gap_days and kept (null without an agreement);
    update_due (an agreement, an outcome recorded, and the agreed interval after it run out
    by the extract date) and told (a contact on the outcome's day or within the interval
    after it; null where no update was due)."""
    interval = pl.duration(days=pl.col("agreed_interval_days"))
    offences = rows.group_by("crime_ref", maintain_order=True).agg(
        pl.col("recorded_date", "recorded_month", "district_code", "end_date").first(),
        pl.col("agreed_interval_days").max(),
        pl.col("contact_date")
        .filter(pl.col("contact_date") <= pl.col("end_date"))
        .count()
        .alias("contacts"),
        (
            pl.col("has_outcome").first()
            & (pl.col("end_date") + interval <= pl.col("extract_date")).first()
        )
        .fill_null(False)
        .alias("update_due"),
        pl.col("contact_date")
        .is_between(pl.col("end_date"), pl.col("end_date") + interval)
        .fill_null(False)
        .any()
        .alias("final_update"),
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
        pl.when(pl.col("update_due")).then(pl.col("final_update")).alias("told"),
    ).drop("final_update")


# a victim told the outcome: final updates due, those made, and their rate with its interval
TOLD_COLUMNS = ("updates_due", "told", "told_rate", "told_lower", "told_upper", "told_is_small")


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
    `small_denominator`; updates_due (final updates due by the extract date) and told
    (victims told the outcome within the interval) with told_rate = told / updates_due, its
    Wilson interval (told_lower, told_upper) and told_is_small where updates_due are under
    `small_denominator` (its own flag: 11 told of 13 updates due had read as not small beside
    58 agreements). `rows`: the values of `by` to give a
    row each, with 0 counts where no offence has them (default: those the offences have)."""
    aggregates = [
        pl.len().cast(pl.Int64).alias("offences"),
        pl.col("agreed").sum().cast(pl.Int64).alias("agreements"),
        pl.col("kept").fill_null(False).sum().cast(pl.Int64).alias("kept"),
        pl.col("update_due").sum().cast(pl.Int64).alias("updates_due"),
        pl.col("told").fill_null(False).sum().cast(pl.Int64).alias("told"),
    ]
    frame = per_offence.group_by(by).agg(aggregates)
    if rows is not None:
        every = pl.DataFrame({by: list(rows)}, schema={by: per_offence.schema[by]})
        counts = ("offences", "agreements", "kept", "updates_due", "told")
        frame = every.join(frame, on=by, how="left").with_columns(pl.col(counts).fill_null(0))
    frame = frame.sort(by)
    if by == "district_code":
        force = per_offence.select(aggregates).with_columns(pl.lit("All").alias(by))
        frame = pl.concat([frame, force.select(frame.columns)])
    counted = frame.select(TOLD_COLUMNS[:2])
    told = with_rate_columns(counted, "told", "updates_due", small_denominator).select(
        *(pl.col(c).alias(f"told_{c}") for c in ("rate", "lower", "upper", "is_small"))
    )
    kept = with_rate_columns(frame.drop(TOLD_COLUMNS[:2]), "kept", "agreements", small_denominator)
    return pl.concat([kept, counted, told], how="horizontal").with_columns(
        pl.when(pl.col("offences") > 0)
        .then(pl.col("agreements") / pl.col("offences"))
        .alias("agreement_share")
    )
