"""What goes into a meeting pack, gathered once from the same panels the pages show (and
suppressed the same way when the gateway reads for publication)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import plotly.graph_objects as go
import polars as pl

from stalking_profile import linked_protection, map_panels, panels, queries
from stalking_profile.config import Settings
from stalking_profile.db import Gateway
from stalking_profile.exports import Provenance
from stalking_profile.filters import DOMESTIC_CHOICES, ROLLING_MONTHS, ProfileFilter, add_months
from stalking_profile.formatting import change_value
from stalking_profile.geography import NoBoundaries, ward_geometry
from stalking_profile.linked_protection import Protected
from stalking_profile.linked_tables import PackTables
from stalking_profile.measures import outcomes, spc
from stalking_profile.measures.categories import FORCE
from stalking_profile.measures.indicators import INDICATORS
from stalking_profile.pack import findings
from stalking_profile.pack.charts import (
    ROLLING_AVERAGE,
    SPC_LINES,
    PackChart,
    line_of,
    pack_charts,
)
from stalking_profile.pack.findings import Finding
from stalking_profile.publication import exact_for_protection, round_counts
from stalking_profile.scrutiny.tracker import latest, whose
from stalking_profile.tables import NO_DATA, SUPPRESSED


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
    risk: pl.DataFrame  # label, category, rate (the selection's rows)
    outcome_groups: pl.DataFrame  # group_short, category, share
    quality: pl.DataFrame  # label, numerator, denominator, rate
    map_figure: go.Figure | None
    charts: list[PackChart]  # trend, SPC, risk, outcomes: native in the deck, Plotly in the PDF
    definitions: list[tuple[str, str]]
    disclosure: str
    # the Trends page's district table as the slide shows it (district_rows), and what it
    # compares with what
    districts: pl.DataFrame | None = None
    districts_note: str = ""
    recommendations: pl.DataFrame | None = None  # the tracker's latest status of each
    recommendations_source: str = ""  # whose they are, where not the force's own (tracker.whose)
    protection: Protected | None = None  # publication mode: the secondary step and its audit


def _page_settings() -> tuple[int, int]:
    """The small-number flag's denominator and the SPC run length the pages are given (the
    deployment's settings): a pack built with 30 and 6 flagged and signalled otherwise than
    the pages of a force that had changed them."""
    settings = Settings.from_env()
    return settings.small_denominator, settings.spc_run_length


def pack_tables(gateway: Gateway, flt: ProfileFilter) -> PackTables:
    """The tables a pack shows, from the same panels the pages show, with the pages' settings
    (in publication mode suppressed as the pages publish them, protected together:
    panels.published_pages)."""
    small, run = _page_settings()
    overview = panels.overview(gateway, flt, small, run)
    trends = panels.trends_page(gateway, flt, run, True)
    return PackTables(
        overview.headline,
        overview.headline_table,
        overview.trend_table,
        # limits recalculated at counting-rule changes, as the Trends page and the Overview's
        # scorecard draw them by default (one mean across April 2020 contradicted them)
        trends.control.chart,
        # the selection's rows: "Force" only when every district is chosen (a district's pack
        # had an empty Risk slide and no risk finding)
        panels.risk_panel(gateway, flt, small).selection,
        panels.outcomes_panel(gateway, flt, small).groups,
        panels.quality_panel(gateway, flt, small).indicators,
        trends.comparison.table,
    )


def _change_q(gateway: Gateway, flt: ProfileFilter) -> float | None:
    """The change's q-value on the Trends page's district table, as the page publishes it
    (its row for the selection and the DA choice; None where there is none or it is
    withheld): the page marks a change more than chance only where q < 0.05."""
    table = panels.trends_comparison(gateway, flt).table
    if gateway.publication:  # as the Trends page publishes it, protected with the others
        table = panels.trends_page(gateway, flt, _page_settings()[1], True).comparison.table
    row = table.filter(
        (pl.col("district_code") == panels.selection_of(gateway, flt))
        & (pl.col("category") == flt.domestic)
    )
    return row["q_value"][0] if row.height else None


def _risk_tests(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """The Risk page's tests of DA against non-DA for the selection, as the page publishes
    them (flag, q_value; a q-value withheld is null)."""
    comparison = panels.risk_panel(gateway, flt, _page_settings()[0]).comparison
    if "q_value" not in comparison.columns:
        return pl.DataFrame(schema={"flag": pl.String, "q_value": pl.Float64})
    return comparison.filter(pl.col("district_code") == panels.selection_of(gateway, flt)).select(
        "flag", "q_value"
    )


def _offences_of(domestic: str) -> str:
    """The DA choice as the findings put it before "stalking offences": nothing for both,
    "DA " or "non-DA " (filters.DOMESTIC_CHOICES, in a sentence)."""
    return "" if domestic == "all" else DOMESTIC_CHOICES[domestic].replace("Non-", "non-") + " "


def with_no_value(
    charts: list[PackChart], months: list[date], data_start: date, withheld: bool
) -> list[PackChart]:
    """The pack's charts told which of their gaps have no value, so that none is called
    withheld that is not (helper 71: an analyst's pack of January 2019 called its blank
    12-month average and process limits withheld in publication mode). Where nothing is
    withheld, every gap. Where counts are withheld (`withheld`), only the gaps the period
    alone explains, which tell a reader no count: the 12-month average before 12 months of
    data (from `data_start`; `months`: the trend chart's), and a run chart's process limits
    (under spc.MINIMUM_POINTS months). A rate with nothing to divide by is not told there: a
    withheld 0 would be."""
    if not withheld:
        return [
            replace(c, no_value={n: [v is None for v in vs] for n, vs in c.series.items()})
            for c in charts
        ]
    first_average = add_months(data_start, ROLLING_MONTHS - 1)
    trend, control, *others = charts
    run_chart = len(control.categories) < spc.MINIMUM_POINTS
    limits = SPC_LINES[1:]  # the limits, not the mean
    return [
        replace(trend, no_value={ROLLING_AVERAGE: [m < first_average for m in months]}),
        replace(
            control,
            no_value={  # outside a segment, or a month not marked: no value, not withheld
                name: [
                    outside or (run_chart and line_of(name) in limits)
                    for outside in control.no_value.get(name, [False] * len(values))
                ]
                for name, values in control.series.items()
            },
        ),
        *others,
    ]


def district_rows(
    comparison: pl.DataFrame, names: dict[str, str], domestic: str, compared: bool = True
) -> pl.DataFrame:
    """The Trends page's district table as a slide shows it: a row per district (its code and
    name, as the sidebar names it) and the selection's or the force's; this period's offences
    for each DA choice shown (DA, non-DA and both where the pack is for both), then the chosen
    one's previous period and change, as text. A count withheld reads "suppressed", and so
    does a change beside one (the change and the count shown gave it back: -60% of 5 is 2).
    Not `compared` (the data hold none of the period before), the previous period and the
    change read "no data": an internal pack of April to May 2018 called them all suppressed
    (helper 91).

    >>> table = pl.DataFrame({"district_code": ["CD", "Force"], "category": ["all", "all"],
    ...     "current": [12, None], "previous": [10, 40], "change_pct": [20.0, None]})
    >>> district_rows(table, {"CD": "Calderdale"}, "all").rows()
    [('CD Calderdale', '12', '10', '+20.0%'), ('Force', 'suppressed', '40', 'suppressed')]
    >>> first = table.with_columns(previous=None, change_pct=None)
    >>> district_rows(first, {"CD": "Calderdale"}, "all", compared=False).rows()[0]
    ('CD Calderdale', '12', 'no data', 'no data')
    """
    every = ("domestic", "non_domestic", "all") if domestic == "all" else (domestic,)
    shown = [c for c in every if c in set(comparison["category"])]
    rows = {
        (row["district_code"], row["category"]): row for row in comparison.iter_rows(named=True)
    }
    areas = comparison["district_code"].unique(maintain_order=True).to_list()

    def count(value: int | None) -> str:
        return SUPPRESSED if value is None else f"{value:,}"

    lines = []
    for area in areas:
        line = {"District": f"{area} {names[area]}" if area in names else area}
        for category in shown:
            line[DOMESTIC_CHOICES[category]] = count(rows[area, category]["current"])
        mine = rows[area, domestic]  # the pack's own DA choice: both, DA or non-DA
        line["Previous period"] = count(mine["previous"]) if compared else NO_DATA
        withheld = mine["current"] is None or mine["previous"] is None
        line["Change"] = (
            NO_DATA
            if not compared
            else SUPPRESSED
            if withheld
            else change_value(
                {
                    "value": None if mine["change_pct"] is None else mine["change_pct"] / 100,
                    "denominator": mine["previous"],
                }
            )
        )
        lines.append(line)
    return pl.DataFrame(lines)


def _charted(
    tables: PackTables,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The pack tables' columns its charts draw: the trend, the SPC chart (lower limits at
    0), the risk rates and the outcome groups' shares."""
    return (
        tables.trend,
        spc.with_count_floor(
            tables.spc.select(
                "month",
                "value",
                "mean",
                "upper_limit",
                "lower_limit",
                *(c for c in ("partition", "special_cause", "side") if c in tables.spc.columns),
            )
        ),
        tables.risk.select("label", "category", "rate"),
        tables.outcomes.select("group_short", "category", "share"),
    )


def gather(
    gateway: Gateway,
    flt: ProfileFilter,
    area: str,
    provenance: Provenance,
    tracker: pl.DataFrame | None = None,
) -> PackContent:
    """Everything a pack shows for the filter (an area, a period, stalking or harassment,
    DA and non-DA throughout), and the recommendations tracker's latest statuses if given.
    In publication mode the tables, charts and findings are those left after secondary
    suppression across the whole pack (linked_tables.py)."""
    below = provenance.suppressed_below or 5
    exact = exact_for_protection(gateway)  # protected from exact counts, rounded after
    tables = pack_tables(exact, flt)
    try:
        geometry = ward_geometry(gateway, flt.districts)
        map_figure = map_panels.ward_map(gateway, flt, geometry, "offences")
    except NoBoundaries:
        map_figure = None
    protected = None
    if provenance.suppressed_below:
        protected = linked_protection.protect(tables.named(), flt.domestic, below)
        shown = protected.tables
        if provenance.rounded_to > 1:
            shown = round_counts(shown, provenance.rounded_to)
        tables = tables.with_tables(shown)
    # counts hidden by a secondary step (the pages', then the pack's): not small
    steps = [] if protected is None else [protected]
    if protected is not None and exact.publication:
        steps.append(panels.published_pages(exact, flt))
    further = _hidden_further(steps)
    # the DA choice too: a non-DA pack said "11 stalking offences" of Calderdale's 189
    what = _offences_of(flt.domestic) + " and ".join(flt.offence_types)
    overview = panels.overview(exact, flt, *_page_settings())
    period_end = flt.last_day
    extract_date = queries.dataset_info(exact).extract_date
    # the open count only where counts are not protected: publication mode says the dates
    provisional = (
        outcomes.provisional_note(None, None, extract_date, period_end)
        if provenance.suppressed_below
        else overview.outcomes_note
    )
    found = [
        *findings.volume(
            tables.headline,
            ("in " if flt.start_month == flt.end_month else "from ") + flt.period_text,
            what,
            # the pages' warning: part of a change across a counting-rule change is the rule
            overview.change_warning,
            flt.comparison(queries.dataset_info(exact).first_month),
            _change_q(gateway, flt),
            flt.year_earlier(queries.dataset_info(exact).first_month),
        ),
        *findings.control(tables.spc),
        *findings.domestic_share(tables.headline),
        *findings.outcomes(tables.headline),
        *([Finding(provisional, "outcome rates, open offences")] if provisional else []),
        *findings.risk(tables.risk, _risk_tests(gateway, flt)),
        *findings.quality(tables.quality),
    ]
    trend, spc_rows, risk_rows, groups = _charted(tables)
    charts = with_no_value(
        pack_charts(trend, spc_rows, risk_rows, groups, flt.domestic),
        trend["recorded_month"].to_list(),
        queries.dataset_info(exact).first_month,
        withheld=protected is not None,
    )
    return PackContent(
        title=f"Stalking problem profile: {area}",
        area=area,
        # the whole force's pack said "BD, CD, KD, LD, WD" (helper 51)
        period=flt.describe(
            "all districts" if panels.selection_of(gateway, flt) == FORCE else None
        ),
        provenance=provenance,
        headline=tables.headline_text.select(
            "figure", "value", "numerator", "denominator", "interval"
        ),
        findings=found,
        trend=trend,
        spc=spc_rows,
        risk=risk_rows,
        outcome_groups=groups,
        quality=tables.quality.select("label", "numerator", "denominator", "rate"),
        map_figure=map_figure,
        charts=charts,
        definitions=[
            (indicator.label, indicator.definition.removeprefix(f"{indicator.label}: "))
            for indicator in INDICATORS
        ],
        disclosure=disclosure_statement(provenance, protected, further),
        districts=district_rows(
            tables.comparison,
            _district_names(gateway),
            flt.domestic,
            compared=flt.comparison(queries.dataset_info(exact).first_month).previous is not None,
        ),
        districts_note=panels.trends_comparison(exact, flt).note_in_words,
        recommendations=None if tracker is None else latest_statuses(tracker),
        recommendations_source="" if tracker is None else whose(tracker),
        protection=protected,
    )


def _district_names(gateway: Gateway) -> dict[str, str]:
    districts = queries.districts(gateway)
    return dict(zip(districts["district_code"], districts["district_name"], strict=True))


def _hidden_further(steps: list[Protected]) -> int:
    """How many of the pack's counts the secondary steps hid (the pack's own, and the pages'
    beside it where the pack shows the same count), not for being small themselves."""
    if not steps:
        return 0
    pack = steps[0]
    return len(
        pack.hidden | {key for step in steps[1:] for key in step.hidden if key in pack.places}
    )


def _in_words(number: int) -> str:
    """Small numbers in words, so that a statement about suppression holds no small digit."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[number] if number < len(words) else f"{number:,}"


def disclosure_statement(provenance: Provenance, protected: Protected | None, further: int) -> str:
    """What disclosure control the pack had, in words (on its title slide and in its notes);
    `further`: how many counts secondary suppression hid (_hidden_further)."""
    below = provenance.suppressed_below
    if not below or protected is None:
        return f"Not for publication: no disclosure control applied ({provenance.marking})."
    fewest = protected.fewest_values
    proof = (
        f"an attacker can narrow no suppressed count to fewer than {fewest:,.0f} possible values"
        if fewest != float("inf")
        else "no hidden count can be narrowed at all"
    )
    rounding = (
        f" The other counts are rounded to the nearest {_in_words(provenance.rounded_to)} (the ONS "
        "style), each on its own, so rounded parts may not add up to their rounded total; "
        "rates, averages and SPC means are worked out from the unrounded counts (a mean "
        "over its months gives their exact total), so the check below reads every count "
        "shown as exact."
        if provenance.rounded_to
        else ""
    )
    return (
        f"Publication mode: non-zero counts under {below} are suppressed (shown as suppressed "
        f"or left out of charts) with the rates that would give them back.{rounding} Secondary "
        "suppression "
        f"across the whole pack and the pages beside it then hid {_in_words(further)} further "
        f"count{'' if further == 1 else 's'} (shown as suppressed; zeros are "
        "shown, and hidden only where nothing else would do) so that none "
        "can be recovered by subtraction: DA + non-DA = all, months = the period and rolling "
        "totals, outcome groups = offences; a total less a part of it shown beside it "
        "(offences less those with a DASH form), and any other count no table shows that the "
        "sums give (the districts not selected), is kept as wide as a hidden count where it is "
        f"small; checked by solving for every hidden count ({proof}). SPC limits are not "
        "linear in the counts, so they are left off wherever a month is withheld. Not "
        "modelled: ward map colours (a suppressed ward is drawn grey); figures "
        "published for another period, which are protected on their own: two periods that "
        "overlap can be differenced (publish periods that do not, such as financial years); "
        "figures published under another rule (this threshold beside the ONS style's), "
        "which are protected on their own too: publish under one rule. "
        "Publication mode gives the whole force (each district's rows are on the dashboard's "
        "pages: the Trends page's district table), one offence type at a time; "
        "DA, non-DA and both are protected as one; civil orders are given for DA and "
        "non-DA together only."
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
