"""Victims and suspects: age band, sex and ethnicity, against the resident population where a
denominator exists (seed 004 was asked for "age/sex and ethnicity data for victims and
perpetrators").

Every measure takes the frame of queries.people_offences (one row per offence: is_domestic,
victim_age, victim_sex, victim_ethnicity, suspect_id, suspect_age, suspect_sex,
suspect_ethnicity) and counts offences: a victim of three offences counts three times, as in
the published profile's tables. Suspects are counted over offences with a suspect identified.
Unknown (no value, sex "unknown", ethnicity "Not stated") is a category of its own, and its
share is a data-quality figure.
"""

from __future__ import annotations

import polars as pl

from stalking_profile.contract import AGE_BANDS, ETHNIC_GROUPS, POPULATION_SEXES
from stalking_profile.measures.funnel import poisson_rate_interval
from stalking_profile.measures.rates import SMALL_DENOMINATOR, with_rate_columns

PEOPLE = {"victim": "Victims", "suspect": "Suspects"}
CHARACTERISTICS = {"age_band": "Age band", "sex": "Sex", "ethnicity": "Ethnicity"}
UNKNOWN, TOTAL = "Unknown", "Total"
SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other"}
BAND_BOUNDS = [(int(b.split("-")[0].rstrip("+")), b) for b in AGE_BANDS]
KNOWN_ETHNICITY = tuple(group for group in ETHNIC_GROUPS if group != "Not stated")


def age_band(age: pl.Expr) -> pl.Expr:
    """The age band (contract.AGE_BANDS) an age in years falls in; null for no age."""
    band = pl.lit(None, dtype=pl.String)
    for low, name in BAND_BOUNDS:  # each band from its lower bound up, the last one wins
        band = pl.when(age >= low).then(pl.lit(name)).otherwise(band)
    return band


def people(offences: pl.DataFrame, person: str) -> pl.DataFrame:
    """One row per offence (for suspects, per offence with a suspect identified): DA, and
    the person's age band, sex and ethnicity in the users' words, unknown as "Unknown"."""
    rows = offences if person == "victim" else offences.filter(pl.col("suspect_id").is_not_null())
    sex = pl.col(f"{person}_sex").replace_strict(SEX_LABELS, default=None)
    ethnicity = pl.col(f"{person}_ethnicity")
    return rows.select(
        "is_domestic",
        age_band(pl.col(f"{person}_age")).fill_null(UNKNOWN).alias("age_band"),
        sex.fill_null(UNKNOWN).alias("sex"),
        pl.when(ethnicity.is_in(KNOWN_ETHNICITY))
        .then(ethnicity)
        .otherwise(pl.lit(UNKNOWN))
        .alias("ethnicity"),
    )


def _order(characteristic: str) -> list[str]:
    known = {
        "age_band": list(AGE_BANDS),
        "sex": list(SEX_LABELS.values()),
        "ethnicity": list(KNOWN_ETHNICITY),
    }[characteristic]
    return [*known, UNKNOWN]


def profile(offences: pl.DataFrame, person: str, characteristic: str) -> pl.DataFrame:
    """Offences by the person's age band, sex or ethnicity (`group`), with a Total row: domestic,
    non_domestic and offences (all), and share = offences / the offences whose person's value
    is known (null for Unknown and Total)."""
    rows = people(offences, person)
    counts = rows.group_by(characteristic).agg(
        pl.col("is_domestic").sum().cast(pl.Int64).alias("domestic"),
        (~pl.col("is_domestic")).sum().cast(pl.Int64).alias("non_domestic"),
        pl.len().cast(pl.Int64).alias("offences"),
    )
    grid = pl.DataFrame({characteristic: _order(characteristic)})
    table = grid.join(counts, on=characteristic, how="left").fill_null(0)
    total = table.select(pl.lit(TOTAL).alias(characteristic), pl.exclude(characteristic).sum())
    table = pl.concat([table, total])
    known = table.filter(~pl.col(characteristic).is_in([UNKNOWN, TOTAL]))["offences"].sum()
    share = pl.col("offences") / known if known else pl.lit(None, dtype=pl.Float64)
    return (
        table.with_columns(
            pl.when(pl.col(characteristic).is_in([UNKNOWN, TOTAL]))
            .then(None)
            .otherwise(share)
            .alias("share"),
            pl.lit(PEOPLE[person]).alias("person"),
            pl.lit(CHARACTERISTICS[characteristic]).alias("characteristic"),
        )
        .rename({characteristic: "group"})
        .select(
            "person", "characteristic", "group", "domestic", "non_domestic", "offences", "share"
        )
    )


def unknown_shares(
    offences: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """How much is unknown, by person and characteristic: numerator = offences whose person's
    value is unknown, denominator = offences (for suspects, with a suspect identified), with
    rate, lower, upper (Wilson interval) and is_small (denominator under `small_denominator`)."""
    rows = []
    for person, label in PEOPLE.items():
        frame = people(offences, person)
        for characteristic, name in CHARACTERISTICS.items():
            rows.append(
                {
                    "person": label,
                    "characteristic": name,
                    "numerator": int((frame[characteristic] == UNKNOWN).sum()),
                    "denominator": frame.height,
                }
            )
    schema = {
        "person": pl.String,
        "characteristic": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return with_rate_columns(frame, small_denominator=small_denominator)


def rates_per_1000(
    offences: pl.DataFrame, population: pl.DataFrame, person: str, months: int
) -> pl.DataFrame:
    """Offences per 1,000 residents a year, by sex (female, male) and age band: offences in
    the period whose person is of that sex and band, over the residents of that sex and band
    in the selected districts (`population`: sex, age_band, population, already summed over
    them), x 12 / months. lower and upper are the exact Poisson interval, likewise scaled.
    Empty when no population is loaded; offences with an unknown age or sex (or sex "other")
    have no denominator and are left out."""
    empty = pl.DataFrame(
        schema={
            "person": pl.String,
            "sex": pl.String,
            "age_band": pl.String,
            "offences": pl.Int64,
            "population": pl.Int64,
            "rate_per_1000": pl.Float64,
            "rate_lower": pl.Float64,
            "rate_upper": pl.Float64,
        }
    )
    if population.is_empty():
        return empty
    grid = pl.DataFrame(
        [(SEX_LABELS[s], b) for s in POPULATION_SEXES for b in AGE_BANDS],
        schema=["sex", "age_band"],
        orient="row",
    )
    counts = (
        people(offences, person)
        .group_by("sex", "age_band")
        .agg(pl.len().cast(pl.Int64).alias("offences"))
    )
    residents = population.with_columns(
        pl.col("sex").replace_strict(SEX_LABELS), pl.col("population").cast(pl.Int64)
    ).select("sex", "age_band", "population")
    table = (
        grid.join(counts, on=["sex", "age_band"], how="left")
        .join(residents, on=["sex", "age_band"], how="left")
        .with_columns(pl.col("offences").fill_null(0))
    )
    per_year = 12 / months
    lower, upper = poisson_rate_interval(
        table["offences"].to_numpy(), table["population"].fill_null(0).to_numpy()
    )
    return table.with_columns(
        pl.lit(PEOPLE[person]).alias("person"),
        pl.when(pl.col("population") > 0)
        .then(pl.col("offences") / pl.col("population") * 1000 * per_year)
        .alias("rate_per_1000"),
        pl.Series("rate_lower", lower * per_year).fill_nan(None),
        pl.Series("rate_upper", upper * per_year).fill_nan(None),
    ).select(empty.columns)
