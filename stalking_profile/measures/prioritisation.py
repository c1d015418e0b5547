"""Perpetrator prioritisation: a recency-frequency-gravity-victims (RFGV) score per suspect
(the scrutiny review's recommendation 11; North Yorkshire's RFGV adds victims to RFG).

No published weight matrix exists, so every part is shown and can be changed: the weights of
the four factors, and what an offence (and a breach of an order) weighs. Gravity is either the
DASH risk level recorded on each offence (the default) or a crime harm index in days per Home
Office offence code that the force supplies (for example the Cambridge Crime Harm Index's
values for 8Q, 8L, 8M and 8R, copied from the Institute of Criminology's published table).

Each factor is scaled 0-100 against the suspects ranked, so the score is a weighted mean of
four numbers an analyst can check by hand:

- recency = 100 x (1 - days from the suspect's last offence to the end / days looked back);
- frequency = 100 x the suspect's offences / the most offences of any suspect ranked;
- gravity = 100 x the suspect's gravity points / the most of any suspect ranked, where
  gravity points are the sum of their offences' weights plus each breach of an order they
  are subject to (in the window, and dated while the order was in force, as the Civil
  orders page counts breaches) at the breach weight;
- victims = 100 x the suspect's distinct victims / the most of any suspect ranked;
- score = (w_r x recency + w_f x frequency + w_g x gravity + w_v x victims) / (sum of w).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from stalking_profile.contract import HO_OFFENCE_CODES

RISK_POINTS: dict[str, float] = {"high": 3.0, "medium": 2.0, "standard": 1.0, "none": 1.0}
BREACH_POINTS = 2.0
FACTORS = ("recency", "frequency", "gravity", "victims")


@dataclass(frozen=True)
class Weights:
    """The weight of each factor and what offences and breaches weigh (see the module)."""

    recency: float = 1.0
    frequency: float = 1.0
    gravity: float = 1.0
    victims: float = 1.0
    risk_points: Mapping[str, float] = field(default_factory=lambda: dict(RISK_POINTS))
    harm_days: Mapping[str, float] | None = None  # by HO offence code: use a harm index
    # a breach's weight in the gravity's unit: points of DASH risk, or days with a harm index
    breach_points: float = BREACH_POINTS

    def __post_init__(self) -> None:
        values = [self.recency, self.frequency, self.gravity, self.victims]
        if min(values) < 0 or sum(values) <= 0:
            raise ValueError("weights must be 0 or more, and at least one above 0")

    @property
    def gravity_basis(self) -> str:
        return "crime harm index (days)" if self.harm_days else "DASH risk level"


def offence_gravity(offences: pl.DataFrame, weights: Weights) -> pl.Expr:
    """Each offence's weight: its DASH risk level's points (no DASH: "none"), or with a harm
    index its offence code's days (a clear error names any code the index lacks)."""
    if weights.harm_days:
        missing = set(offences["ho_offence_code"].drop_nulls()) - set(weights.harm_days)
        if missing or offences["ho_offence_code"].null_count():
            named = ", ".join(sorted(missing)) or "(no code)"
            raise ValueError(f"the harm index has no days for offence code {named}")
        return pl.col("ho_offence_code").replace_strict(
            dict(weights.harm_days), return_dtype=pl.Float64
        )
    return (
        pl.col("dash_risk")
        .fill_null("none")
        .replace_strict(dict(weights.risk_points), return_dtype=pl.Float64)
    )


def _scaled(column: str) -> pl.Expr:
    top = pl.col(column).max()
    return pl.when(top > 0).then(100 * pl.col(column) / top).otherwise(0.0)


def prioritise(
    offences: pl.DataFrame,
    breaches: pl.DataFrame,
    end: date,
    lookback_days: int,
    weights: Weights,
) -> pl.DataFrame:
    """The RFGV score of every suspect with an offence in the window (the `lookback_days`
    ending on `end`), highest first (ties: more offences, then the key). `offences`:
    suspect_id, recorded_date, victim_id, dash_risk, ho_offence_code; `breaches`:
    subject_id, breach_date (breaches of orders the suspect is subject to).

    Columns: rank, suspect_id, last_offence, days_since, offences, victims, breaches,
    gravity_points, the four factors (0-100), score, and why (the sum in words)."""
    start = end - timedelta(days=lookback_days - 1)
    window = offences.filter(
        pl.col("suspect_id").is_not_null() & pl.col("recorded_date").is_between(start, end)
    )
    window = window.with_columns(offence_gravity(window, weights).alias("weight"))
    people = window.group_by("suspect_id").agg(
        pl.col("recorded_date").max().alias("last_offence"),
        pl.len().cast(pl.Int64).alias("offences"),
        pl.col("victim_id").drop_nulls().n_unique().cast(pl.Int64).alias("victims"),
        pl.col("weight").sum().alias("offence_points"),
    )
    in_window = breaches.filter(pl.col("breach_date").is_between(start, end))
    counted = in_window.group_by("subject_id").agg(pl.len().cast(pl.Int64).alias("breaches"))
    people = (
        people.join(counted, left_on="suspect_id", right_on="subject_id", how="left")
        .with_columns(pl.col("breaches").fill_null(0))
        .with_columns(
            (pl.col("offence_points") + weights.breach_points * pl.col("breaches")).alias(
                "gravity_points"
            ),
            (pl.lit(end) - pl.col("last_offence")).dt.total_days().alias("days_since"),
        )
    )
    total = weights.recency + weights.frequency + weights.gravity + weights.victims
    scored = people.with_columns(
        (100 * (1 - pl.col("days_since") / lookback_days)).clip(0, 100).alias("recency"),
        _scaled("offences").alias("frequency"),
        _scaled("gravity_points").alias("gravity"),
        _scaled("victims").alias("victims_points"),
    ).with_columns(
        (
            (
                weights.recency * pl.col("recency")
                + weights.frequency * pl.col("frequency")
                + weights.gravity * pl.col("gravity")
                + weights.victims * pl.col("victims_points")
            )
            / total
        ).alias("score")
    )
    ranked = scored.sort(
        ["score", "offences", "suspect_id"], descending=[True, True, False]
    ).with_row_index("rank", offset=1)
    return ranked.with_columns(
        pl.format(
            "recency {} ({} {} since the last offence) x {} + frequency {} ({} {}) x {}"
            " + gravity {} ({} points) x {} + victims {} ({}) x {}, over {}",
            pl.col("recency").round(1),
            "days_since",
            _plural_of("days_since", "day"),
            pl.lit(_number(weights.recency)),
            pl.col("frequency").round(1),
            "offences",
            _plural_of("offences", "offence"),
            pl.lit(_number(weights.frequency)),
            pl.col("gravity").round(1),
            pl.col("gravity_points").round(1),
            pl.lit(_number(weights.gravity)),
            pl.col("victims_points").round(1),
            "victims",
            pl.lit(_number(weights.victims)),
            pl.lit(_number(total)),
        ).alias("why"),
        pl.col("rank").cast(pl.Int64),
    ).select(
        "rank",
        "suspect_id",
        "score",
        "last_offence",
        "days_since",
        "offences",
        "victims",
        "breaches",
        "gravity_points",
        "recency",
        "frequency",
        "gravity",
        pl.col("victims_points"),
        "why",
    )


def _number(value: float) -> str:
    return f"{value:g}"


def _plural_of(column: str, one: str) -> pl.Expr:
    """The noun for a count column's value: 'offence' beside 1, 'offences' beside the rest."""
    return pl.when(pl.col(column) == 1).then(pl.lit(one)).otherwise(pl.lit(one + "s"))


MOST_HARM_DAYS = 36_525  # a harm index's largest days: 100 years in prison


def read_harm_index(text: str) -> dict[str, float]:
    """A crime harm index from CSV text with columns ho_offence_code and days (one row per
    code, e.g. the Cambridge Crime Harm Index's days for 8Q, 8L, 8M, 8R); a clear error for
    a missing column, an unknown, repeated or missing code, or days that are not a number
    above 0."""
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as error:
        raise ValueError(f"cannot read the harm index: {error}") from error
    missing = {"ho_offence_code", "days"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"the harm index needs columns ho_offence_code and days (missing: {', '.join(sorted(missing))})"
        )
    index: dict[str, float] = {}
    for number, row in enumerate(frame.iter_rows(named=True), start=2):
        code = (row["ho_offence_code"] or "").strip().upper()
        if code not in HO_OFFENCE_CODES:
            raise ValueError(
                f"row {number}: unknown offence code {code!r} (known: {', '.join(HO_OFFENCE_CODES)})"
            )
        if code in index:
            raise ValueError(f"row {number}: offence code {code} given twice")
        try:
            days = float((row["days"] or "").replace(",", ""))
        except ValueError:
            days = -1.0
        # inf (or 1e308) ranked one suspect first with a score of NaN and every other's
        # gravity 0: a harm index's days are a sentence's, at most a lifetime
        if not 0 < days <= MOST_HARM_DAYS:
            raise ValueError(
                f"row {number}: days must be a number above 0 and at most "
                f"{MOST_HARM_DAYS:,} (100 years), not {row['days']!r}"
            )
        index[code] = days
    lacking = [code for code in HO_OFFENCE_CODES if code not in index]
    if lacking:  # found only when the offences named one, the page had stopped with a traceback
        raise ValueError(
            f"the harm index has no days for {', '.join(lacking)}: give a row for every "
            f"offence code ({', '.join(HO_OFFENCE_CODES)})"
        )
    return index
