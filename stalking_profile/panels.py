"""What each page shows for a filter: frames and figures assembled from queries and measures.

Each function takes plain arguments (a gateway, a filter, settings) and returns a frozen
dataclass of Polars frames and Plotly figures, so pages only lay them out and tests can check
them without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import plotly.graph_objects as go
import polars as pl

from stalking_profile import (
    charts,
    formatting,
    linked_figures,
    linked_protection,
    linked_tables,
    queries,
)
from stalking_profile.config import SMALL_DENOMINATOR, SPC_RUN_LENGTH, Settings
from stalking_profile.db import Gateway
from stalking_profile.filters import (
    DOMESTIC_CHOICES,
    DOMESTIC_KEYS,
    ROLLING_MONTHS,
    Comparison,
    Domestic,
    ProfileFilter,
    add_months,
    apply_domestic,
    months_between,
)
from stalking_profile.measures import (
    funnel,
    headline,
    outcomes,
    quality,
    repeats,
    risk,
    scorecard,
    spc,
    volumes,
)
from stalking_profile.measures.categories import FORCE, roll_up_areas, selection_name
from stalking_profile.measures.indicators import BY_KEY, Indicator
from stalking_profile.publication import built_once_when_published, publishable, rounded_last
from stalking_profile.recording_rules import (
    changes_between,
    lookbacks_across_changes,
    recording_rule_changes,
    series_breaks,
)
from stalking_profile.tables import SPC_VARIATION_WITHHELD

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

PanelT = TypeVar("PanelT", bound="DataclassInstance")  # a panel (a dataclass)
SCORECARD_MONTHS = 36
BORROWED_LOOKBACK = volumes.BORROWED_PAIRS + 1  # months before a month that pairs reach


def _titled(title: str, flt: ProfileFilter) -> str:
    """A chart title with the filter it shows as its subtitle (so a non-DA chart says so)."""
    return charts.subtitled(title, flt.describe())


def _district_codes(flt: ProfileFilter) -> list[str]:
    return list(flt.districts)


def whole_force(gateway: Gateway, flt: ProfileFilter) -> ProfileFilter:
    """The filter widened to every district (a table's "Force")."""
    return flt.with_districts(tuple(queries.districts(gateway)["district_code"].to_list()))


def _force_scope(gateway: Gateway, flt: ProfileFilter) -> tuple[ProfileFilter, dict]:
    """The filter widened to every district, and the roll-up columns a district table shows
    ("Selected districts" when that differs from one district and from the force; "Force")."""
    force = whole_force(gateway, flt)
    return force, roll_up_areas(flt.districts, force.districts)


def selection_of(gateway: Gateway, flt: ProfileFilter) -> str:
    """The name of the row or column that holds the filter's districts (selection_name)."""
    every = queries.districts(gateway)["district_code"].to_list()
    return selection_name(flt.districts, every)


def _categories(flt: ProfileFilter) -> tuple[Domestic, ...]:
    return ("domestic", "non_domestic") if flt.domestic == "all" else (flt.domestic,)


def _categories_and_all(flt: ProfileFilter) -> list[Domestic]:
    """The categories a page's table shows: DA, non-DA and all when the filter takes all
    offences, otherwise the filter's own."""
    return [*_categories(flt), "all"] if flt.domestic == "all" else [flt.domestic]


# A table of rates with intervals as a page shows it (beneath its chart, with is_small).
RATE_COLUMNS = ("label", "category", "numerator", "denominator", "rate", "lower", "upper")
RATES_SHOWN = (*RATE_COLUMNS, "is_small")


@dataclass(frozen=True)
class OverviewPanel:
    headline: pl.DataFrame
    headline_table: pl.DataFrame
    trend_table: pl.DataFrame
    trend_figure: go.Figure
    scorecard: pl.DataFrame
    scorecard_charts: charts.LazyFigures  # one per indicator, drawn when first shown
    offences_chart: pl.DataFrame  # the offences card's XmR chart (month, value, partition, mean)
    scorecard_note: str | None = None  # what publication mode left off the scorecard, and why
    change_warning: str | None = None  # the compared periods straddle a counting-rule change
    comparison: str = ""  # what the change compares (Comparison.describe)
    outcomes_loaded: bool = True  # False: the database holds no outcome (queries.outcomes_loaded)
    outcomes_note: str = ""  # what the outcome rates cannot count yet (outcomes.provisional_note)

    @cached_property
    def scorecard_table(self) -> pl.DataFrame:
        """The scorecard as the page lists it (made once per panel: the panel is shared)."""
        return formatting.scorecard_display(self.scorecard)

    def scorecard_caption(self, run_length: int) -> str:
        """What the scorecard's caption says of it (the run length: the deployment's SPC
        rule). It read "Each indicator's last 1 months" over one month of data."""
        months = int(self.scorecard["months"][0]) if self.scorecard.height else 0
        span = "one month" if months == 1 else f"last {months:,} months"
        return (
            f"Each indicator's {span} on an XmR chart "
            f"(NHS England Making Data Count rules, runs of {run_length}); the variation is "
            # a rate's chart had fewer points than the months named, unexplained (helper 89)
            "that of the latest month; a rate has no point in a month with no offences. No "
            "targets are set, so there is no assurance icon. "
            "Outcome rates are left off: recent months' offences are still open (see Outcomes "
            "for rates within 90 and 180 days). Pick a row, or an indicator under the table, to see its chart."
        )


@rounded_last
def overview(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int, run_length: int
) -> OverviewPanel:
    """Headline figures with intervals, the monthly trend, and the SPC scorecard (over the
    months the data cover: never months before the first recorded month, counted as zero).
    In publication mode the headline, trend and offences card are protected together. Where
    the database holds no outcome, the outcome rates are blank ('no outcomes loaded'), not 0%."""
    panel = _protected_overview(gateway, flt, small_denominator, run_length)
    if queries.outcomes_loaded(gateway):
        return panel
    headline, table = formatting.without_outcomes(panel.headline, panel.headline_table)
    return replace(
        panel, headline=headline, headline_table=table, outcomes_loaded=False, outcomes_note=""
    )


def _protected_overview(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int, run_length: int
) -> OverviewPanel:
    """`overview` as published: in publication mode, protected across the pages."""
    panel = _overview(gateway, flt, small_denominator, run_length)
    protected = protected_across_pages(gateway, flt, _overview_tables(panel))
    if protected is None:
        return panel
    extract_date = queries.dataset_info(gateway).extract_date
    period_end = flt.last_day
    hidden = linked_figures.hidden_months(protected, "spc", "month")
    card, means = hidden.get("value", set()), hidden.get("mean", set())
    detail = linked_protection.spc_detail_withheld(protected.tables["spc"])
    offences = pl.col("indicator") == "offences"
    # the offences card's mean as its chart publishes it (withhold_spc_detail): the card had
    # blanked it beside a small latest month only, which told the month was the small one
    spc_means = dict(
        zip(protected.tables["spc"]["month"], protected.tables["spc"]["mean"], strict=True)
    )
    card_mean = pl.col("latest_month").replace_strict(
        spc_means, default=None, return_dtype=pl.Float64
    )
    return replace(
        panel,
        headline=protected.tables["headline"],
        headline_table=protected.tables["headline_text"],
        trend_table=protected.tables["trend"],
        trend_figure=linked_figures.trend_as_published(
            panel.trend_figure, _trend_points(protected, flt), protected.tables["trend"]
        ),
        offences_chart=protected.tables["spc"],
        scorecard_charts=panel.scorecard_charts.only(PUBLISHED_SCORECARD).replacing(
            "offences",
            lambda figure: linked_figures.hide_spc(figure, protected, "spc"),
        ),
        scorecard_note=PUBLISHED_SCORECARD_NOTE,
        # the open count is not among the counts protected: said by dates alone
        outcomes_note=outcomes.provisional_note(None, None, extract_date, period_end),
        scorecard=panel.scorecard.filter(
            pl.col("indicator").is_in(PUBLISHED_SCORECARD)
        ).with_columns(
            pl.when(offences & pl.col("latest_month").is_in(sorted(card)))
            .then(None)
            .otherwise(pl.col("latest_value"))
            .alias("latest_value"),
            pl.when(offences).then(card_mean).otherwise(pl.col("mean")).alias("mean"),
            *(
                pl.when(offences & (pl.col("latest_month").is_in(sorted(means)) | detail))
                .then(None)
                .otherwise(pl.col(column))
                .alias(column)
                for column in ("lower_limit", "upper_limit")
            ),
            pl.when(offences & detail)
            .then(pl.lit(SPC_VARIATION_WITHHELD))
            .otherwise(pl.col("variation"))
            .alias("variation"),
        ),
    )


def _overview_tables(panel: OverviewPanel) -> dict[str, pl.DataFrame]:
    return {
        "headline": panel.headline,
        "headline_text": panel.headline_table,
        "trend": panel.trend_table,
        "spc": panel.offences_chart,
    }


def published_pages(gateway: Gateway, flt: ProfileFilter) -> linked_protection.Protected:
    """In publication mode, the tables of the pages that show the same counts (Overview,
    Trends, Outcomes, Risk and flags, Data quality, Repeats) for the filter, protected
    together: a count hidden on one page for protection is hidden on every page, so none comes
    back from another page's (Calderdale, September 2021: the Overview's 46 offences less the
    Risk page's 44 DA offences gave non-DA's withheld 2 back). Worked out once per filter and
    rule on a snapshot (Gateway.remembered); each page then hides the same cells in its own
    tables (linked_protection.protect_with). The tables hold exact counts
    (publication.rounded_last). The pages for DA, non-DA and both are protected as one and
    worked out together (linked_protection.protect_choices): protected apart, a count shown
    under one choice was withheld under another."""
    access = gateway.access
    if access is None or not gateway.publication or access.round_to > 1:
        raise ValueError("the pages are protected together in publication mode, unrounded")
    below = access.suppress_below
    both = replace(flt, domestic="all")
    choices = gateway.remembered(
        ("published pages", both, below),
        lambda: linked_protection.protect_choices(
            {
                choice: _shared_tables(gateway, chosen)
                for choice, chosen in _every_choice(flt).items()
            },
            below,
        ),
    )
    return choices[flt.domestic]


def _shared_tables(gateway: Gateway, flt: ProfileFilter) -> dict[str, pl.DataFrame]:
    """Every table of the pages published together (published_pages), as each page builds it
    (the settings change no count: the defaults are used)."""
    small, run = SMALL_DENOMINATOR, SPC_RUN_LENGTH
    return {
        **_overview_tables(_overview(gateway, flt, small, run)),
        **{
            _TRENDS_SPC[recalculate]: trends_spc(gateway, flt, run, recalculate).chart
            for recalculate in (True, False)
        },
        "comparison": trends_comparison(gateway, flt).table,
        **_risk_tables(_risk_panel(gateway, flt, small)),
        **_tables_of(_outcomes_panel(gateway, flt, small), _OUTCOME_TABLES),
        **(
            _tables_of(_quality_panel(gateway, flt, small), _QUALITY_TABLES)
            if _quality_shared(flt)
            else {}
        ),
        **_tables_of(_repeats_panel(gateway, flt, *_serial_rule()), _REPEATS_TABLES),
    }


def _serial_rule() -> tuple[int, int]:
    """The serial-perpetrator rule the Repeats page is given (the deployment's settings)."""
    settings = Settings.from_env()
    return settings.serial_victims, settings.serial_years


def _quality_shared(flt: ProfileFilter) -> bool:
    """Whether the Data quality page's counts are the other pages' (its DASH and screening
    indicators count stalking only: with harassment in the filter they are other counts, and
    the page is protected beside the others, linked_tables.QUALITY_WITH_HARASSMENT)."""
    return flt.offence_types == ("stalking",)


def protected_beside_pages(
    gateway: Gateway, flt: ProfileFilter, tables: dict[str, pl.DataFrame]
) -> linked_protection.Protected | None:
    """A page's tables protected beside the pages published together (published_pages): the
    counts it shares with them are as those pages publish them (known to an attacker, or
    hidden here too), and the attacker's audit reads the page with their counts and sums, so
    nothing here narrows a count they hide; only this page's cells are hidden for it. For a
    page whose own counts are many and link to the others' only through a few totals (the
    Hotspot maps page's wards: the period's offences; the Victims and suspects page's totals).
    None (nothing to do) outside publication mode."""
    access = gateway.access
    if not gateway.publication or access is None:
        return None
    others = published_pages(gateway, flt)
    return linked_protection.protect(
        tables, flt.domestic, access.suppress_below, others.as_published(), frozenset(others.hidden)
    )


def protected_beside_pages_for_every_choice(
    gateway: Gateway,
    flt: ProfileFilter,
    page: str,
    tables: Callable[[ProfileFilter], dict[str, pl.DataFrame]],
) -> linked_protection.Protected | None:
    """As protected_beside_pages, for a page whose counts for both are its DA and non-DA
    counts (the Hotspot maps page's wards): its tables for the three DA choices (`tables`
    of the filter under each) protected as one (linked_protection.protect_choices_beside), worked
    out once for the three under `page`. None (nothing to do) outside publication mode."""
    access = gateway.access
    if not gateway.publication or access is None:
        return None
    below = access.suppress_below
    every = _every_choice(flt)
    joint = gateway.remembered(
        (page, every["all"], below),
        lambda: linked_protection.protect_choices_beside(
            {choice: tables(chosen) for choice, chosen in every.items()},
            _pages_of_every_choice(gateway, flt),
            below,
        ),
    )
    return joint[flt.domestic]


def protected_beside_every_choice(
    gateway: Gateway, flt: ProfileFilter, tables: dict[str, pl.DataFrame]
) -> linked_protection.Protected | None:
    """As protected_beside_pages, for the filter for both, beside the three DA choices'
    pages read side by side (linked_protection.protect_beside_every_choice): for a page whose
    tables split their counts into DA and non-DA (the Victims and suspects page)."""
    access = gateway.access
    if not gateway.publication or access is None:
        return None
    pages = _pages_of_every_choice(gateway, flt)
    return linked_protection.protect_beside_every_choice(tables, pages, access.suppress_below)


def _every_choice(flt: ProfileFilter) -> dict[Domestic, ProfileFilter]:
    """The filter under each DA choice, "all" first."""
    return {choice: replace(flt, domestic=choice) for choice in DOMESTIC_KEYS}


def _pages_of_every_choice(
    gateway: Gateway, flt: ProfileFilter
) -> dict[Domestic, linked_protection.Protected]:
    """published_pages for the filter under each DA choice (worked out together, once)."""
    return {choice: published_pages(gateway, f) for choice, f in _every_choice(flt).items()}


def protected_across_pages(
    gateway: Gateway, flt: ProfileFilter, tables: dict[str, pl.DataFrame]
) -> linked_protection.Protected | None:
    """A page's tables as they are published with the other pages' (published_pages); None
    (nothing to do) outside publication mode."""
    if not gateway.publication or gateway.access is None:
        return None
    return linked_protection.protect_with(published_pages(gateway, flt), tables)


def _tables_of(panel: object, names: Mapping[str, str]) -> dict[str, pl.DataFrame]:
    """A panel's tables under their names in the pages' shared protection (`names`: name
    there -> the panel's field)."""
    return {name: getattr(panel, field) for name, field in names.items()}


def _as_protected(
    panel: PanelT, protected: linked_protection.Protected, names: Mapping[str, str]
) -> PanelT:
    """The panel with its tables (`names`, as for _tables_of) as protection left them."""
    return replace(panel, **{field: protected.tables[name] for name, field in names.items()})


# The Trends page's SPC table, with and without limits recalculated at rule changes: both are
# protected with the pages, whichever the page shows.
_TRENDS_SPC = {True: "spc@breaks", False: "spc@flat"}


# In publication mode the scorecard keeps its counts, protected with the page's other tables. A
# month's rate beside that month's offences (the trend table) gives its count back, however
# small (20% of 5 offences is 1 arrest), so the rates' rows and charts are left off.
PUBLISHED_SCORECARD = tuple(ind.key for ind in scorecard.INDICATORS if not ind.is_rate)
# the Outcomes page: why its rates within 90 and 180 days count only offences followed up that long
OPEN_CASES_NOTE = (
    "Open cases bias the figures above: an offence recorded last month has had no time "
    "for an outcome. So the rates here count only offences recorded at least 90 (or 180) "
    "days before the extract date, and the median time to outcome (Kaplan-Meier) counts "
    "open offences as followed up to the extract date instead of leaving them out. "
    "Outcome rates are not on the Overview scorecard for the same reason. An offence "
    "counts at the date of its outcome as at the extract, the latest: one whose outcome "
    "was replaced (an 18 at day 26 by a 15 at day 153) counts at the later date, so an "
    "earlier period, whose outcomes have had longer to be replaced, can read a little lower."
)

# the Outcomes page's median days to an outcome ({small}: the deployment's small denominator)
DAYS_BETWEEN_NOTE = (
    "Days from each offence to the same suspect's next, both recorded in the period (a "
    "suspect's offences before or after it are not seen). DA pairs DA offences, non-DA "
    "non-DA; DA and non-DA pairs each offence with the one before it of either, so it also "
    "counts the days from a DA to a non-DA offence. Quartiles and median by linear "
    "interpolation, as the time to an order."
)
NO_OUTCOMES_NOTE = (
    "No outcomes are loaded: every offence reads as open, so the outcome rates are not shown "
    "(they would read 0%, as if no offence were charged). Import outcome histories, or an "
    "extract with its outcome columns, on the Data page."
)
MEDIAN_DAYS_NOTE = (
    "Median days from the recorded date to the latest outcome, over offences that have "
    "one; open offences are not counted, so recent periods understate the time. A median "
    "over fewer than {small} offences is marked as small "
    "numbers."
)


PUBLISHED_SCORECARD_NOTE = (
    "Publication mode shows the offences row only: a month's rate beside that month's offences "
    "would give back its count, however small. The period's rates are in the headline figures."
)


def _trend_points(
    protected: linked_protection.Protected, flt: ProfileFilter
) -> dict[str, set[date]]:
    """The monthly trend chart's points that secondary suppression hid, by trace name."""
    months = linked_figures.hidden_months(protected, "trend", "recorded_month")
    traces = {c: f"{DOMESTIC_CHOICES[c]} per month" for c in ("domestic", "non_domestic")}
    traces["rolling_12m_total"] = "Rolling 12-month total"
    if flt.domestic != "all":
        traces["offences_total"] = traces[flt.domestic]
    points: dict[str, set[date]] = {}
    for column, hidden in months.items():
        if column in traces:
            points.setdefault(traces[column], set()).update(hidden)
    return points


@built_once_when_published
@publishable
def _overview(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int, run_length: int
) -> OverviewPanel:
    data_start = queries.dataset_info(gateway).first_month
    compared = flt.comparison(data_start)
    before, now = compared.previous, compared.current
    # The page's reads (and its trend panel), started together: see Gateway.start.
    current = gateway.start(lambda: queries.offence_counts(gateway, flt))
    previous = (
        None if before is None else gateway.start(lambda: queries.offence_counts(gateway, before))
    )
    change_current = gateway.start(lambda: queries.offence_counts(gateway, now))
    year = flt.year_earlier(data_start)
    year_now = (
        None
        if year is None
        else gateway.start(lambda: queries.offence_counts(gateway, year.current))
    )
    year_before = None if year is None else gateway.start(lambda: _counts(gateway, year.previous))
    history_read = gateway.start(
        lambda: queries.offence_counts(gateway, flt, lookback_months=SCORECARD_MONTHS)
    )
    trend_read = gateway.start(lambda: trends_volume(gateway, flt))
    breaks_since_start = series_breaks(flt.offence_types, data_start, flt.end_month)
    figures = headline.headline_indicators(
        current.result(),
        None if previous is None else previous.result(),
        flt.domestic,
        small_denominator,
        change_current=change_current.result(),
        change_label=compared.change_label,
        like_for_like=compared.like_for_like,
        days=compared.days() if before is not None else (1, 1),
        months=_compared_months(compared),
        year_earlier=None
        if year is None or year_now is None or year_before is None
        else headline.YearEarlier(
            year_now.result(),
            year_before.result(),
            year.change_label,
            year.days() if year.previous is not None else (1, 1),
            _compared_months(year),
            _borrowed_pairs(year, data_start, breaks_since_start),
        ),
        history=history_read.result(),  # SCORECARD_MONTHS before: every pair borrowed
        pairs=_borrowed_pairs(compared, data_start, breaks_since_start),
    )
    trend = trend_read.result()
    first = max(add_months(flt.end_month, -(SCORECARD_MONTHS - 1)), data_start)
    history = apply_domestic(history_read.result(), flt.domestic)
    monthly = scorecard.monthly_indicators(history, first, flt.end_month)
    breaks = series_breaks(flt.offence_types, first, flt.end_month)
    changes = recording_rule_changes(flt.offence_types, first, flt.end_month)
    card = scorecard.scorecard(monthly, breaks, run_length)
    offences_chart = scorecard.indicator_chart(
        monthly, "offences", breaks, run_length
    ).with_columns(
        pl.col("value").cast(pl.Int64)  # counts, rounded as counts in the ONS style
    )
    period = flt.with_period(first, flt.end_month).describe()

    def card_chart(ind: Indicator) -> Callable[[], go.Figure]:
        return lambda: charts.spc_figure(
            scorecard.indicator_chart(monthly, ind.key, breaks, run_length),
            f"{ind.label}: {period}",
            run_length,
            ind.is_rate,
            changes,
        )

    card_charts = charts.LazyFigures({ind.key: card_chart(ind) for ind in scorecard.INDICATORS})
    return OverviewPanel(
        figures,
        formatting.headline_table(figures),
        trend.table,
        trend.figure,
        card,
        card_charts,
        offences_chart,
        change_warning=" ".join(
            w for c in (compared, year) if c is not None and (w := _change_warning(c, flt))
        )
        or None,
        comparison=" ".join(c.describe() for c in (compared, year) if c is not None),
        outcomes_note=_provisional(
            apply_domestic(current.result(), flt.domestic),
            queries.dataset_info(gateway).extract_date,
            flt,
        ),
    )


def _provisional(counts: pl.DataFrame, extract_date: date | None, flt: ProfileFilter) -> str:
    """outcomes.provisional_note for the filter's counts (offence_counts, its DA choice)."""
    period_end = flt.last_day
    open_offences, offences = counts.select(pl.sum("outcome_open", "offences")).row(0)
    return outcomes.provisional_note(open_offences, offences, extract_date, period_end)


def _counts(gateway: Gateway, flt: ProfileFilter | None) -> pl.DataFrame | None:
    """The filter's offence counts (None: no period to count)."""
    return None if flt is None else queries.offence_counts(gateway, flt)


def _crossed_changes(compared: Comparison, flt: ProfileFilter) -> list[dict]:
    """The counting-rule changes between the previous period's start and this one's end."""
    if compared.previous is None:
        return []
    crossing = changes_between(
        flt.offence_types, compared.previous.start_month, compared.current.end_month
    )
    return list(crossing.iter_rows(named=True))


def _change_warning(compared: Comparison, flt: ProfileFilter) -> str | None:
    """A warning when the change on the previous period (or on a year earlier) crosses a
    counting-rule change (helper 54: the force's +268.3% on a year earlier, July to September
    2020, crossed April 2020's with nothing said)."""
    against = "a year earlier" if compared.year_earlier else "the previous period"
    return (
        " ".join(
            f"The change on {against} straddles a counting-rule change "
            f"({change['date']:%B %Y}: {change['label']}): part of it is the rule, not behaviour."
            for change in _crossed_changes(compared, flt)
        )
        or None
    )


@dataclass(frozen=True)
class VolumePanel:
    table: pl.DataFrame
    figure: go.Figure


@built_once_when_published
@publishable
def trends_volume(gateway: Gateway, flt: ProfileFilter) -> VolumePanel:
    """Monthly offences by DA / non-DA with the rolling 12-month total, rule changes marked."""
    counts = apply_domestic(
        queries.offence_counts(gateway, flt, lookback_months=ROLLING_MONTHS - 1), flt.domestic
    )
    by_category = volumes.monthly_by_category(counts, flt.start_month, flt.end_month).filter(
        pl.col("category").is_in(_categories(flt))
    )
    rolling = volumes.rolling_12m_series(counts, flt, queries.dataset_info(gateway).first_month)
    changes = recording_rule_changes(flt.offence_types, flt.start_month, flt.end_month)
    figure = charts.monthly_trend_figure(
        by_category, rolling, _titled("Offences per month and rolling 12-month total", flt), changes
    )
    wide = by_category.pivot(on="category", index="recorded_month", values="offences")
    table = wide.join(rolling, on="recorded_month").rename({"offences": "offences_total"})
    return VolumePanel(table, figure)


@dataclass(frozen=True)
class SpcPanel:
    chart: pl.DataFrame
    figure: go.Figure
    breaks: list[date]
    variation: str

    @cached_property
    def chart_table(self) -> pl.DataFrame:
        """The data behind the chart as it draws it (spc.with_count_floor)."""
        return spc.with_count_floor(self.chart)


@built_once_when_published
@publishable
def trends_spc(
    gateway: Gateway, flt: ProfileFilter, run_length: int, recalculate_at_breaks: bool
) -> SpcPanel:
    """XmR chart of monthly offences up to the filter's end month over the filter's period or
    36 months, whichever is longer (so the limits rest on enough points), limits recalculated
    at series-breaking rule changes."""
    start = min(flt.start_month, add_months(flt.end_month, -(SCORECARD_MONTHS - 1)))
    long_filter = flt.with_period(start, flt.end_month)
    counts = apply_domestic(queries.offence_counts(gateway, long_filter), flt.domestic)
    info = queries.dataset_info(gateway)
    start = max(start, info.first_month)
    monthly = volumes.monthly_counts(counts, start, flt.end_month)
    breaks = series_breaks(flt.offence_types, start, flt.end_month) if recalculate_at_breaks else []
    chart = spc.xmr(
        monthly["recorded_month"].to_list(), monthly["offences"].to_list(), breaks, run_length
    ).with_columns(pl.col("value").cast(pl.Int64))  # counts: one withheld reads "suppressed"
    changes = recording_rule_changes(flt.offence_types, start, flt.end_month)
    figure = charts.spc_figure(
        chart,
        f"Offences per month: {flt.with_period(start, flt.end_month).describe()}",
        run_length,
        False,
        changes,
    )
    return SpcPanel(chart, figure, breaks, spc.variation(chart))


@dataclass(frozen=True)
class ComparisonPanel:
    table: pl.DataFrame
    display: pl.DataFrame
    note: str  # what is compared with what, in words (like for like, or no comparison)
    compared: bool = True  # False: the data hold none of the period before (the note says so)

    @property
    def note_in_words(self) -> str:
        """The note as a downloaded table's provenance gives it (no Markdown): the table's
        "this period" of a like-for-like change counts only the months compared, which the
        file's filter line alone did not say (helper 78)."""
        return self.note.replace("**", "")

    @property
    def withheld_tests_note(self) -> str:
        """What "†" means, where a change in the table has it (publication mode); else ""."""
        marked = any(
            self.display[area].str.ends_with(linked_figures.TEST_WITHHELD).any()
            for area in self.display.columns[1:]
        )
        return linked_figures.TEST_WITHHELD_NOTE if marked else ""


@built_once_when_published
@publishable
def trends_comparison(gateway: Gateway, flt: ProfileFilter) -> ComparisonPanel:
    """The problem profile's district table: this period against the equal period before,
    for the chosen districts, the selection (when several) and the whole force."""
    force, areas = _force_scope(gateway, flt)
    data_start = queries.dataset_info(gateway).first_month
    compared = force.comparison(data_start)
    current = queries.offence_counts(gateway, compared.current)
    pairs = _borrowed_pairs(
        compared, data_start, series_breaks(flt.offence_types, data_start, flt.end_month)
    )
    table = volumes.district_period_table(
        current,
        current.clear()
        if compared.previous is None
        else queries.offence_counts(gateway, compared.previous),
        _district_codes(flt),
        areas,
        compared.days() if compared.previous is not None else (1, 1),
        _compared_months(compared),
        # a month against a month: the months its overdispersion is borrowed from
        queries.offence_counts(gateway, compared.current, lookback_months=BORROWED_LOOKBACK)
        if pairs
        else None,
        pairs,
    )
    if compared.previous is None:  # nothing to compare with: no previous figures, no test
        table = table.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("previous"),
            pl.lit(None, dtype=pl.Float64).alias("change_pct"),
            *[
                pl.lit(None, dtype=pl.Float64).alias(name)
                for name in ("change_lower", "change_upper", "p_value", "q_value", "dispersion")
            ],
            pl.lit(None, dtype=pl.Boolean).alias("significant"),
        )
    shown = ("all", "domestic", "non_domestic") if flt.domestic == "all" else (flt.domestic,)
    return ComparisonPanel(
        table,
        formatting.period_table_display(table, shown),
        _comparison_note(compared, flt),
        compared.previous is not None,
    )


def _borrowed_pairs(
    compared: Comparison, data_start: date, breaks: list[date]
) -> list[tuple[date, date]]:
    """The month-to-month changes a month compared with a month borrows its overdispersion
    from (volumes.borrowed_pairs; none for longer periods or nothing compared)."""
    months = _compared_months(compared)
    return [] if months is None else volumes.borrowed_pairs(months, data_start, breaks)


def _compared_months(compared: Comparison) -> tuple[list[date], list[date]] | None:
    """The months of the two periods compared (None: nothing to compare with)."""
    if compared.previous is None:
        return None
    current, previous = compared.current, compared.previous
    return (
        months_between(current.start_month, current.end_month),
        months_between(previous.start_month, previous.end_month),
    )


@dataclass(frozen=True)
class TrendsPage:
    volume: VolumePanel
    control: SpcPanel
    comparison: ComparisonPanel
    funnel: pl.DataFrame  # the force's districts on the funnel of its rate per 1,000
    funnel_figure: go.Figure
    funnel_note: str  # the months the funnel's rates are of, where not the whole period


@rounded_last
def trends_page(
    gateway: Gateway, flt: ProfileFilter, run_length: int, recalculate_at_breaks: bool
) -> TrendsPage:
    """The Trends page's three panels; in publication mode protected together (the months,
    the SPC series and the district table share counts)."""
    volume = trends_volume(gateway, flt)
    control = trends_spc(gateway, flt, run_length, recalculate_at_breaks)
    comparison = trends_comparison(gateway, flt)
    spc_table = _TRENDS_SPC[recalculate_at_breaks]
    tables = {"trend": volume.table, spc_table: control.chart, "comparison": comparison.table}
    protected = protected_across_pages(gateway, flt, tables)
    if protected is None:
        return TrendsPage(
            volume, control, comparison, *_district_funnel(gateway, flt, comparison.table)
        )
    return TrendsPage(
        VolumePanel(
            protected.tables["trend"],
            linked_figures.trend_as_published(
                volume.figure, _trend_points(protected, flt), protected.tables["trend"]
            ),
        ),
        replace(
            control,
            chart=protected.tables[spc_table],
            figure=linked_figures.hide_spc(control.figure, protected, spc_table),
            variation=(
                SPC_VARIATION_WITHHELD
                if linked_protection.spc_detail_withheld(protected.tables[spc_table])
                else control.variation
            ),
        ),
        replace(
            comparison,
            table=protected.tables["comparison"],
            display=linked_figures.hide_display(comparison.display, protected, DOMESTIC_CHOICES),
        ),
        *_district_funnel(gateway, flt, protected.tables["comparison"]),
    )


def _district_funnel(
    gateway: Gateway, flt: ProfileFilter, comparison: pl.DataFrame
) -> tuple[pl.DataFrame, go.Figure, str]:
    """The selected districts on the funnel of the force's rate, from the period's offences as
    the comparison table shows them (so a count that table withholds is never plotted), each a
    year's rate over the months that table counts: where the period is compared like for like
    (the period before starts before the data), only the months compared, and a note says
    which. Scaled by the whole period, May to August 2018 read Bradford's 22 offences of August
    as 0.12 per 1,000 a year, not 0.49."""
    compared = _force_scope(gateway, flt)[0].comparison(queries.dataset_info(gateway).first_month)
    counted = replace(flt, start_month=compared.current.start_month)
    note = (
        f"The rates are of {compared.current.period_text} only, the months the period "
        "comparison compares like for like, each scaled to a year."
        if compared.like_for_like
        else ""
    )
    districts = queries.districts(gateway).select("district_code", "district_name", "population")
    shown = comparison.filter(pl.col("category") == flt.domestic)
    offences = shown.select("district_code", pl.col("current").alias("offences"))
    joined = districts.join(offences, on="district_code").filter(
        pl.col("offences").is_not_null() & (pl.col("population") > 0)
    )
    force = shown.filter(pl.col("district_code") == FORCE)["current"].drop_nulls()
    area_rate = (  # the force's rate; the districts shown where the force's count is withheld
        funnel.pooled_rate(force.to_numpy(), districts["population"].to_numpy())
        if not force.is_empty()
        else funnel.pooled_rate(joined["offences"].to_numpy(), joined["population"].to_numpy())
    )
    # a year's rate, as the Victims and suspects page gives: a month's read 0.03 per 1,000
    # (the place on the funnel is the same at any scale)
    a_year = 12 / counted.months
    table = funnel.district_funnel(joined, area_rate).with_columns(
        pl.col("rate_per_1000", "rate_lower", "rate_upper") * a_year
    )
    limits = funnel.limits_across(table["population"].to_numpy().astype(float), area_rate)
    figure = charts.funnel_figure(
        table,
        limits.with_columns(pl.exclude("population") * a_year),
        _titled("Districts' offences per 1,000 residents a year against their size", counted),
        unit="Districts",
        name_column="district_name",
        per=" a year",
    )
    return (
        table.select(
            "district_code",
            "district_name",
            "offences",
            "population",
            "rate_per_1000",
            "rate_lower",
            "rate_upper",
            "funnel",
        ),
        figure,
        note,
    )


def _comparison_note(compared: Comparison, flt: ProfileFilter) -> str:
    """What is compared, and a warning when the periods straddle a counting-rule change."""
    note = compared.describe()
    if compared.per_day:
        current, previous = compared.days()
        note += (
            f" The periods have {current:,} and {previous:,} days, so each change, its interval "
            "and its test are of offences per day."
        )
    for change in _crossed_changes(compared, flt):
        note += (
            f" **The periods straddle a counting-rule change ({change['date']:%B %Y}: "
            f"{change['label']}), so part of the change is the rule, not behaviour.**"
        )
    return note


OPEN_RATE_LABEL = BY_KEY["open_rate"].label  # the Outcomes page's rate of open offences


@dataclass(frozen=True)
class OutcomesPanel:
    within: pl.DataFrame  # outcome within 90 / 180 days, over offences followed up that long
    time_to_outcome: pl.DataFrame  # Kaplan-Meier medians counting open offences
    within_by_month: pl.DataFrame  # outcome within 90 days by month, complete months only
    within_figure: go.Figure
    incomplete_from: date  # the first month whose 90 days' follow-up is not complete
    groups: pl.DataFrame
    groups_figure: go.Figure
    rates: pl.DataFrame
    rates_figure: go.Figure
    median_days: pl.DataFrame
    extract_date: date | None = None  # the day follow-up runs to
    outcomes_loaded: bool = True  # False: the database holds no outcome (queries.outcomes_loaded)

    # The tables as the page shows them, made once per panel (the panel is a shared cached
    # object, so each rerun shows the same frames, prepared for display once: ui.widgets).
    @cached_property
    def rates_table(self) -> pl.DataFrame:
        return self.rates.select(RATES_SHOWN)

    @cached_property
    def within_table(self) -> pl.DataFrame:
        # with its small-numbers flag: a rate within 90 days of the latest months rests on the
        # few offences old enough to judge (29 of 1,400, November 2021 to January 2022)
        return self.within.select(*RATES_SHOWN, "followed_share")

    @cached_property
    def time_to_outcome_table(self) -> pl.DataFrame:
        """The time to outcome as shown: why a median is blank beside the offences counted,
        before the medians (last, it was off-screen at 1,440 px: helper 84)."""
        first = [c for c in ("category", "note", "offences") if c in self.time_to_outcome.columns]
        return self.time_to_outcome.select(*first, pl.exclude(first))

    @cached_property
    def within_by_month_table(self) -> pl.DataFrame:
        return self.within_by_month.select("recorded_month", *RATES_SHOWN[1:])

    def provisional_note(self, flt: ProfileFilter) -> str:
        """outcomes.provisional_note for the rates shown: the Open rate's count where it is
        published, else (withheld in publication mode) by dates alone."""
        row = self.rates.filter(
            (pl.col("label") == OPEN_RATE_LABEL) & (pl.col("category") == flt.domestic)
        )
        known = row.height == 1 and row["numerator"][0] is not None
        period_end = flt.last_day
        return outcomes.provisional_note(
            row["numerator"][0] if known else None,
            row["denominator"][0] if known else None,
            self.extract_date,
            period_end,
        )

    def within_note(self, flt: ProfileFilter) -> str | None:
        """Which of the period's offences each rate within H days covers, where not all of them
        (None where every rate covers them all): the offences recorded at least H days before
        the extract date, so the rate describes the start of the period. A helper agent's trial:
        November 2021 to January 2022, "Outcome within 90 days" stood on 2% of the period's
        offences, those recorded in its first weeks, flagged only as a small number."""
        if self.extract_date is None:
            return None
        shares = dict(
            self.within.filter(pl.col("category") == flt.domestic)
            .select("label", "followed_share")
            .iter_rows()
        )
        period_end = flt.last_day
        parts = []
        for horizon in outcomes.HORIZONS:
            last = self.extract_date - timedelta(days=horizon)
            if last >= period_end:  # every offence of the period followed up that long
                continue
            day = f"{last.day} {last:%B %Y}"
            if last < flt.start_month:
                parts.append(
                    f"No offence of the period was recorded {horizon} days before the extract "
                    f"date (by {day}), so there is no rate within {horizon} days yet."
                )
                continue
            share = shares.get(f"Outcome within {horizon} days")
            days = (last - flt.start_month).days + 1
            all_days = (period_end - flt.start_month).days + 1
            covered = (  # the share withheld (publication mode): its days, which are public
                f", the first {formatting.plural(days, 'day')} of the period's {all_days}"
                if share is None
                else f", {formatting.percent(share)} of the period's"
            )
            start = days / all_days if share is None else share
            parts.append(
                f"Outcome within {horizon} days counts only the offences recorded by {day}"
                f"{covered}: the later ones have not had {horizon} days yet."
                + (" It describes the start of the period, not all of it." if start < 0.5 else "")
            )
        return " ".join(parts) or None

    def follow_up_note(self, flt: ProfileFilter) -> str:
        """Which of the filter's months the within-90-days chart leaves out, and why."""
        if self.incomplete_from > flt.end_month:
            return "Every month here had 90 days of follow-up by the extract date."
        if self.incomplete_from <= flt.start_month:  # helper 86: January 2022 alone
            return (
                "No month here can be shown yet (all shaded): each has offences recorded "
                "fewer than 90 days before the extract date, so its rate cannot be read yet."
            )
        return (
            f"Months from {max(self.incomplete_from, flt.start_month):%B %Y} (shaded) are left "
            "out: some of their offences were recorded fewer than 90 days before the extract "
            "date, so their rates cannot be read yet."
        )

    def median_note(self, flt: ProfileFilter) -> str | None:
        """What the median time to outcome cannot yet allow for, where some of the period's
        offences were recorded fewer than 90 days before the extract (None otherwise): an
        outcome later replaced counts at its later date once it is, and theirs have had little
        time to be, so the median reads short. A helper agent's back-test: each single month
        of 2019-2021 read as at its own last day gave a median 2 to 7 days below the one its
        offences came to (October 2020: 25 days, 23 to 27, against 31)."""
        if self.incomplete_from > flt.end_month:
            return None
        horizon = outcomes.HORIZONS[0]
        every = self.extract_date is not None and (
            self.extract_date - timedelta(days=horizon) < flt.start_month
        )
        return (
            f"{'All' if every else 'Some'} of this period's offences were recorded fewer than "
            f"{horizon} days before the extract date, so the median time to outcome can read shorter than it will be: an outcome "
            "later replaced (an 18 by a 15) counts at its later date once it is, and theirs "
            "have had little time to be. Its interval does not allow for that; compare it with "
            "periods followed up for 90 days or more."
        )

    @property
    def groups_note(self) -> str:
        """What the groups' chart says of the types placed in a group no source confirms."""
        return outcomes.unconfirmed_groups_note()

    @cached_property
    def groups_table(self) -> pl.DataFrame:
        """The groups as the chart names them (short), then in the Home Office's wording."""
        return self.groups.select(
            "category",
            pl.col("group_short").alias("outcome_group"),
            "offences",
            "category_total",
            "share",
            pl.col("outcome_group").alias("outcome_group_in_full"),
        )


@rounded_last
def outcomes_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> OutcomesPanel:
    """Outcome groups, headline outcome rates, outcomes within 90 and 180 days and time to
    outcome (the tables by district: outcome_districts). In publication mode the
    outcome-within tables, the outcome groups and the times to an outcome are protected
    together (DA + non-DA = all in each; a group's offences with an outcome are its offences;
    the offences with an outcome and the open ones make the category's)."""
    panel = _outcomes_panel(gateway, flt, small_denominator)
    protected = protected_across_pages(gateway, flt, _tables_of(panel, _OUTCOME_TABLES))
    if protected is not None:
        panel = _as_protected(panel, protected, _OUTCOME_TABLES)
    # The charts are drawn from the tables as published: drawn from every share and rate,
    # share x total (or rate x "of 11") gave the withheld counts back.
    return replace(
        panel,
        groups_figure=_groups_figure(panel.groups, flt),
        rates_figure=_outcome_rates_figure(panel.rates, flt),
        within_figure=_within_figure(panel.within_by_month, panel.incomplete_from, flt),
        outcomes_loaded=queries.outcomes_loaded(gateway),
    )


@dataclass(frozen=True)
class OutcomeDistricts:
    """Outcome types (1-22 and open) by district for each DA choice shown, as counts and as
    shares of each column's offences."""

    tables: dict[str, pl.DataFrame]  # by DA label: outcomes.outcome_table
    share_tables: dict[str, pl.DataFrame]  # the same as shares: outcomes.outcome_share_table

    def opening_tab(self, flt: ProfileFilter) -> str | None:
        """The tab a page opens on: the filter's own DA choice (None: the first tab)."""
        label = DOMESTIC_CHOICES[flt.domestic]
        return label if label in self.tables else None

    @property
    def caption(self) -> str:
        """What the tables' columns count, and what publication mode withholds of them."""
        return (
            "District columns count offences recorded in that district; 'Force' is every "
            "district, whatever is selected, for comparison. " + self.withheld_note
        )

    @property
    def withheld_note(self) -> str:
        """What the tables withhold in publication mode, and why ('' where nothing is): the
        page had left a table mostly "suppressed" unexplained."""
        cells = [
            frame.select(pl.exclude(linked_tables.OUTCOME_LABELS)).unpivot()["value"]
            for frame in self.tables.values()
        ]
        withheld = sum(column.null_count() for column in cells)
        if not withheld:
            return ""
        total = sum(column.len() for column in cells)
        return (
            f"Publication mode withholds {withheld:,} of these {total:,} cells ('suppressed'): "
            "counts under the threshold, and the further counts that would give one back by "
            "subtraction - along a row to the Force column, down a column to its total, across "
            "the DA, non-DA and both tables, and against the outcome groups and rates on this "
            "page and the other pages' counts. The same counts by outcome group, and the rates, "
            "are in the other tabs."
        )

    @cached_property
    def district_tables(self) -> dict[bool, dict[str, pl.DataFrame]]:
        """Outcomes by district as counts (False) and as shares of each column (True)."""
        return {
            shares: {name: table.drop("outcome_key") for name, table in tables.items()}
            for shares, tables in ((False, self.tables), (True, self.share_tables))
        }


@rounded_last
def outcome_districts(gateway: Gateway, flt: ProfileFilter) -> OutcomeDistricts:
    """The outcome table (1-22 and open) by district, the selection and the force, for each
    DA choice shown; the shares worked out from the tables as published (so a suppressed
    count is never given back as its share). In publication mode the DA, non-DA and all
    tables are protected together, and beside the pages published together: an area's
    Totals are its offences on the Risk and Trends pages (Calderdale non-DA, July to
    September 2021: the Trends page's 132 offences for the force less the Force column's
    131 shown gave its withheld CPS outcome 15 of 1). Apart from outcomes_panel: protecting
    these tables is most of a first publication-mode page's time at 1 million offences, so
    only the Outcomes page waits for it. For DA or non-DA alone, the table is the one the
    filter for both publishes."""
    if gateway.publication and flt.domestic != "all":
        # the DA or non-DA table as the filter for both publishes it: the same counts,
        # protected apart they differed in 54 cells over eight demo filters
        both = outcome_districts(gateway, replace(flt, domestic="all"))
        label = DOMESTIC_CHOICES[flt.domestic]
        return OutcomeDistricts({label: both.tables[label]}, {label: both.share_tables[label]})
    return _outcome_districts_protected(gateway, flt)


@built_once_when_published
def _outcome_districts_protected(gateway: Gateway, flt: ProfileFilter) -> OutcomeDistricts:
    """`outcome_districts` for the filter's own DA choice (in publication mode, for both):
    worked out once for the filter on a snapshot in publication mode, so a commissioner's
    office changing the Outcomes page to DA or non-DA reads the tables the filter for both
    protected, not protecting them again (5 s on the demo, 17-23 s at 1 million)."""
    counts = _outcome_district_counts(gateway, flt)
    name = linked_tables.OUTCOME_DISTRICTS
    protected = protected_beside_pages(gateway, flt, {name + c: t for c, t in counts.items()})
    if protected is not None:
        counts = {category: protected.tables[name + category] for category in counts}
    tables = {DOMESTIC_CHOICES[category]: table for category, table in counts.items()}
    shares = {name: outcomes.outcome_share_table(table) for name, table in tables.items()}
    return OutcomeDistricts(tables, shares)


def _outcome_district_counts(gateway: Gateway, flt: ProfileFilter) -> dict[str, pl.DataFrame]:
    """The outcome tables by district (see `outcome_districts`), by category: exact counts,
    protected by outcome_districts in publication mode."""
    force, areas = _force_scope(gateway, flt)
    by_outcome = queries.outcome_counts(gateway, force)
    types = queries.outcome_types(gateway)
    shown = _categories_and_all(flt)
    return {
        category: outcomes.outcome_table(
            apply_domestic(by_outcome, category), types, _district_codes(flt), areas
        )
        for category in shown
    }


# The Outcomes page's tables protected with the other pages': name there -> the panel's field.
_OUTCOME_TABLES = {
    "outcome_within": "within",
    "outcome_within_month": "within_by_month",
    "outcomes": "groups",
    "outcome_days": "median_days",
    "outcome_time": "time_to_outcome",
    "outcome_rates": "rates",
}


def _groups_figure(groups: pl.DataFrame, flt: ProfileFilter) -> go.Figure:
    return charts.share_bar_figure(
        groups,
        "group_short",
        _titled("Outcome groups: share of offences recorded in the period", flt),
    )


def _outcome_rates_figure(rates: pl.DataFrame, flt: ProfileFilter) -> go.Figure:
    return charts.rate_comparison_figure(rates, _titled("Outcome rates with 95% intervals", flt))


def _within_figure(monthly: pl.DataFrame, incomplete_from: date, flt: ProfileFilter) -> go.Figure:
    """Outcome within 90 days by month recorded, the months not yet followed up shaded."""
    figure = charts.rate_trend_figure(
        monthly,
        _titled(f"Outcome within {outcomes.HORIZONS[0]} days, by month recorded", flt),
        _categories(flt),
    )
    if monthly.is_empty():  # no month followed up yet: the period's months, shaded (the axis
        # read -1 to 6 with nothing on it, January 2022 alone)
        charts.month_axis(figure, [flt.start_month, flt.end_month])
        figure.update_xaxes(
            type="date",
            range=[flt.start_month - timedelta(days=20), flt.end_month + timedelta(days=20)],
        )
    return charts.mark_incomplete(
        figure, max(incomplete_from, flt.start_month), flt.end_month, "follow-up incomplete"
    )


@built_once_when_published
@publishable
def _outcomes_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> OutcomesPanel:
    """The Outcomes page's tables for the filter (see `outcomes_panel`, which draws the
    charts), its tables by district apart (outcome_districts)."""
    read = queries.outcome_frames(gateway, flt)
    shown = _categories_and_all(flt)
    groups = outcomes.outcome_group_table(read.by_outcome, read.types).filter(
        pl.col("category").is_in(shown)
    )
    # "all": the Overview's headline rates (and their like for outcome 15, 18 and open) on
    # the page it sends a reader to, protected in publication mode with the rest
    rates = outcomes.outcome_rates_by_category(read.counts, small_denominator).filter(
        pl.col("category").is_in(shown)
    )
    order = {name: i for i, name in enumerate(rates["outcome"].unique(maintain_order=True))}
    rates = rates.sort(  # each outcome's DA, non-DA, then both, as the page's other tables
        pl.col("outcome").replace_strict(order),
        pl.col("category").replace_strict({"domestic": 0, "non_domestic": 1, "all": 2}),
    )
    days = outcomes.median_days_to_outcome(read.days)
    days = days.filter(pl.col("category").is_in(shown)).select(
        "category",
        pl.col("group_short").alias("outcome_group"),
        "median_days",
        "offences_with_outcome",
        (pl.col("offences_with_outcome") < small_denominator).alias("is_small"),
    )
    follow_up = read.follow_up
    within = outcomes.outcome_within(follow_up, small_denominator).filter(
        pl.col("category").is_in(shown)
    )
    km = outcomes.time_to_outcome(follow_up).filter(pl.col("category").is_in(shown))
    by_month = outcomes.outcome_within_by_month(follow_up, small_denominator=small_denominator)
    empty = go.Figure()  # the charts are drawn by `outcomes_panel`, from the tables as published
    return OutcomesPanel(
        within,
        km,
        by_month.filter(pl.col("category").is_in(_categories(flt))),
        empty,
        outcomes.first_incomplete_month(queries.dataset_info(gateway).extract_date),
        groups,
        empty,
        rates,
        empty,
        days,
        queries.dataset_info(gateway).extract_date,
    )


@dataclass(frozen=True)
class RiskPanel:
    rates: pl.DataFrame
    selection: pl.DataFrame
    comparison: pl.DataFrame
    figure: go.Figure
    dash_mix: pl.DataFrame
    dash_figure: go.Figure
    trends: dict[str, pl.DataFrame]
    trend_figures: dict[str, go.Figure]

    # The tables as the page shows them, made once per (shared) panel.
    @cached_property
    def selection_table(self) -> pl.DataFrame:
        return self.selection.select(RATES_SHOWN)

    @cached_property
    def comparison_table(self) -> pl.DataFrame:
        """DA against non-DA as the page lists it: the verdict beside the difference (ninth,
        it was off the table's right edge until scrolled to; helper 53)."""
        return self.comparison.select(
            "label",
            "district_code",
            "da_rate",
            "non_da_rate",
            "difference_points",
            "significant",
            "difference_lower",
            "difference_upper",
            "p_value",
            "q_value",
            "test",
            "da_denominator",
            "non_da_denominator",
        )


@rounded_last
@publishable
def risk_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> RiskPanel:
    """Arrest, DASH, SASH and cyber rates by district and DA with intervals and DA vs non-DA
    tests; the DASH risk mix; each flag's monthly trend. In publication mode the page's tables
    are protected together (districts add up to the force, DA and non-DA to all, months to the
    period, risk levels to the forms) and the charts drawn from what is left."""
    panel = _risk_panel(gateway, flt, small_denominator)
    found = protected_across_pages(gateway, flt, _risk_tables(panel))
    if found is None:
        return _risk_figures(panel, flt)
    protected = found.tables
    rates = protected["risk_by_district"]
    trends = {flag: protected[f"{linked_tables.FLAG_TREND}{flag}"] for flag in panel.trends}
    selection = rates.join(
        panel.selection.select("district_code", "category", "flag"),
        on=["district_code", "category", "flag"],
        how="semi",
    )
    return _risk_figures(
        replace(
            panel,
            rates=rates,
            selection=selection,
            comparison=protected["risk_comparison"],
            dash_mix=protected["dash_mix"],
            trends=trends,
        ),
        flt,
    )


def _risk_tables(panel: RiskPanel) -> dict[str, pl.DataFrame]:
    return {
        "risk_by_district": panel.rates,
        "risk_comparison": panel.comparison,
        "dash_mix": panel.dash_mix,
        **{f"{linked_tables.FLAG_TREND}{flag}": frame for flag, frame in panel.trends.items()},
    }


def _risk_figures(panel: RiskPanel, flt: ProfileFilter) -> RiskPanel:
    """The Risk page's charts, drawn from its tables."""
    changes = recording_rule_changes(flt.offence_types, flt.start_month, flt.end_month)
    return replace(
        panel,
        figure=charts.rate_comparison_figure(
            panel.selection, _titled("Risk assessment and flags, with 95% intervals", flt)
        ),
        dash_figure=charts.share_bar_figure(
            panel.dash_mix.rename({"rate": "share", "numerator": "offences"}),
            "dash_risk",
            _titled("DASH risk level among completed DASH forms", flt),
            share_of="completed DASH forms",
            counted="forms",
        ),
        trend_figures={
            flag: charts.rate_trend_figure(
                panel.trends[flag], _titled(f"{label} by month", flt), _categories(flt), changes
            )
            for flag, label in risk.FLAGS.items()
        },
    )


@built_once_when_published
@publishable
def _risk_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> RiskPanel:
    """The Risk page's tables for the filter; its charts are drawn by `risk_panel`, once, from
    the tables as published."""
    counts_all = queries.offence_counts(gateway, flt)
    force_scope, areas = _force_scope(gateway, flt)
    rates = risk.flag_rates_by_district(
        queries.offence_counts(gateway, force_scope),
        _district_codes(flt),
        small_denominator,
        areas,
    )
    comparison = risk.domestic_comparison(rates)
    force = rates.filter(
        (pl.col("district_code") == selection_of(gateway, flt))
        & pl.col("category").is_in(_categories(flt))
    )
    dash_mix = risk.dash_risk_mix(counts_all, small_denominator).filter(
        pl.col("category").is_in(_categories(flt))
    )
    months = months_between(flt.start_month, flt.end_month)
    # Each flag's months for the categories its chart draws (the table beneath is its data).
    trends = {
        flag: risk.monthly_flag_rates(counts_all, flag, months, small_denominator).filter(
            pl.col("category").is_in(_categories(flt))
        )
        for flag in risk.FLAGS
    }
    empty = go.Figure()
    return RiskPanel(rates, force, comparison, empty, dash_mix, empty, trends, {})


@dataclass(frozen=True)
class QualityPanel:
    indicators: pl.DataFrame
    figure: go.Figure
    cyber_by_district: pl.DataFrame
    cyber_figure: go.Figure
    imports: pl.DataFrame

    @cached_property
    def indicators_table(self) -> pl.DataFrame:
        """The indicators as the page shows them, made once per (shared) panel."""
        shown = ("label", "numerator", "denominator", "rate", "lower", "upper", "is_small")
        # none_counted: each indicator's words for a denominator of 0 (hidden, read by tables)
        return self.indicators.select(*shown, "definition", "none_counted")


@rounded_last
@publishable
def quality_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> QualityPanel:
    """Data-quality indicators for the filter (rates with intervals), the cyber-flag rate by
    district as an under-recording signal, and validation failures per import. In
    publication mode the indicators and the districts are protected together (the districts'
    offences add up to the selection's, DA and non-DA to all), with the other pages (beside
    them where harassment is in the filter: their DASH and screening counts are then
    stalking's, linked_tables.QUALITY_WITH_HARASSMENT) and the charts redrawn."""
    panel = _quality_panel(gateway, flt, small_denominator)
    if _quality_shared(flt):
        names = _QUALITY_TABLES
        protected = protected_across_pages(gateway, flt, _tables_of(panel, names))
    else:
        names = _QUALITY_WITH_HARASSMENT_TABLES
        protected = protected_beside_pages(gateway, flt, _tables_of(panel, names))
    if protected is not None:
        panel = _as_protected(panel, protected, names)
    return _quality_figures(panel, flt)


# The Data quality page's tables protected with the other pages' (stalking-only filters).
_QUALITY_TABLES = {"quality": "indicators", "cyber_by_district": "cyber_by_district"}
# ... and beside them where harassment is in the filter (linked_tables.QUALITY_WITH_HARASSMENT)
_QUALITY_WITH_HARASSMENT_TABLES = {
    linked_tables.QUALITY_WITH_HARASSMENT: "indicators",
    "cyber_by_district": "cyber_by_district",
}


def _quality_figures(panel: QualityPanel, flt: ProfileFilter) -> QualityPanel:
    """The Quality page's charts, drawn from its tables (coloured and named by the DA choice
    the counts were filtered to)."""
    chosen = pl.lit(flt.domestic).alias("category")
    return replace(
        panel,
        figure=charts.rate_comparison_figure(
            panel.indicators.with_columns(chosen),
            _titled("Data quality: share of records affected", flt),
        ),
        cyber_figure=charts.rate_comparison_figure(
            panel.cyber_by_district.with_columns(pl.col("district_code").alias("label"), chosen),
            _titled(
                "Cyber-enabled flag rate by district (a low rate suggests under-recording)", flt
            ),
        ),
    )


@built_once_when_published
@publishable
def _quality_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> QualityPanel:
    """The Quality page's tables for the filter (see `quality_panel`, which draws the charts)."""
    counts = apply_domestic(queries.quality_counts(gateway, flt), flt.domestic)
    shown = [ind.key for ind in quality.indicators_for(flt.domestic, flt.offence_types)]
    indicators = quality.quality_indicators(counts, small_denominator).filter(
        pl.col("indicator").is_in(shown)
    )
    cyber = quality.cyber_rate_by_district(counts, small_denominator)
    empty = go.Figure()
    return QualityPanel(indicators, empty, cyber, empty, queries.import_quality(gateway))


@dataclass(frozen=True)
class RepeatsPanel:
    summary: pl.DataFrame  # repeats.repeat_summary, one row per category
    monthly: pl.DataFrame  # repeats.monthly_repeats
    figure: go.Figure
    gaps: pl.DataFrame  # repeats.days_between_offences
    serial: pl.DataFrame  # repeats.serial_perpetrators
    lookback_note: str = ""  # months whose 12 months look back across a counting-rule change

    def gaps_caution(self, small_denominator: int) -> str:
        """A caution where a median of days between offences rests on fewer than
        `small_denominator` gaps ('' where none does; a gap count withheld in publication mode
        is not named). Helper 90: a non-DA median of 3.0 days (quartiles 3.0 to 3.0) from one
        gap stood with no flag, where every rate on so few is flagged."""
        shown = self.gaps.filter(
            pl.col("gaps").is_not_null()
            & (pl.col("gaps") > 0)
            & (pl.col("gaps") < small_denominator)
        )
        if shown.is_empty():
            return ""
        named = "; ".join(
            f"{DOMESTIC_CHOICES[row['category']]}: {formatting.plural(row['gaps'], 'gap')}"
            for row in shown.iter_rows(named=True)
        )
        return (
            f"{formatting.SMALL_NUMBERS} {named}. A median and quartiles of fewer than "
            f"{small_denominator} gaps can move a long way with one more offence."
        )


@rounded_last
def repeats_panel(
    gateway: Gateway, flt: ProfileFilter, serial_victims: int, serial_years: int
) -> RepeatsPanel:
    """Repeat victims and suspects in the period and within 12 months, days between a
    suspect's offences, and serial perpetrators (`serial_victims` victims in `serial_years`).
    In publication mode the summary, intervals, months and serial table are protected together
    (the months add up to the period, DA and non-DA to all, people and their further offences
    to the offences with one recorded), with the other pages or, under another serial rule,
    beside them, and the chart redrawn."""
    panel = _repeats_panel(gateway, flt, serial_victims, serial_years)
    tables = _tables_of(panel, _REPEATS_TABLES)
    protected = (
        protected_across_pages(gateway, flt, tables)
        if (serial_victims, serial_years) == _serial_rule()
        else protected_beside_pages(gateway, flt, tables)
    )
    if protected is not None:
        panel = _as_protected(panel, protected, _REPEATS_TABLES)
    return replace(panel, figure=_repeats_figure(panel.monthly, flt))


# The Repeats page's tables protected with the other pages' (the deployment's serial rule).
_REPEATS_TABLES = {
    "repeat_summary": "summary",
    "repeat_gaps": "gaps",
    "repeat_monthly": "monthly",
    "serial": "serial",
}


def _repeats_figure(monthly: pl.DataFrame, flt: ProfileFilter) -> go.Figure:
    title = "Offences with a repeat victim or suspect (within 12 months)"
    return charts.repeat_share_figure(monthly, _titled(title, flt))


@built_once_when_published
@publishable
def _repeats_panel(
    gateway: Gateway, flt: ProfileFilter, serial_victims: int, serial_years: int
) -> RepeatsPanel:
    """The Repeats page's tables for the filter (see `repeats_panel`, which draws the chart)."""
    # the serial window's years, and the 12 months each month's repeats look back over
    offences = queries.repeat_offences(gateway, flt, max(12, 12 * serial_years - 1))
    data_start = queries.dataset_info(gateway).first_month
    start, end = flt.start_month, flt.end_month
    shown = _categories_and_all(flt)
    summary = repeats.repeat_summary(offences, start, end).filter(pl.col("category").is_in(shown))
    chosen = apply_domestic(offences, flt.domestic)  # the DA choice, for what is not split
    monthly = repeats.monthly_repeats(chosen, start, end, data_start)
    gaps = repeats.days_between_offences(offences, start, end).filter(
        pl.col("category").is_in(shown)
    )
    serial = repeats.serial_perpetrators(
        chosen, start, end, data_start, serial_victims, serial_years
    )
    note = _lookback_note(flt.offence_types, start, end, data_start)
    return RepeatsPanel(summary, monthly, go.Figure(), gaps, serial, note)


def _lookback_note(offence_types: tuple[str, ...], start: date, end: date, data_start: date) -> str:
    """What the Repeats page says of months whose 12 months look back across a counting-rule
    change: their repeats count offences recorded under both rules (helper 70: April 2020 to
    March 2021 looked back across former partners' conduct recorded as stalking, unmarked)."""
    parts = []
    changes = lookbacks_across_changes(offence_types, start, end, data_start)
    for row in changes.iter_rows(named=True):
        first, last = row["first_month"], row["last_month"]
        months = f"{first:%B %Y}" + (f" to {last:%B %Y}" if last != first else "")
        when = f"{row['date'].day} {row['date']:%B %Y}"
        parts.append(f"{months} look back across the change of {when} ({row['label']})")
    if not parts:
        return ""
    return (
        "; ".join(parts) + ": their 12 months hold offences recorded under both rules, so "
        "read their repeats with care."
    )
