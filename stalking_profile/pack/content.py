"""What goes into a meeting pack, gathered once from the same panels the pages show (and
suppressed the same way when the gateway reads for publication)."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from stalking_profile import map_panels, panels
from stalking_profile.db import Gateway
from stalking_profile.exports import Provenance
from stalking_profile.filters import ProfileFilter
from stalking_profile.geography import ward_geometry
from stalking_profile.measures.indicators import INDICATORS
from stalking_profile.pack import findings
from stalking_profile.pack.findings import Finding
from stalking_profile.scrutiny.tracker import latest


@dataclass(frozen=True)
class PackContent:
    title: str
    area: str
    period: str
    provenance: Provenance
    headline: pl.DataFrame  # headline_table: figure, value, numerator, denominator, interval
    findings: list[Finding]
    trend: pl.DataFrame  # recorded_month, domestic, non_domestic, rolling_12m_average
    spc: pl.DataFrame  # month, value, mean, upper_limit, lower_limit
    risk: pl.DataFrame  # label, category, rate (the force rows)
    outcome_groups: pl.DataFrame  # group_short, category, share
    quality: pl.DataFrame  # label, numerator, denominator, rate
    map_figure: go.Figure | None
    figures: dict[str, go.Figure]  # the pages' own charts, for the PDF
    definitions: list[tuple[str, str]]
    disclosure: str
    recommendations: pl.DataFrame | None = None  # the tracker's latest status of each


def gather(
    gateway: Gateway,
    flt: ProfileFilter,
    area: str,
    provenance: Provenance,
    tracker: pl.DataFrame | None = None,
) -> PackContent:
    """Everything a pack shows for the filter (an area, a period, stalking or harassment,
    DA and non-DA throughout), and the recommendations tracker's latest statuses if given."""
    below = provenance.suppressed_below or 5
    overview = panels.overview(gateway, flt, 30, 6)
    risk = panels.risk_panel(gateway, flt, 30)
    outcomes = panels.outcomes_panel(gateway, flt, 30)
    quality = panels.quality_panel(gateway, flt, 30)
    spc = panels.trends_spc(gateway, flt, 6, False)
    try:
        geometry = ward_geometry(gateway, flt.districts)
        map_figure = map_panels.hotspot_panel(gateway, flt, geometry, "offences", True).map_figure
    except LookupError:
        map_figure = None
    what = " and ".join(flt.offence_types)
    found = [
        *findings.volume(overview.headline, f"from {flt.describe().split(', ')[-1]}", what, below),
        *findings.domestic_share(overview.headline, below),
        *findings.outcomes(overview.headline),
        *findings.risk(risk.selection),
        *findings.quality(quality.indicators),
    ]
    disclosure = (
        f"Publication mode: non-zero counts under {provenance.suppressed_below} are suppressed "
        f"(shown as <{provenance.suppressed_below} or left out of charts) with the rates that "
        "would give them back; district tables with their totals also have secondary "
        "suppression, so no hidden count can be recovered by subtraction within the table. "
        "Relations between different tables are not checked: review before publishing."
        if provenance.suppressed_below
        else f"Not for publication: no disclosure control applied ({provenance.marking})."
    )
    return PackContent(
        title=f"Stalking problem profile: {area}",
        area=area,
        period=flt.describe(),
        provenance=provenance,
        headline=overview.headline_table.select(
            "figure", "value", "numerator", "denominator", "interval"
        ),
        findings=found,
        trend=overview.trend_table,
        spc=spc.chart.select("month", "value", "mean", "upper_limit", "lower_limit"),
        risk=risk.selection.filter(pl.col("district_code") == "Force").select(
            "label", "category", "rate"
        ),
        outcome_groups=outcomes.groups.select("group_short", "category", "share"),
        quality=quality.indicators.select("label", "numerator", "denominator", "rate"),
        map_figure=map_figure,
        figures={
            "Offences by month, DA and non-DA": overview.trend_figure,
            "Statistical process control": spc.figure,
            "Risk and flags: DA against non-DA": risk.figure,
            "Outcome groups": outcomes.groups_figure,
        },
        definitions=[(indicator.label, indicator.definition) for indicator in INDICATORS],
        disclosure=disclosure,
        recommendations=None if tracker is None else latest_statuses(tracker),
    )


def latest_statuses(tracker: pl.DataFrame) -> pl.DataFrame:
    """Each recommendation's latest dated update: number, theme, owner, date, status."""
    return latest(tracker.filter(pl.col("update_date").is_not_null())).select(
        pl.col("number").cast(pl.String).alias("No."),
        pl.col("theme").alias("Theme"),
        pl.col("owner").alias("Owner"),
        pl.col("update_date").alias("Latest update"),
        pl.col("status").alias("Status as stated"),
    )
