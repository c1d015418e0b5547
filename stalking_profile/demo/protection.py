"""The demonstration force's civil orders, breaches and victim contact (synthetic).

Drawn from their own random stream (seeded from the demo's seed), so adding them changes no
offence, outcome or person the calibrated profile rests on. The patterns, documented in
`data/README.md`:

- Stalking Protection Orders began on 20 January 2020. Uptake is very low, as nationally: 14
  applications to the extract date, rising through 2021, and exactly 3 full SPOs in force at
  the extract date (the published profile's figure), besides 2 interim orders awaiting their
  full hearing.
- Restraining orders follow about a third of charges, at the court date; DVPOs (28 days, the
  most a court may give) follow a few DA offences within a day; non-molestation orders, often
  made without notice first, a few more. DAPOs are not in the demo: they were first piloted after its extract.
- Breaches: each made order runs a risk of breach while in force (highest for DVPOs, lowest
  for restraining orders); some breaches are followed by more, and some are the suspect's next
  stalking or harassment offence, which then carries that offence's outcome.
- Victim contact: the records system captures Victim Contact Agreements from April 2020. Most
  victims agree updates every 7, 14 or 28 days; contact is kept less often in Kirklees and
  improves over time; a few agreements have no contact at all.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from stalking_profile import contract

SPO_START = date(2020, 1, 20)
CONTACT_FROM = date(2020, 4, 1)
# (months after SPO_START the application is made, what became of it) for every SPO
SPO_APPLICATIONS: tuple[tuple[int, str], ...] = (
    (3, "granted-discharged"),
    (7, "refused"),
    (10, "granted"),
    (12, "withdrawn"),
    (14, "granted-discharged"),
    (15, "refused"),
    (16, "granted"),
    (17, "granted"),
    (18, "refused"),
    (19, "applied"),
    (20, "interim"),
    (21, "withdrawn"),
    (22, "interim"),
    (23, "applied"),
)
BREACH_RATE_PER_DAY: dict[str, float] = {"RO": 0.0012, "NMO": 0.002, "DVPO": 0.006, "SPO": 0.002}
BREACH_OUTCOMES: dict[str | None, float] = {
    "1-charged": 0.42,
    "3-caution": 0.05,
    "16": 0.12,
    "15-cps": 0.08,
    "15-police": 0.08,
    "21": 0.03,
    None: 0.22,  # open
}
CONTACT_KEPT: dict[str, float] = {"BD": 0.74, "CD": 0.82, "KD": 0.62, "LD": 0.77, "WD": 0.80}
CONTACT_INTERVALS = (np.array([7, 14, 28]), np.array([0.25, 0.35, 0.40]))
ORDER_COLUMNS = contract.CIVIL_ORDER.column_names


def _days(frame: pl.DataFrame, column: str, days: np.ndarray) -> pl.Series:
    shifted = frame[column].to_numpy().astype("datetime64[D]") + days.astype("timedelta64[D]")
    return pl.Series(shifted).cast(pl.Date)


def _order_frame(
    source: pl.DataFrame, order_type: str, applied: pl.Series, prefix: str
) -> pl.DataFrame:
    """Orders arising from `source` offences, applied for on `applied`, not yet decided."""
    return pl.DataFrame(
        {
            "order_id": [f"SYN-{prefix}-{i + 1:05d}" for i in range(source.height)],
            "order_type": order_type,
            "subject_id": source["suspect_id"],
            "protected_id": source["victim_id"],
            "crime_ref": source["crime_ref"],
            "applied_date": applied,
            "district_code": source["district_code"],
        }
    )


def _finish(frame: pl.DataFrame, extract: date) -> pl.DataFrame:
    """Drop decisions after the extract date and derive each order's status from its dates."""
    dates = ("interim_date", "granted_date", "refused_date", "expiry_date", "discharged_date")
    frame = frame.with_columns(
        *[pl.lit(None, dtype=pl.Date).alias(name) for name in dates if name not in frame.columns]
    ).filter(pl.col("applied_date") <= extract)
    frame = frame.with_columns(
        *[
            pl.when(pl.col(name) <= extract).then(pl.col(name)).otherwise(None).alias(name)
            for name in ("interim_date", "granted_date", "refused_date", "discharged_date")
        ]
    ).with_columns(
        pl.when(pl.col("granted_date").is_null() & pl.col("refused_date").is_null())
        .then(None)
        .otherwise(pl.col("expiry_date"))
        .alias("expiry_date")
    )
    status = (
        pl.when(pl.col("discharged_date").is_not_null())
        .then(pl.lit("discharged"))
        .when(pl.col("refused_date").is_not_null())
        .then(pl.lit("refused"))
        .when(pl.col("granted_date").is_not_null() & (pl.col("expiry_date") <= extract))
        .then(pl.lit("expired"))
        .when(pl.col("granted_date").is_not_null())
        .then(pl.lit("granted"))
        .when(pl.col("interim_date").is_not_null())
        .then(pl.lit("interim"))
        .otherwise(pl.col("status").fill_null("applied"))
    )
    if "status" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("status"))
    return frame.with_columns(status.alias("status")).select(ORDER_COLUMNS)


def _restraining(offences: pl.DataFrame, rng: np.random.Generator, extract: date) -> pl.DataFrame:
    charged = offences.filter(
        pl.col("outcome_code").is_in(["1", "1A"]) & pl.col("suspect_id").is_not_null()
    )
    chosen = charged.filter(pl.Series(rng.random(charged.height) < 0.35))
    court = np.round(rng.gamma(2.0, 38.0, chosen.height))
    applied = _days(chosen, "outcome_date", court)
    frame = _order_frame(chosen, "RO", applied, "RO")
    granted = rng.random(frame.height) < 0.88
    years = pl.Series(rng.choice([1, 2, 3, 5, 0], size=frame.height, p=[0.2, 0.25, 0.15, 0.1, 0.3]))
    return _finish(
        frame.with_columns(
            granted_date=pl.when(pl.Series(granted)).then(pl.col("applied_date")),
            refused_date=pl.when(pl.Series(~granted)).then(pl.col("applied_date")),
            expiry_date=pl.when(years > 0).then(  # 0: until further order
                pl.col("applied_date").dt.offset_by(pl.format("{}y", years))
            ),
        ),
        extract,
    )


def _domestic_orders(
    offences: pl.DataFrame, rng: np.random.Generator, extract: date
) -> pl.DataFrame:
    """DVPOs (28 days, the most a court may give, within a day of the offence) and
    non-molestation orders."""
    domestic = offences.filter(pl.col("is_domestic") & pl.col("suspect_id").is_not_null())
    draw = rng.random(domestic.height)
    dvpo = domestic.filter(pl.Series(draw < 0.006))
    nmo = domestic.filter(pl.Series((draw >= 0.006) & (draw < 0.014)))
    dvpo_frame = _order_frame(
        dvpo, "DVPO", _days(dvpo, "recorded_date", np.ones(dvpo.height)), "DV"
    )
    made = rng.random(dvpo.height) < 0.9
    dvpo_frame = dvpo_frame.with_columns(
        granted_date=pl.when(pl.Series(made)).then(pl.col("applied_date") + timedelta(days=1)),
        refused_date=pl.when(pl.Series(~made)).then(pl.col("applied_date") + timedelta(days=1)),
        expiry_date=pl.col("applied_date") + timedelta(days=29),
    )
    lag = np.round(rng.gamma(2.0, 10.0, nmo.height))
    nmo_frame = _order_frame(nmo, "NMO", _days(nmo, "recorded_date", lag), "NM")
    without_notice = rng.random(nmo.height) < 0.7
    fate = rng.random(nmo.height)
    hearing = np.round(14 + rng.random(nmo.height) * 28).astype(np.int64)
    months = rng.choice([6, 12], size=nmo.height)
    nmo_frame = nmo_frame.with_columns(
        interim_date=pl.when(pl.Series(without_notice)).then(pl.col("applied_date")),
        granted_date=pl.when(pl.Series(fate < 0.75)).then(
            _days(nmo_frame, "applied_date", hearing)
        ),
        refused_date=pl.when(pl.Series((fate >= 0.75) & (fate < 0.85))).then(
            _days(nmo_frame, "applied_date", hearing)
        ),
        status=pl.when(pl.Series(fate >= 0.85)).then(pl.lit("withdrawn")),
    ).with_columns(
        expiry_date=pl.col("granted_date").dt.offset_by(pl.format("{}mo", pl.Series(months)))
    )
    return pl.concat([_finish(dvpo_frame, extract), _finish(nmo_frame, extract)])


def _spos(offences: pl.DataFrame, rng: np.random.Generator, extract: date) -> pl.DataFrame:
    """The scripted SPO applications (see the module's docstring)."""
    stalking = offences.filter(
        (pl.col("offence_type") == "stalking") & pl.col("suspect_id").is_not_null()
    )
    rows = []
    for number, (month, fate) in enumerate(SPO_APPLICATIONS, start=1):
        applied = SPO_START + timedelta(days=round(30.4 * month + 5 * rng.random()))
        recent = stalking.filter(
            pl.col("recorded_date").is_between(applied - timedelta(days=60), applied)
        )
        source = recent.row(int(rng.integers(recent.height)), named=True)
        row: dict[str, object] = {
            "order_id": f"SYN-SPO-{number:03d}",
            "order_type": "SPO",
            "subject_id": source["suspect_id"],
            "protected_id": source["victim_id"],
            "crime_ref": source["crime_ref"],
            "applied_date": applied,
            "district_code": source["district_code"],
            "status": "withdrawn" if fate == "withdrawn" else None,
        }
        if fate.startswith("granted") or fate == "interim":
            row["interim_date"] = applied + timedelta(days=int(rng.integers(1, 10)))
        if fate.startswith("granted"):
            row["granted_date"] = applied + timedelta(days=int(rng.integers(45, 110)))
            row["expiry_date"] = row["granted_date"] + timedelta(days=int(365.25 * 2) + 1)  # type: ignore[operator]
        if fate == "granted-discharged":
            row["discharged_date"] = applied + timedelta(days=int(rng.integers(150, 250)))
        if fate == "refused":
            row["refused_date"] = applied + timedelta(days=int(rng.integers(40, 90)))
        rows.append(row)
    schema = {name: pl.Date for name in ORDER_COLUMNS if name.endswith("_date")}
    frame = pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
    return _finish(frame, extract)


def civil_orders(offences: pl.DataFrame, seed: int, extract: date) -> pl.DataFrame:
    """Every demo order: restraining orders, DVPOs, non-molestation orders and SPOs."""
    rng = np.random.default_rng([seed, 17])
    return pl.concat(
        [
            _restraining(offences, rng, extract),
            _domestic_orders(offences, rng, extract),
            _spos(offences, rng, extract),
        ]
    ).sort("applied_date", "order_id")


def _made(orders: pl.DataFrame, extract: date) -> pl.DataFrame:
    """Orders that were made, with the day each was first made and the day it stopped (or the
    extract date): the days a breach could happen."""
    return orders.with_columns(
        made=pl.min_horizontal("interim_date", "granted_date"),
        ended=pl.min_horizontal(
            "discharged_date",
            "expiry_date",
            pl.when(pl.col("granted_date").is_null()).then(pl.col("refused_date")),
            pl.lit(extract),
        ),
    ).filter(pl.col("made").is_not_null())


def breaches(
    orders: pl.DataFrame, offences: pl.DataFrame, seed: int, extract: date
) -> pl.DataFrame:
    """Breaches of made orders: a first breach at the order type's daily rate while the order
    is in force, then more with probability 0.4 each (about 40 days apart). A breach followed
    within 30 days by the subject's next offence is that offence (and carries its outcome);
    two in three others, but not a DVPO's (civil contempt, no offence), are recorded as a
    breach offence of their own."""
    rng = np.random.default_rng([seed, 18])
    made = _made(orders, extract)
    rate = made["order_type"].replace_strict(BREACH_RATE_PER_DAY, default=0.002).to_numpy()
    first = rng.exponential(1 / rate)
    counts = np.where(rng.random(made.height) < 0.4, rng.geometric(0.55, made.height) + 1, 1)
    rows = made.select("order_id", "order_type", "subject_id", "made", "ended").with_columns(
        first=pl.Series(np.floor(first).astype(np.int64)), n=pl.Series(counts)
    )
    rows = (
        rows.with_row_index("order_row")
        .with_columns(nth=pl.int_ranges(0, pl.col("n")))
        .explode("nth")
    )
    later = np.floor(rng.exponential(40.0, rows.height)).astype(np.int64)
    rows = rows.with_columns(gap=pl.Series(later) * (pl.col("nth") > 0))
    rows = rows.with_columns(
        breach_date=pl.col("made")
        + pl.duration(days=pl.col("first") + pl.col("gap").cum_sum().over("order_row"))
    ).filter(pl.col("breach_date") <= pl.col("ended"))
    rows = rows.with_columns(
        breach_id=pl.format("SYN-BR-{}", (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(5))
    ).sort("subject_id", "breach_date")
    later_offences = (
        offences.filter(pl.col("suspect_id").is_not_null())
        .select(
            pl.col("suspect_id").alias("subject_id"),
            pl.col("recorded_date").alias("next_recorded"),
            pl.col("crime_ref").alias("next_crime_ref"),
            pl.col("outcome_key").alias("next_outcome"),
        )
        .sort("subject_id", "next_recorded")
    )
    rows = rows.join_asof(
        later_offences,
        left_on="breach_date",
        right_on="next_recorded",
        by="subject_id",
        strategy="forward",
        tolerance=timedelta(days=30),
        check_sortedness=False,  # sorted by subject and date above
    ).sort("breach_id")
    # drawn for every breach, a DVPO's too, so the others' draws are as they were
    own = (rng.random(rows.height) < 2 / 3) & (rows["order_type"] != "DVPO").to_numpy()
    keys = list(BREACH_OUTCOMES)
    drawn = rng.choice(len(keys), size=rows.height, p=list(BREACH_OUTCOMES.values()))
    outcome = pl.Series([keys[i] for i in drawn], dtype=pl.String)
    return rows.select(
        "breach_id",
        "order_id",
        "breach_date",
        pl.coalesce(
            "next_crime_ref",
            pl.when(pl.Series(own)).then(pl.format("SYN-BRC-{}", pl.col("breach_id").str.slice(7))),
        ).alias("crime_ref"),
        pl.when(pl.col("next_crime_ref").is_not_null())
        .then(pl.col("next_outcome"))
        .when(pl.Series(own))
        .then(outcome)
        .alias("outcome_key"),
    )


def victim_contact(
    offences: pl.DataFrame, seed: int, extract: date, max_contacts: int = 120
) -> pl.DataFrame:
    """Victim Contact Agreements for offences recorded from April 2020 (85% of DA, 70% of other
    offences) and the contacts made until the offence's outcome (or the extract date). An
    agreement is kept with the district's probability, rising 0.4 points a month; a kept
    agreement's gaps are 45-100% of the interval, a broken one has one gap of 115-250%; 3% of
    agreements have no contact at all. A closed offence's final update, telling the victim the
    outcome (`_final_updates`), is added after the outcome."""
    rng = np.random.default_rng([seed, 19])
    eligible = offences.filter(
        (pl.col("recorded_date") >= CONTACT_FROM) & pl.col("victim_id").is_not_null()
    )
    agreed = rng.random(eligible.height) < np.where(eligible["is_domestic"].to_numpy(), 0.85, 0.7)
    cases = eligible.filter(pl.Series(agreed))
    n = cases.height
    interval = rng.choice(CONTACT_INTERVALS[0], size=n, p=CONTACT_INTERVALS[1])
    months = ((cases["recorded_date"] - CONTACT_FROM).dt.total_days() / 30.4).to_numpy()
    kept_p = cases["district_code"].replace_strict(CONTACT_KEPT, default=0.75).to_numpy()
    kept = rng.random(n) < np.minimum(kept_p + 0.004 * months, 0.97)
    factors = 0.45 + 0.55 * rng.random((n, max_contacts))
    late_at = np.where(rng.random(n) < 0.4, 0, rng.integers(0, 6, n))
    late = 1.15 + 1.35 * rng.random(n)
    factors[np.flatnonzero(~kept), late_at[~kept]] = late[~kept]
    offsets = np.cumsum(np.round(factors * interval[:, None]), axis=1).astype(np.int64)
    end = (
        cases.select(pl.coalesce("outcome_date", pl.lit(extract)).alias("end"), "recorded_date")
        .select((pl.col("end") - pl.col("recorded_date")).dt.total_days())["end"]
        .to_numpy()
    )
    within = offsets <= end[:, None]
    none = rng.random(n) < 0.03
    within[none, :] = False
    case_index, contact_number = np.nonzero(within)
    contacts = pl.DataFrame(
        {
            "crime_ref": cases["crime_ref"].gather(case_index),
            "agreed_interval_days": pl.Series(interval[case_index], dtype=pl.Int32),
            "contact_date": _days(
                cases.select("recorded_date")[case_index],
                "recorded_date",
                offsets[case_index, contact_number],
            ),
        }
    )
    without = np.flatnonzero(~within.any(axis=1))
    agreements = pl.DataFrame(
        {
            "crime_ref": cases["crime_ref"].gather(without),
            "agreed_interval_days": pl.Series(interval[without], dtype=pl.Int32),
            "contact_date": pl.Series([None] * len(without), dtype=pl.Date),
        }
    )
    final = _final_updates(cases, interval, seed, extract)
    # an agreement's row with no contact stands only while it has none; a final update on the
    # day of the last contact before the outcome is that contact
    agreements = agreements.filter(~pl.col("crime_ref").is_in(final["crime_ref"].implode()))
    return (
        pl.concat([contacts, agreements, final])
        .unique(["crime_ref", "contact_date"], keep="first", maintain_order=True)
        .sort("crime_ref", "contact_date", nulls_last=True)
    )


FINAL_UPDATE_TOLD = 0.7  # share of closed offences whose victim is told within the interval
FINAL_UPDATE_LATE = 0.12  # told, but after the interval (the rest are never told)


def _final_updates(
    cases: pl.DataFrame, interval: np.ndarray, seed: int, extract: date
) -> pl.DataFrame:
    """The contact telling the victim the outcome of each offence with an agreement and an
    outcome: within the agreed interval after it (on the outcome's day up to its last day)
    for FINAL_UPDATE_TOLD of them, rising 0.3 points a month, later (up to twice the
    interval) for FINAL_UPDATE_LATE, never for the rest; none after the extract date. Drawn
    from its own stream, so the other contacts are as they were."""
    rng = np.random.default_rng([seed, 23])
    n = cases.height
    months = ((cases["recorded_date"] - CONTACT_FROM).dt.total_days() / 30.4).to_numpy()
    draw, on_time = rng.random(n), np.minimum(FINAL_UPDATE_TOLD + 0.003 * months, 0.95)
    told = draw < on_time
    late = ~told & (draw < on_time + FINAL_UPDATE_LATE)
    after = np.where(
        told,
        np.floor(rng.random(n) * (interval + 1)),
        interval + 1 + np.floor(rng.random(n) * interval),
    ).astype(np.int64)
    made = (told | late) & cases["outcome_date"].is_not_null().to_numpy()
    chosen = np.flatnonzero(made)
    updates = pl.DataFrame(
        {
            "crime_ref": cases["crime_ref"].gather(chosen),
            "agreed_interval_days": pl.Series(interval[chosen], dtype=pl.Int32),
            "contact_date": _days(
                cases.select("outcome_date")[chosen], "outcome_date", after[chosen]
            ),
        }
    )
    return updates.filter(pl.col("contact_date") <= extract)
