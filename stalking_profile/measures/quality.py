"""Data quality: how complete and consistent the records are, as rates with intervals."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from stalking_profile.measures.categories import offences_where
from stalking_profile.measures.rates import SMALL_DENOMINATOR, with_rate_columns


@dataclass(frozen=True)
class QualityIndicator:
    """numerator and denominator conditions over the quality counts, in plain words."""

    key: str
    label: str
    numerator: pl.Expr
    denominator: pl.Expr
    definition: str
    # what its table says where the denominator is 0 (None: tables.NO_OFFENCES, "no
    # offences"): January 2022's 528 offences read "no offences: no rate" for the open
    # indicator, none being 90 days old yet (helper 94)
    none_counted: str | None = None


STALKING = pl.col("offence_type") == "stalking"
INDICATORS: tuple[QualityIndicator, ...] = (
    QualityIndicator(
        "da_stalking_without_dash",
        "DA stalking without a DASH",
        STALKING & pl.col("is_domestic") & ~pl.col("dash_completed"),
        STALKING & pl.col("is_domestic"),
        "DA stalking offences recorded in the period with no DASH form / DA stalking offences recorded in the period.",
        "no DA stalking offences: no rate",
    ),
    QualityIndicator(
        "non_da_stalking_without_dash",
        "Non-DA stalking without a DASH",
        STALKING & ~pl.col("is_domestic") & ~pl.col("dash_completed"),
        STALKING & ~pl.col("is_domestic"),
        "Non-DA stalking offences with no DASH form / non-DA stalking offences. A gap where the "
        "force's policy asks for a DASH for every stalking crime (West Yorkshire's did, in "
        "its 2022 profile); where a force screens non-DA stalking with SASH alone, expected.",
    ),
    QualityIndicator(
        "stalking_without_sash",
        "Stalking without a stalking screening",
        STALKING & ~pl.col("sash_completed"),
        STALKING,
        "Stalking offences with no stalking screening (SASH or S-DASH, whichever the force "
        "uses) / stalking "
        "offences recorded in the period.",
    ),
    QualityIndicator(
        "open_after_90_days",
        # not "no outcome after 90 days", which read as offences that took longer than that
        # (helper 44: April to June 2018, 10 of 273 still open; 42 took over 90 days)
        "Still open at the extract, recorded 90+ days before it",
        pl.col("is_open") & pl.col("older_than_90_days"),
        pl.col("older_than_90_days"),
        "Offences recorded 90 or more days before the extract date with no outcome by then / offences recorded 90 or more days before it. An older period's offences have had longer to close, so compare periods with that in mind.",
        "none recorded 90 or more days before the extract yet: no rate",
    ),
    QualityIndicator(
        "missing_ward",
        "No ward recorded",
        pl.col("ward_status") == "missing",
        pl.lit(True),
        "Offences with no ward / offences recorded in the period (they cannot be mapped).",
    ),
    QualityIndicator(
        "unknown_ward",
        "Ward with no boundary loaded in its district",
        pl.col("ward_status") == "unknown",
        pl.lit(True),
        "Offences whose ward has no boundary loaded in the offence's district: a code not "
        "loaded (e.g. an older or newer ward vintage), a ward loaded without its boundary, or "
        "another district's ward / offences recorded in the period. Their district's map "
        "cannot place them.",
    ),
    QualityIndicator(
        "contradictory_screen",
        "Stalking crimes whose risk screen says stalking does not feature",
        STALKING & pl.col("stalking_screen_negative").fill_null(False),
        STALKING & pl.col("stalking_screen_negative").is_not_null(),
        "Stalking offences whose risk assessment recorded that stalking does not feature / stalking offences whose assessment answered the question.",
    ),
    QualityIndicator(
        "da_party_under_16",
        "DA-flagged with a victim or suspect under 16",
        pl.col("is_domestic") & pl.col("da_party_under_16"),
        pl.col("is_domestic"),
        "DA-flagged offences whose victim or suspect was under 16 at recording / DA-flagged "
        "offences recorded in the period (an unknown age is not counted). Domestic abuse is "
        "between people aged 16 or over (Domestic Abuse Act 2021, s.1): check the DA flag; "
        "abuse of someone under 16 is a child safeguarding matter.",
        "no DA offences: no rate",
    ),
)


EXCLUDED_BY_DOMESTIC: dict[str, frozenset[str]] = {
    "all": frozenset(),
    "domestic": frozenset({"non_da_stalking_without_dash"}),
    "non_domestic": frozenset({"da_stalking_without_dash", "da_party_under_16"}),
}


# Indicators that count stalking offences only: nothing to count when the filter has none.
STALKING_ONLY: frozenset[str] = frozenset(
    {
        "da_stalking_without_dash",
        "non_da_stalking_without_dash",
        "stalking_without_sash",
        "contradictory_screen",
    }
)


def indicators_for(
    domestic: str, offence_types: Collection[str] = ("stalking",)
) -> tuple[QualityIndicator, ...]:
    """The indicators that can count anything under a DA choice and offence types (no "DA
    stalking without a DASH" under a non-DA filter, and the reverse; no stalking check when
    the filter holds harassment only), in their usual order."""
    excluded = EXCLUDED_BY_DOMESTIC[domestic] | (
        frozenset() if "stalking" in offence_types else STALKING_ONLY
    )
    return tuple(ind for ind in INDICATORS if ind.key not in excluded)


def quality_indicators(
    counts: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """Each data-quality indicator for the filter: numerator, denominator, rate with its 95%
    Wilson interval, and its definition; a denominator of 0 shows no rate."""
    rows = counts.select(
        *[
            pl.struct(
                pl.lit(ind.key).alias("indicator"),
                pl.lit(ind.label).alias("label"),
                pl.col("offences")
                .filter(ind.numerator.fill_null(False) & ind.denominator.fill_null(False))
                .sum()
                .alias("numerator"),
                pl.col("offences")
                .filter(ind.denominator.fill_null(False))
                .sum()
                .alias("denominator"),
                pl.lit(ind.definition).alias("definition"),
                pl.lit(ind.none_counted, pl.String).alias("none_counted"),
            ).alias(ind.key)
            for ind in INDICATORS
        ]
    )
    long = (
        pl.concat([rows.select(pl.col(ind.key).struct.unnest()) for ind in INDICATORS])
        if counts.height
        else pl.DataFrame(
            {
                "indicator": [i.key for i in INDICATORS],
                "label": [i.label for i in INDICATORS],
                "numerator": [0] * len(INDICATORS),
                "denominator": [0] * len(INDICATORS),
                "definition": [i.definition for i in INDICATORS],
                "none_counted": [i.none_counted for i in INDICATORS],
            },
            schema_overrides={"none_counted": pl.String},
        )
    )
    return with_rate_columns(
        long.cast({"numerator": pl.Int64, "denominator": pl.Int64}),
        small_denominator=small_denominator,
    )


def cyber_rate_by_district(
    counts: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR
) -> pl.DataFrame:
    """Cyber-enabled flag rate per district (offences flagged / offences recorded in the
    period): a district far below the others is likely under-recording the flag."""
    table = (
        counts.group_by("district_code")
        .agg(
            offences_where(pl.col("is_cyber")).alias("numerator"),
            pl.col("offences").sum().alias("denominator"),
        )
        .sort("district_code")
    )
    return with_rate_columns(
        table.cast({"numerator": pl.Int64, "denominator": pl.Int64}),
        small_denominator=small_denominator,
    )
