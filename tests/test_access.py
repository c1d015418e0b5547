"""Who sees what (issue 16): each role calls the package directly, and each role opens every
page; record-level data and small counts reach only those who may have them."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from stalking_profile import map_panels, panels, publication, queries
from stalking_profile.access import Access, AccessDenied, Role
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.geography import ward_geometry
from stalking_profile.importing.boundaries import load_boundaries
from stalking_profile.importing.external import import_in_child
from stalking_profile.importing.load import read_and_validate
from stalking_profile.importing.mapping import ColumnMapping
from stalking_profile.operational import accounts
from stalking_profile.ui.uploads import uploaded_file
from tests.conftest import (
    DISTRICTS,
    ROOT,
    TEST_PASSWORD,
    as_read,
    charts,
    each_tab,
    open_tab,
)

SUPPRESS_BELOW = 5
# One district, one month, non-DA: cells of 1 to 4 everywhere (the case publication is for).
SMALL = ProfileFilter(date(2021, 9, 1), date(2021, 9, 1), ("WD",), "non_domestic", ("stalking",))
ROLES = {role: Access.for_role(f"test-{role.value}", role) for role in Role}
TEMPLATE = ROOT / "data" / "templates" / "offences_template.csv"


def _small_counts(value: object, found: list, where: str = "", below: int = SUPPRESS_BELOW) -> list:
    """Every whole number from 1 to `below` - 1 in a panel (frames, figures, ints)."""
    if isinstance(value, pl.DataFrame):
        for name in value.columns:
            # a rate or a p-value of 1 is no count (p = 1.000 beside 46 against 46)
            if not publication._is_count_column(name) or publication._is_fraction(name):
                continue
            # a headline's value is a count in its count rows only (a change of +100% is 1.0)
            counts = (
                value.filter(pl.col("kind") == "count")
                if name == "value" and ("kind" in value.columns)
                else value
            )
            for cell in counts[name].to_list():
                if publication.is_small(cell, below):
                    found.append((where, name, cell))
    elif isinstance(value, go.Figure):
        _figure_small_counts(value.to_plotly_json()["data"], found, where, below)
    elif isinstance(value, Mapping):  # a LazyFigures draws each figure here
        for key, item in value.items():
            _small_counts(item, found, f"{where}.{key}", below)
    elif isinstance(value, list | tuple):
        for item in value:
            _small_counts(item, found, where, below)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _small_counts(getattr(value, field.name), found, f"{where}.{field.name}", below)
    elif isinstance(value, int) and publication.is_small(value, below):
        found.append((where, "", value))
    return found


def _figure_small_counts(
    traces: list[dict], found: list, where: str, below: int = SUPPRESS_BELOW
) -> None:
    for trace in traces:
        for name in ("x", "y", "z", "values", "text", "customdata", "hovertext"):
            values = trace.get(name)
            if values is None or isinstance(values, str):
                continue
            flat = [v for item in values for v in (item if isinstance(item, list) else [item])]
            hits = [v for v in flat if publication.is_small(v, below)]
            if hits and not _is_axis_of_categories(trace, name):
                found.append((where, f"trace {trace.get('name')}.{name}", hits[:3]))


def _is_axis_of_categories(trace: dict, name: str) -> bool:
    """The category axis of a bar chart (outcome type codes such as "3") is a label, not a
    count; SPC x axes are months."""
    orientation = trace.get("orientation", "v")
    return (orientation == "v" and name == "x") or (orientation == "h" and name == "y")


def _all_panels(gateway: Gateway) -> list:
    geometry = ward_geometry(gateway, SMALL.districts)
    return [
        panels.overview(gateway, SMALL, 30, 6),
        panels.trends_volume(gateway, SMALL),
        panels.trends_spc(gateway, SMALL, 6, False),
        panels.trends_comparison(gateway, SMALL),
        panels.trends_page(gateway, SMALL, 6, True),
        panels.outcomes_panel(gateway, SMALL, 30),
        panels.outcome_districts(gateway, SMALL),
        panels.risk_panel(gateway, SMALL, 30),
        panels.quality_panel(gateway, SMALL, 30),
        map_panels.hotspot_panel(gateway, SMALL, geometry, "offences", True),
        map_panels.emerging_panel(gateway, SMALL, geometry, date(2020, 10, 1)),
        map_panels.correspondence_panel(gateway, SMALL, geometry, None),
    ]


def test_a_commissioners_office_receives_no_small_count_from_any_panel(demo_gateway: Gateway):
    commissioner = demo_gateway.scoped(ROLES[Role.COMMISSIONER])
    assert _small_counts(_all_panels(commissioner), []) == []


def test_the_ons_style_suppresses_under_10_and_rounds_the_rest_to_5(demo_gateway: Gateway):
    """STALKING_PROFILE_SUPPRESS_BELOW=10 and STALKING_PROFILE_ROUND_TO=5: no count from 1 to
    9 in any panel, and the counts that are shown come in fives."""
    ons = demo_gateway.scoped(ROLES[Role.COMMISSIONER].with_threshold(10, 5))
    assert _small_counts(_all_panels(ons), [], below=10) == []
    flt = dataclasses.replace(SMALL, start_month=date(2021, 1, 1), domestic="all")
    page = panels.trends_page(ons, flt, 6, True)
    shown = page.volume.table.select("domestic", "non_domestic", "offences_total")
    counts = [v for column in shown.iter_columns() for v in column.to_list() if v is not None]
    assert counts and all(v % 5 == 0 for v in counts), counts
    exact = panels.trends_page(demo_gateway.scoped(ROLES[Role.STRATEGIC]), flt, 6, True)
    assert (
        exact.volume.table["offences_total"].to_list()
        != page.volume.table["offences_total"].to_list()
    )


def test_the_ons_style_shows_a_count_the_same_wherever_it_is_shown(demo_gateway: Gateway):
    """Helper 59: under the ONS style, Calderdale's offences, October to December 2021, read
    137 on the Offences tile beside 135 in the headline table, and December's 49 in the
    scorecard beside 50 on its chart: counts held beside rates in one column (the headline's
    value, the scorecard's latest value) were left exact."""
    from stalking_profile import formatting

    ons = demo_gateway.scoped(ROLES[Role.COMMISSIONER].with_threshold(10, 5))
    flt = ProfileFilter(date(2021, 10, 1), date(2021, 12, 1), ("CD",), "all", ("stalking",))
    view = panels.overview(ons, flt, 30, 6)
    exact = panels.overview(demo_gateway, flt, 30, 6)
    assert exact.headline.filter(indicator="offences")["value"].item() % 5 != 0  # 137
    tile = formatting.headline_tiles(view.headline).filter(indicator="offences").row(0, named=True)
    table = view.headline_table.filter(figure="Offences")["value"].item()
    assert formatting.headline_value(tile) == table
    assert int(table.replace(",", "")) % 5 == 0
    latest = view.scorecard.filter(indicator="offences")["latest_value"].item()
    chart = next(t for t in view.scorecard_charts["offences"].data if t.name == "Value")
    assert latest == chart.y[-1] and latest % 5 == 0
    assert view.offences_chart["value"].to_list()[-1] == latest


def test_the_ons_style_rounds_counts_and_leaves_rates_and_residents(demo_gateway: Gateway):
    """A figure's rates, limits and residents are no counts (charts.not_counts): rounded to 5 as
    counts, a rate of 100% (1.0) read 0% (Leeds's non-DA outcomes within 90 days, February
    2021) and a district's 793,139 residents on the funnel 793,140."""
    from stalking_profile.charts import not_counts

    figure = go.Figure(
        go.Scatter(
            x=[12, 23], y=[1.0, 0.5], customdata=[[12, 1.0], [23, 3.0]], meta=not_counts("y")
        )
    )
    figure.add_scatter(
        x=[1, 2], y=[12, 23], customdata=[[12, 1.0]], meta=not_counts("customdata[1]")
    )
    shown = publication.round_figure(figure, 5)
    assert list(shown.data[0].x) == [10, 25] and list(shown.data[0].y) == [1.0, 0.5]
    assert [list(row) for row in shown.data[0].customdata] == [[10, 0.0], [25, 5.0]]
    assert list(shown.data[1].y) == [10, 25]
    assert [list(row) for row in shown.data[1].customdata] == [[10, 1.0]]

    ons = demo_gateway.scoped(ROLES[Role.COMMISSIONER].with_threshold(10, 5))
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), DISTRICTS, "all", ("stalking",))
    residents = [
        [x for t in panels.trends_page(gateway, flt, 6, True).funnel_figure.data for x in t.x]
        for gateway in (ons, demo_gateway)
    ]
    assert residents[0] == residents[1] and any(x % 5 for x in residents[1])
    leeds = dataclasses.replace(flt, districts=("LD",))
    within = [
        [
            (t.name, v)
            for t in panels.outcomes_panel(gateway, leeds, 30).within_figure.data
            for v in t.y
        ]
        for gateway in (ons, demo_gateway)
    ]
    assert (None, 1.0) in within[1]  # a band reaching 100%
    assert [pair for pair in within[0] if pair[1] is not None] == [
        pair for pair, shown in zip(within[1], within[0], strict=True) if shown[1] is not None
    ]


def test_the_ons_style_gives_differences_of_counts_as_the_rounded_counts_give_them(
    demo_gateway: Gateway,
):
    """Helper 61: a ward's 175 offences against 40 before read a change of 133 (exact), where
    175 - 40 = 135, in 93 of the year's 116 wards with a change; the Trends' SPC table read 90
    then 85 with a moving range of 9. A difference of two counts shown beside them is now
    worked out from the counts as shown."""
    ons = demo_gateway.scoped(ROLES[Role.COMMISSIONER].with_threshold(10, 5))
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), DISTRICTS, "all", ("stalking",))
    geometry = ward_geometry(ons, flt.districts)
    wards = map_panels.hotspot_panel(ons, flt, geometry, "offences", True).top_wards
    changed = wards.filter(pl.col("change").is_not_null())
    assert changed.height > 50
    assert (changed["change"] == changed["offences"] - changed["previous_offences"]).all()
    assert (changed["change"] % 5 == 0).all()

    chart = panels.trends_page(ons, flt, 6, True).control.chart_table
    ranges = chart.filter(pl.col("moving_range").is_not_null())
    shown = chart["value"].to_list()
    assert ranges.height > 20
    for i, moving_range in enumerate(chart["moving_range"].to_list()):
        if moving_range is not None:
            assert moving_range == abs(shown[i] - shown[i - 1]), (i, shown[i - 1 : i + 1])


def test_a_count_of_wards_is_neither_withheld_nor_rounded():
    """Helper 61: with 12 wards of no population, the Map tab said 12 and the Emerging
    hotspots tab 10 (rounded as if a count of offences); with 1 to 9 its note went (withheld).
    A field that counts no offences or people says so (publication.NOT_A_COUNT)."""
    quarters = [date(2021, 1, 1), date(2021, 4, 1)]
    panel = map_panels.EmergingPanel(pl.DataFrame(), go.Figure(), quarters, no_population=12)
    assert publication.round_counts(panel, 5).no_population == 12
    small = dataclasses.replace(panel, no_population=3)
    assert publication.suppress(small, 10).no_population == 3
    assert "3 wards have no population recorded" in " ".join(small.notes)


def test_other_roles_receive_the_same_panels_unsuppressed(demo_gateway: Gateway):
    """The scan above can fail: the same panels for a strategic lead hold small counts."""
    strategic = demo_gateway.scoped(ROLES[Role.STRATEGIC])
    found = _small_counts(_all_panels(strategic), [])
    assert len(found) > 20


def test_suppression_takes_the_rates_that_would_give_a_count_back(demo_gateway: Gateway):
    commissioner = panels.overview(demo_gateway.scoped(ROLES[Role.COMMISSIONER]), SMALL, 30, 6)
    strategic = panels.overview(demo_gateway.scoped(ROLES[Role.STRATEGIC]), SMALL, 30, 6)
    arrest = {"label": "Arrest rate"}
    shown = strategic.headline.filter(**arrest).row(0, named=True)
    hidden = commissioner.headline.filter(**arrest).row(0, named=True)
    assert 1 <= shown["numerator"] < SUPPRESS_BELOW and shown["value"] is not None
    assert hidden["numerator"] is None and hidden["value"] is None and hidden["lower"] is None
    table = commissioner.headline_table.filter(figure="Arrest rate").row(0, named=True)
    assert table["numerator"] == "suppressed" and table["value"] == "suppressed"
    offences = demo_gateway.sql(
        "SELECT count(*) AS n FROM offence WHERE district_code = 'WD' AND NOT is_domestic "
        "AND offence_type = 'stalking' AND recorded_date BETWEEN DATE '2021-09-01' AND DATE '2021-09-30'"
    )["n"].item()
    assert offences >= SUPPRESS_BELOW  # not small: shown, unless hidden to protect another
    assert commissioner.headline.filter(label="Offences")["numerator"].item() in (offences, None)


def test_a_rate_of_one_side_of_a_row_goes_only_with_its_own_counts():
    """The Risk page's DA against non-DA table withheld Wakefield's DA arrest rate (168 of
    833, both shown in the row) for its non-DA arrests of 4; the difference and its test,
    which the 4 enters, still go."""
    from stalking_profile.publication import suppress_frame

    comparison = pl.DataFrame(
        {
            "district_code": ["WD", "LD"],
            "da_numerator": [168, 290],
            "da_denominator": [833, 1926],
            "da_rate": [168 / 833, 290 / 1926],
            "non_da_numerator": [4, 16],
            "non_da_denominator": [53, 162],
            "non_da_rate": [4 / 53, 16 / 162],
            "difference_points": [12.6, 5.2],
            "p_value": [0.04, 0.03],
        }
    )
    shown = suppress_frame(comparison, 5, already_secondary=True)
    wakefield = shown.row(0, named=True)
    assert wakefield["da_rate"] == pytest.approx(168 / 833)
    assert (wakefield["non_da_numerator"], wakefield["non_da_rate"]) == (None, None)
    assert (wakefield["difference_points"], wakefield["p_value"]) == (None, None)
    assert shown.row(1) == comparison.row(1)


def test_a_rolling_average_goes_only_with_its_rolling_total():
    """The rolling 12-month average is the rolling total / 12: it was withheld in every month
    with a small DA or non-DA count, beside the rolling total shown (Calderdale, February 2021
    to January 2022: ten of twelve months). It goes with the total only."""
    from stalking_profile.publication import suppress_frame

    trend = pl.DataFrame(
        {
            "recorded_month": [date(2021, 9, 1), date(2021, 10, 1)],
            "domestic": [44, 50],
            "non_domestic": [2, 6],
            "offences_total": [46, 56],
            "rolling_12m_total": [565, 3],
            "rolling_12m_average": [565 / 12, 0.25],
        }
    )
    shown = suppress_frame(trend, SUPPRESS_BELOW)
    assert shown["non_domestic"].to_list() == [None, 6]
    assert shown["rolling_12m_average"].to_list() == [565 / 12, None]


def test_quarters_hot_are_no_small_count():
    """The emerging hotspots' quarters a ward was hot in (1 to 4 of the last eight) were
    withheld as if they counted offences, and the table read "Quarters hot: suppressed"."""
    from stalking_profile.publication import suppress_frame

    wards = pl.DataFrame(
        {
            "ward_code": ["E1", "E2"],
            "offences": [40, 3],
            "periods_hot": [2, 4],
            "periods_cold": [1, 0],
        }
    )
    shown = suppress_frame(wards, SUPPRESS_BELOW)
    assert shown["offences"].to_list() == [40, None]
    assert shown["periods_hot"].to_list() == [2, 4]
    assert shown["periods_cold"].to_list() == [1, 0]


def test_a_rate_of_100_percent_is_no_small_count():
    """Calderdale non-DA, July to September 2021: 5 of the 11 offences followed up 90 days had
    an outcome, and all 11 were followed up; the share followed up, 100%, was read as a count
    of 1, so the row's 45.5% was withheld beside the counts it comes from. A rate beside a
    small count is still withheld."""
    from stalking_profile.publication import suppress_frame

    within = pl.DataFrame(
        {
            "label": ["Outcome within 90 days", "Outcome within 180 days"],
            "numerator": [5, 3],
            "denominator": [11, 3],
            "recorded": [11, 11],
            "followed_share": [1.0, 3 / 11],
            "rate": [5 / 11, 1.0],
            "lower": [0.21, 0.44],
            "upper": [0.72, 1.0],
        }
    )
    shown = suppress_frame(within, SUPPRESS_BELOW)
    assert shown.row(0) == within.row(0)
    assert shown.row(1) == ("Outcome within 180 days", None, None, 11, None, None, None, None)


def test_a_median_or_quartile_of_days_goes_with_the_count_it_summarises():
    """The Repeats page's days between a suspect's offences showed the median of one interval
    (its value) beside its withheld count, and read a quartile of 1-4 days as a small count;
    the Civil orders page showed the median days to a first breach of two orders (their
    midpoint) beside its withheld 2."""
    from stalking_profile.publication import suppress_frame

    gaps = pl.DataFrame(
        {
            "category": ["domestic", "non_domestic"],
            "gaps": [40, 1],
            "median_days": [3.0, 3.0],
            "lower_quartile_days": [2.0, 3.0],
            "upper_quartile_days": [9.0, 3.0],
        }
    )
    shown = suppress_frame(gaps, SUPPRESS_BELOW)
    assert shown.row(0) == gaps.row(0)
    assert shown.row(1) == ("non_domestic", None, None, None, None)
    breaches = pl.DataFrame(
        {"order_type": ["DVPO", "RO"], "orders": [26, 30], "breached": [2, 9]}
    ).with_columns(median_days_to_breach=pl.Series([4.0, 41.0]))
    shown = suppress_frame(breaches, SUPPRESS_BELOW)
    assert shown.row(0) == ("DVPO", 26, None, None)
    assert shown.row(1) == breaches.row(1)


def test_a_published_repeats_page_gives_no_median_of_a_handful_of_intervals(demo_gateway):
    """Commissioner, the default year: non-DA suspects' one interval between offences."""
    from stalking_profile.filters import default_filter

    info = queries.dataset_info(demo_gateway)
    flt = default_filter(info.first_month, info.extract_date, ("BD", "CD", "KD", "LD", "WD"))
    truth = panels.repeats_panel(demo_gateway.scoped(ROLES[Role.STRATEGIC]), flt, 3, 1).gaps
    shown = panels.repeats_panel(demo_gateway.scoped(ROLES[Role.COMMISSIONER]), flt, 3, 1).gaps
    small = truth.filter(pl.col("gaps").is_between(1, SUPPRESS_BELOW - 1))
    assert small.height >= 1
    for row in shown.filter(pl.col("category").is_in(small["category"].implode())).iter_rows(
        named=True
    ):
        assert row["gaps"] is None and row["median_days"] is None, row
        assert row["lower_quartile_days"] is None and row["upper_quartile_days"] is None, row


@pytest.mark.parametrize("role", list(Role))
def test_record_level_queries_need_the_analyst_role(demo_gateway: Gateway, role: Role):
    gateway = demo_gateway.scoped(ROLES[role])
    if role is Role.ANALYST:
        assert (
            queries.quality_records(gateway, SMALL, "missing_ward").records.columns[0]
            == "crime_ref"
        )
        gateway.query("quarantine", import_id=None)
        return
    with pytest.raises(AccessDenied, match="may not see or download record-level data"):
        queries.quality_records(gateway, SMALL, "missing_ward")
    with pytest.raises(AccessDenied):
        gateway.query("quarantine", import_id=None)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ANALYST])
def test_imports_need_the_analyst_role(demo_gateway: Gateway, role: Role, tmp_path: Path):
    access = ROLES[role]
    with pytest.raises(AccessDenied, match="may not import files"):
        read_and_validate(demo_gateway.scoped(access), TEMPLATE, None, ColumnMapping())
    with pytest.raises(AccessDenied, match="may not import files"):
        import_in_child(access, tmp_path / "x.duckdb", TEMPLATE)
    with pytest.raises(AccessDenied, match="may not import files"):
        load_boundaries(demo_gateway.scoped(access), tmp_path / "wards.geojson")
    assert not (tmp_path / "x.duckdb").exists()


def test_an_uploaded_file_name_cannot_leave_its_folder():
    upload = io.BytesIO(b"a,b\n")
    upload.name = "../../../../etc/cron.d/evil.csv"
    with uploaded_file(upload) as path:
        assert path.name == "evil.csv" and path.parent.name.startswith("tmp")
        assert path.read_bytes() == b"a,b\n"
    assert not path.exists()


# ---- the pages, as each role sees them ----------------------------------------------------

PROFILE_PAGES = [
    "app_pages/overview.py",
    "app_pages/trends.py",
    "app_pages/outcomes.py",
    "app_pages/risk.py",
    "app_pages/maps.py",
    "app_pages/repeats.py",
    "app_pages/quality.py",
]
# the force (publication mode shows the whole force), non-DA, one month: small counts in its
# flags and its rows by district
SMALL_ADDRESS = {"from": "Sep 2021", "to": "Sep 2021", "da": "Non-DA"}
REFUSED = "Publication mode shows"  # publication.unpublishable's words: no figures drawn


def _figures_drawn(at) -> int:
    """The tables, metrics and charts a page drew (a page refused its filter draws none)."""
    assert not any(REFUSED in info.value for info in at.info)
    return len(at.dataframe) + len(at.metric) + len(charts(at))


def _open_as(app_test, role: str | None, page: str | None = None, tab: str | None = None, **params):
    """The page (with `tab` open, on a page of lazy tabs) signed in as `role`."""
    at = app_test(role=role, require_login=True, **params).run()
    if page is not None and not at.exception and at.session_state["access"] is not None:
        at.switch_page(page).run()
    if tab is not None:  # the page's own tabs (every page's share PAGE_TAB: one at a time)
        open_tab(at, page, tab)
        at.run()
    assert not at.exception, at.exception
    return at


def test_the_sidebar_gives_a_commissioner_no_exact_count(app_test):
    """Helper 74: the sidebar's "139,096 offences recorded Apr 2018 to Jan 2022" was the one
    exact count a commissioner's office saw: every type and month, a part-month no period
    offers among them, so it less the published totals gave that part-month's count back."""
    shown = {
        role: " ".join(c.value for c in _open_as(app_test, role).sidebar.caption)
        for role in ("analyst", "commissioner")
    }
    assert re.search(r"· [\d,]+ offences recorded [A-Z][a-z]{2} \d{4} to", shown["analyst"])
    assert "· offences recorded " in shown["commissioner"]
    assert not re.search(r"[\d,]+ offences recorded", shown["commissioner"])


def _small_counts_of_every_tab(at, page: str) -> list:
    """The small counts the page shows, its lazy tabs opened in turn."""
    return [found for shown in each_tab(at, page) for found in _page_small_counts(shown)]


def _page_small_counts(at) -> list:
    found: list = []
    for frame in at.dataframe:
        value = frame.value
        frame_pl = pl.from_pandas(value) if not isinstance(value, pl.DataFrame) else value
        for name in frame_pl.columns:
            # Percentages, intervals, scores and positions are not counts.
            if any(word in name for word in ("%", "points", "per 1,000", "p-value", "score")):
                continue
            if name in ("Rank", "Row", "Residents", "Outcome type", "Months"):
                continue
            found += [(name, c) for c in frame_pl[name].to_list() if publication.is_small(c, 5)]
    for metric in at.metric:
        if publication.is_small(metric.value, 5):
            found.append((metric.label, metric.value))
    for chart in charts(at):
        _figure_small_counts(chart.figure["data"], found, "chart")
    return found


# The force's non-DA offences, October to December 2018: 14 in December, withheld where counts
# under 20 are (a deployment's STALKING_PROFILE_SUPPRESS_BELOW): the force's months are never
# under 5 on the demo, and publication mode shows the whole force only
FORCE_SMALL_MONTH = {"from": "Oct 2018", "to": "Dec 2018", "da": "Non-DA"}


def test_the_trends_spc_table_writes_a_withheld_month_and_no_limit_below_zero(
    app_test, monkeypatch
):
    """A helper agent's trial (Calderdale, non-DA): the data behind the Trends SPC chart left
    a withheld month blank in publication mode (a blank reads as none; every other table
    writes "suppressed"), and for every role gave a lower limit of -2.6 offences, which the
    chart draws at 0 and the scorecard states as 0.0."""
    calderdale = {"from": "Jul 2021", "to": "Sep 2021", "district": "CD Calderdale", "da": "Non-DA"}
    monkeypatch.setenv("STALKING_PROFILE_SUPPRESS_BELOW", "20")
    for role, address in (("analyst", calderdale), ("commissioner", FORCE_SMALL_MONTH)):
        at = _open_as(
            app_test, role, "app_pages/trends.py", tab="Statistical process control", **address
        )
        table = next(f.value for f in at.dataframe if "Upper process limit" in f.value.columns)
        limits = [v for v in table["Lower process limit"] if v not in (None, "", "suppressed")]
        assert min(float(v) for v in limits) == 0.0 if role == "analyst" else not limits
        months = table["Value"].astype(str).tolist()
        assert ("suppressed" in months) == (role == "commissioner"), role
        assert "None" not in months and "" not in months, role


@pytest.mark.parametrize("page", PROFILE_PAGES)
def test_a_commissioners_office_page_shows_no_small_count(app_test, page: str):
    drawn = 0
    for at in each_tab(_open_as(app_test, "commissioner", page, **SMALL_ADDRESS), page):
        assert any("Publication mode" in info.value for info in at.info)
        assert any(
            "It shows the whole force, with each district's rows" in i.value for i in at.info
        )
        drawn += _figures_drawn(at)
        assert _page_small_counts(at) == [], [t.label for t in at.tabs]
    assert drawn > 0


def test_a_commissioners_overview_with_a_change_test_withheld_is_drawn(app_test, monkeypatch):
    """Calderdale, July to September 2021 (now the force's non-DA offences with a month
    withheld, FORCE_SMALL_MONTH): the change test is withheld (its months are), and
    withholding its p-value with the word "suppressed" made the column text, so the Overview's
    headline table failed ("'<' not supported between instances of 'str' and 'float')."""
    monkeypatch.setenv("STALKING_PROFILE_SUPPRESS_BELOW", "20")
    at = _open_as(
        app_test,
        "commissioner",
        "app_pages/overview.py",
        tab="Headline figures",
        **FORCE_SMALL_MONTH,
    )
    table = next(f.value for f in at.dataframe if "Figure" in f.value.columns)
    change = table[table["Figure"].str.startswith("Change on previous period")].iloc[0]
    assert change["95% interval"] == "suppressed" and change["p-value"] == ""


def test_a_published_charts_gap_says_it_is_withheld_not_small(app_test):
    """Helper 64: a commissioner's Overview left months of 612 and 443 offences out of the
    monthly chart (withheld so that no small count could be worked out), and said only
    "counts under 5 suppressed", which read as months of under 5. A chart with a gap now says
    what a gap is; a chart without one says nothing of gaps."""

    from stalking_profile.linked_figures import GAP_NOTE

    note = GAP_NOTE.format(below=5)
    seen = set()
    # the force's first year withholds two months' DA offences (and their totals); which
    # filters withhold a month changes as protection does
    for params in ({}, FORCE_SMALL_MONTH, {"from": "Apr 2018", "to": "Mar 2019"}):
        at = _open_as(app_test, "commissioner", "app_pages/overview.py", **params)
        (chart,) = charts(at)
        traces = chart.figure["data"]
        gaps = any(
            isinstance(t.get("y"), list) and None in t["y"] and any(v is not None for v in t["y"])
            for t in traces
        )
        seen.add(gaps)
        assert (note in [c.value for c in at.caption]) == gaps
    assert seen == {True, False}  # both kinds of chart were read


def test_a_month_with_no_rolling_total_is_not_called_withheld(app_test):
    """Helper 72: the whole force's first year (April 2018 to March 2019) said its monthly
    chart's figures were withheld: the rolling 12-month total has none for the data's first 11
    months, whatever the counts. None of the year's months of harassment is withheld (two of
    stalking's are, since the headline counts are spared)."""
    from stalking_profile.linked_figures import GAP_NOTE

    year = {"from": "Apr 2018", "to": "Mar 2019", "type": "Harassment"}
    at = _open_as(app_test, "commissioner", "app_pages/overview.py", **year)
    (chart,) = charts(at)
    rolling = next(t for t in chart.figure["data"] if t.get("name") == "Rolling 12-month total")
    assert rolling["y"][:11] == [None] * 11 and rolling["y"][11] is not None
    assert GAP_NOTE.format(below=5) not in [c.value for c in at.caption]


def test_the_same_page_for_an_analyst_shows_small_counts(app_test):
    """The page scan can fail: an analyst's Overview for the same filter has them."""
    at = _open_as(app_test, "analyst", "app_pages/overview.py", **SMALL_ADDRESS)
    assert _small_counts_of_every_tab(at, "app_pages/overview.py") != []


def test_a_commissioners_page_asks_for_the_next_pages_to_be_prepared(app_test, monkeypatch):
    """Publication mode's slowest pages are protected in the background once a page is drawn
    (stalking_profile/prepared.py, tests/test_prepared.py): a commissioner's office's page
    asks for its filter; an analyst's asks for nothing; switched off, nothing is asked."""
    from stalking_profile import prepared

    asked: list = []

    def ask(self, gateway, flt, small_denominator) -> bool:
        asked.append((gateway.publication, flt))
        return False  # not prepared here: what is prepared is tests/test_prepared.py's

    monkeypatch.setattr(prepared.Preparer, "ask", ask)
    monkeypatch.setenv("STALKING_PROFILE_PREPARE_AHEAD", "1")
    at = _open_as(app_test, "commissioner", "app_pages/overview.py", **SMALL_ADDRESS)
    assert asked and all(publication for publication, _ in asked)
    assert {flt for _, flt in asked} == {at.session_state["profile_filter"]}
    asked.clear()
    _open_as(app_test, "analyst", "app_pages/overview.py", **SMALL_ADDRESS)
    assert asked and not any(publication for publication, _ in asked)
    asked.clear()
    monkeypatch.setenv("STALKING_PROFILE_PREPARE_AHEAD", "0")
    _open_as(app_test, "commissioner", "app_pages/overview.py", **SMALL_ADDRESS)
    assert asked == []


def test_the_open_demo_cannot_manage_users_or_read_the_audit_trail(app_test, tmp_path):
    """Helper 49's trial: the synthetic demo, open without login, let any visitor add an
    administrator and reset another account's password (live once login was turned on, or at
    once where the operational store is shared), and read the audit trail."""
    from stalking_profile.operational import audit, open_store

    at = app_test().run()  # the demo, no login
    listed = {info["page_name"] for info in at._registered_pages.values()}
    assert "Data" in listed and "Users and audit" not in listed
    visitor = Access.demo()
    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with pytest.raises(AccessDenied):
        accounts.add_user(store, "backdoor", "administrator", TEST_PASSWORD, visitor)
    with pytest.raises(AccessDenied):
        audit.events(store, visitor)


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("commissioner", {"Overview", "Data quality", "Definitions"}),
        ("strategic", {"Overview", "Data quality", "Definitions"}),
        ("analyst", {"Overview", "Data quality", "Data", "Definitions"}),
        ("administrator", {"Overview", "Data quality", "Users and audit", "Definitions"}),
    ],
)
def test_each_role_is_offered_its_pages(app_test, role: str, pages: set[str]):
    """The navigation registers only the pages a role may open: the others do not exist for
    it (a bookmarked /data or /admin address opens the default page instead)."""
    at = _open_as(app_test, role)
    listed = {info["page_name"] for info in at._registered_pages.values()}
    assert pages <= listed
    assert not ({"Data", "Users and audit"} - pages) & listed
    if "Data" not in pages:
        with pytest.raises(ValueError):
            at.switch_page("app_pages/data.py")


@pytest.mark.parametrize("role", ["commissioner", "strategic", "administrator", "analyst"])
def test_quality_drill_down_only_for_analysts(app_test, role: str):
    at = _open_as(
        app_test, role, "app_pages/quality.py", tab="Check the records behind an indicator"
    )
    texts = "\n".join(caption.value for caption in at.caption)
    shows_records = any("Crime reference" in frame.value.columns for frame in at.dataframe)
    assert shows_records == (role == "analyst")
    if role != "analyst":
        assert "Record-level lists are for analysts" in texts
    else:  # helper 86: in publication mode an analyst was told the lists were for analysts
        at.sidebar.toggle(key="publication_mode").set_value(True).run()
        texts = "\n".join(caption.value for caption in at.caption)
        assert not any("Crime reference" in frame.value.columns for frame in at.dataframe)
        assert "withdrawn in publication mode: switch it off" in texts
        assert "for analysts" not in texts


def test_a_page_without_a_session_shows_only_the_login(app_test):
    at = _open_as(app_test, None)
    assert [t.value for t in at.title] == ["Stalking Profile"]
    assert not at.metric and not at.dataframe and not charts(at)
    assert at.text_input(key="login_username") is not None


def _sign_in(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_the_login_form_signs_in_and_refuses_without_saying_why(app_test):
    at = _open_as(app_test, None)
    from stalking_profile.access import Access as A
    from stalking_profile.ui import auth

    store = auth.open_store(str(at_store_url()))
    accounts.add_user(store, "lead", "strategic", TEST_PASSWORD, A.command_line())
    refusals = []
    for username, password in [
        ("lead", "wrong password!"),
        ("nobody", TEST_PASSWORD),
        ("' OR '1'='1' --", "' OR '1'='1' --"),
    ]:
        at = _sign_in(at, username, password)
        refusals.append([error.value for error in at.error])
        assert not at.metric
    assert refusals[0] == refusals[1] == refusals[2] == [accounts.LOGIN_REFUSED]
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert not at.exception
    assert at.title[0].value == "Overview" and at.metric


def test_signing_out_forgets_the_pack_the_last_user_built(app_test):
    """A strategic lead built a pack (unsuppressed), signed out, and a commissioner's office
    signing in on the same tab was offered it to download: the pack stayed in the tab's
    session. Signing out (and in) now forgets everything the tab held."""
    from stalking_profile.access import Access as A
    from stalking_profile.ui import auth

    at = _open_as(app_test, "strategic")
    at.session_state["pack"] = ("an unsuppressed pack", "stem")  # as the Meeting pack keeps it
    at = at.button(key="sign_out").click().run()
    assert at.text_input(key="login_username") is not None
    assert "pack" not in at.session_state
    store = auth.open_store(str(at_store_url()))
    accounts.add_user(store, "pcc", "commissioner", TEST_PASSWORD, A.command_line())
    at.session_state["pack"] = ("left by a session that ended", "stem")
    at = _sign_in(at, "pcc", TEST_PASSWORD)
    assert at.title[0].value == "Overview" and "pack" not in at.session_state


def at_store_url() -> str:
    import os

    return os.environ["STALKING_PROFILE_STORE"]


def test_an_idle_session_ends(app_test, monkeypatch: pytest.MonkeyPatch):
    at = _open_as(app_test, "analyst")
    assert at.title[0].value == "Overview"
    monkeypatch.setenv("STALKING_PROFILE_IDLE_MINUTES", "-1")  # already idle too long
    from stalking_profile.ui import cache

    cache.settings.clear()  # the server reads its settings again
    at.run()
    assert any("Your session has ended" in info.value for info in at.info)
    assert not at.metric


def test_five_failures_lock_the_account_in_the_app(app_test):
    at = _open_as(app_test, None)
    from stalking_profile.ui import auth

    store = auth.open_store(at_store_url())
    accounts.add_user(store, "ana", "analyst", TEST_PASSWORD, Access.command_line())
    for _ in range(accounts.MAX_FAILED_LOGINS):
        at = _sign_in(at, "ana", "not it at all")
    at = _sign_in(at, "ana", TEST_PASSWORD)
    assert [error.value for error in at.error] == [accounts.LOGIN_REFUSED]
    assert not at.metric


def test_hostile_address_parameters_are_only_ever_labels(app_test):
    """SQL in the address: never run, only matched against the choices (and refused)."""
    hostile = "'; DROP TABLE offence; --"
    at = _open_as(app_test, "analyst", None, district=hostile, da=hostile, type=hostile)
    assert not at.exception
    again = _open_as(app_test, "analyst")
    assert again.metric  # the offence table is still there


# ---- an identity provider (Streamlit's st.login, OpenID Connect) --------------------------

PROVIDER = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a test secret",
    "client_id": "stalking-profile",
    "client_secret": "not a real secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
}


def test_a_groups_claim_gives_the_most_capable_mapped_role():
    from stalking_profile.access import parse_role_map, role_from_claims

    roles = parse_role_map("SP-Leads=strategic, SP-Analysts=analyst,PCC=commissioner")
    claims = {"email": "a@force.police.uk", "groups": ["Staff", "SP-Leads", "SP-Analysts"]}
    assert role_from_claims(claims, "groups", roles) is Role.ANALYST
    assert role_from_claims({"groups": "PCC"}, "groups", roles) is Role.COMMISSIONER
    assert role_from_claims({"groups": ["Staff"]}, "groups", roles) is None
    assert role_from_claims({}, "groups", roles) is None
    with pytest.raises(ValueError, match="'sheriff' is not a valid Role"):
        parse_role_map("X=sheriff")


def _provider_app(app_test, monkeypatch, claims: dict):
    monkeypatch.setenv("STALKING_PROFILE_OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("STALKING_PROFILE_OIDC_ROLES", "SP-Leads=strategic,PCC=commissioner")
    at = app_test(role=None, require_login=True)
    at.secrets["auth"] = PROVIDER
    at.user = {"is_logged_in": True, **claims}
    return at.run()


def test_an_identity_provider_login_maps_its_claim_to_a_role(app_test, monkeypatch):
    at = _provider_app(
        app_test, monkeypatch, {"email": "lead@force.police.uk", "groups": ["SP-Leads"]}
    )
    assert not at.exception
    assert at.title[0].value == "Overview" and at.metric
    assert any(  # the name as written (Markdown's escapes taken out)
        "lead@force.police.uk" in as_read(c.value) and "Strategic lead" in c.value
        for c in at.sidebar.caption
    )
    events = audit_events()
    assert ("login", "lead@force.police.uk", "identity provider") in events


def test_an_identity_provider_user_without_a_mapped_group_sees_nothing(app_test, monkeypatch):
    at = _provider_app(app_test, monkeypatch, {"email": "x@force.police.uk", "groups": ["Staff"]})
    assert not at.exception
    assert any("has no role in Stalking Profile" in error.value for error in at.error)
    assert not at.metric and not at.dataframe
    assert ("login failed", "x@force.police.uk", "no role") in audit_events()


def test_an_identity_provider_session_ends_after_the_idle_minutes(app_test, monkeypatch):
    """A tab signed in with the organisation's account stayed open on the records however
    long it was left; a login session ended after the idle minutes. Now both do: the tab shows
    only a way to sign in again, which signs it out first, and the trail says why."""
    monkeypatch.setenv("STALKING_PROFILE_IDLE_MINUTES", "5")
    at = _provider_app(
        app_test, monkeypatch, {"email": "lead@force.police.uk", "groups": ["SP-Leads"]}
    )
    assert at.metric and not any("session has ended" in i.value for i in at.info)
    at.session_state["provider_last_seen"] -= 4 * 60  # four minutes idle: still signed in
    at.run()
    assert at.metric and at.title[0].value == "Overview"
    at.session_state["provider_last_seen"] -= 6 * 60  # six: ended
    at.run()
    assert not at.exception
    assert not at.metric and not at.dataframe and not at.sidebar.caption
    assert "Your session has ended (5 minutes without activity)" in at.info[0].value
    assert at.button(key="provider_sign_in_again").label == "Sign in again"
    assert ("session expired", "lead@force.police.uk", "identity provider") in audit_events()
    at.run()  # and stays ended, however soon the next click comes
    assert not at.metric and "Your session has ended" in at.info[0].value


def open_store_for_test():
    from stalking_profile.operational import open_store

    return open_store(at_store_url())


def audit_events() -> list[tuple[str, str, str]]:
    from stalking_profile.operational import audit, open_store

    events = audit.events(open_store(at_store_url()), Access.command_line())
    return list(zip(events["action"], events["username"], events["detail"], strict=True))


def test_the_login_form_offers_the_identity_provider_when_configured(app_test):
    at = app_test(role=None, require_login=True)
    at.secrets["auth"] = PROVIDER
    at.user = {"is_logged_in": False}
    at.run()
    assert at.text_input(key="login_username") is not None  # local accounts still work
    assert at.button(key="login_provider").label == "Sign in with your organisation's account"


# ---- administration in the app ------------------------------------------------------------


def test_an_administrator_adds_a_user_in_the_app_and_it_is_audited(app_test):
    at = _open_as(app_test, "administrator", "app_pages/admin.py")
    assert at.title[0].value == "Users and audit"
    at.text_input(key="admin_new_username").input("new.analyst")
    at.selectbox(key="admin_new_role").set_value("analyst")
    at.text_input(key="admin_new_password").input("a long enough password")
    at.button[0].click().run()  # the "Add user" form button
    assert not at.exception
    assert any("Added new.analyst as Analyst" in s.value for s in at.success)
    users = at.dataframe[0].value
    assert (
        "new.analyst" in users["User name" if "User name" in users else users.columns[0]].tolist()
    )
    assert ("user added", "test-administrator", "new.analyst as Analyst") in audit_events()


def test_the_audit_trail_says_when_it_shows_only_the_newest_events(app_test, monkeypatch):
    """Helper 74: the page stopped at its 5,000 newest events in silence, its caption reading
    "5,000 events" as though they were all."""
    from stalking_profile.operational import audit

    monkeypatch.setattr(audit, "PAGE_EVENTS", 2)
    for number in range(3):
        audit.record(open_store_for_test(), audit.Action.EXPORT, "someone", f"table {number}")
    at = _open_as(app_test, "administrator", "app_pages/admin.py")
    said = [c.value for c in at.caption if "newest" in c.value]
    assert said and said[0].startswith("The newest 2 events of the last 90 days")
    assert "python -m stalking_profile audit --days 90 --csv FILE" in said[0]
    assert any(
        frame.value.shape[0] == 2 and "detail" in str(frame.value.columns).lower()
        for frame in at.dataframe
    )


def test_the_audit_trail_page_shows_each_events_result(app_test):
    """The trail's ok / refused / started was dropped from the page and its downloads: its
    column was named "outcome", which every table hides as a Home Office outcome code
    (helper 95)."""
    from stalking_profile.operational import audit

    store = open_store_for_test()
    audit.record(store, audit.Action.IMPORT, "someone", "extract.csv", outcome="refused")
    at = _open_as(app_test, "administrator", "app_pages/admin.py")
    trail = next(f.value for f in at.dataframe if "Detail" in f.value.columns)
    assert ("extract.csv", "refused") in zip(trail["Detail"], trail["Result"], strict=True)
    about = audit.export_about(90)
    assert about["filter_text"] == "the audit trail's events of the last 90 days"


def test_the_admin_page_refuses_a_bad_request_with_its_reason(app_test):
    at = _open_as(app_test, "administrator", "app_pages/admin.py")
    users = at.dataframe[0].value
    assert users.shape[0] == 4  # the test store's account for each role
    at.text_input(key="admin_new_username").input("'; DROP TABLE app_user; --")
    at.text_input(key="admin_new_password").input("short")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "Not added: a user name is 1 to 64 printable characters without spaces."
    ]
    assert at.dataframe[0].value.equals(users)  # nobody added, nothing dropped


def test_a_hostile_value_in_a_file_is_stored_as_data(tmp_path):
    """SQL in a file's cells is data: stored exactly as read, never run."""
    from stalking_profile.db import connect
    from tests.conftest import import_texts

    hostile = "X'); DROP TABLE offence; --"
    templates = ROOT / "data" / "templates"
    header, first = (templates / "offences_template.csv").read_text().splitlines()[:2]
    row = first.split(",")
    row[0], row[6] = f'"{hostile}"', ""  # the crime reference; no ward
    database = import_texts(
        tmp_path / "force.duckdb",
        {
            "districts.csv": (templates / "districts.csv").read_text(),
            "offences.csv": "\n".join([header, ",".join(row)]) + "\n",
        },
    )
    gateway = connect(database)
    assert gateway.sql("SELECT crime_ref FROM offence")["crime_ref"].to_list() == [hostile]
    assert gateway.sql("SELECT count(*) AS n FROM district")["n"].item() > 0  # untouched


def test_publication_mode_can_be_switched_on_from_any_page(app_test):
    """Issue 15: a switch on every page; an analyst's Overview for a small filter then shows
    no small count, and record-level lists and imports go."""
    at = _open_as(app_test, "analyst", "app_pages/overview.py", **SMALL_ADDRESS)
    assert _small_counts_of_every_tab(at, "app_pages/overview.py") != []
    at.sidebar.toggle(key="publication_mode").set_value(True).run()
    assert not at.exception
    assert any("Publication mode" in info.value for info in at.info)
    assert _figures_drawn(at) > 0
    assert _small_counts_of_every_tab(at, "app_pages/overview.py") == []
    listed = {info["page_name"] for info in at._registered_pages.values()}
    assert "Data" not in listed and "Dip samples" not in listed


def test_a_commissioners_office_cannot_switch_publication_mode_off(app_test):
    at = _open_as(app_test, "commissioner")
    switch = next(t for t in at.sidebar.toggle if t.label == "Publication mode")
    assert switch.value is True and switch.disabled


def test_a_hostile_mapping_file_is_refused_or_read_as_data(tmp_path):
    """SQL and path tricks in a mapping file: a contract column that does not exist is
    refused with its name; SQL in a header name or a code value is only ever a string."""
    from stalking_profile.importing.mapping import load_mapping

    bad_column = tmp_path / "bad.toml"
    bad_column.write_text('[columns]\n"crime_ref; DROP TABLE offence" = "Ref"\n')
    with pytest.raises(ValueError, match="crime_ref; DROP TABLE offence"):
        load_mapping(bad_column)
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        '[columns]\ncrime_ref = "Ref\'); DROP TABLE offence; --"\n'
        '[values.is_domestic]\n"1 OR 1=1" = true\n'
    )
    mapping = load_mapping(hostile)
    assert mapping.columns["crime_ref"] == "Ref'); DROP TABLE offence; --"


RECORD_DOWNLOADS = (
    "Download these records",
    "Download the quarantine",
    "sample list",
    "Download every answer",
    "panel report",
)


@pytest.mark.parametrize("role", ["commissioner", "strategic", "analyst", "administrator"])
def test_every_page_and_download_for_each_role(app_test, role: str):
    """The matrix: every page a role is offered renders for it; record-level tables and
    downloads appear for analysts only; pages not offered cannot be opened."""
    at = _open_as(app_test, role)
    for chart in ("map-rate", "map-hotspots"):  # long tables, sent only when opened: open them
        at.session_state[f"data-behind-{chart}"] = True
    offered = sorted({info["script_path"] for info in at._registered_pages.values()})
    assert offered
    for script in offered:
        at.switch_page(script).run(timeout=120)
        assert not at.exception, (role, script, at.exception)
        tables = [frame.value for frame in at.dataframe]
        record_level = any({"Crime reference", "Suspect"} & set(table.columns) for table in tables)
        downloads = [button.label for button in at.get("download_button")]
        record_downloads = [d for d in downloads if any(r in d for r in RECORD_DOWNLOADS)]
        if role != "analyst":
            assert not record_level, (role, script)
            assert record_downloads == [], (role, script, record_downloads)
    for page in (
        "app_pages/data.py",
        "app_pages/admin.py",
        "app_pages/dip_samples.py",
        "app_pages/suspects.py",
    ):
        allowed = {
            "analyst": {"app_pages/data.py", "app_pages/dip_samples.py", "app_pages/suspects.py"},
            "administrator": {"app_pages/admin.py"},
        }.get(role, set())
        if page not in allowed:
            with pytest.raises(ValueError):
                at.switch_page(page)


def test_a_commissioners_hot_spots_tab_says_why_it_is_withheld(app_test):
    """The force's non-DA offences of September 2021 have wards withheld: the Hot and cold spots tab says
    the Gi* map is left out, and draws no map, while an analyst's draws it."""
    from stalking_profile.map_panels import HOTSPOTS_WITHHELD

    def hot_tab(role: str):
        at = app_test(role=role, require_login=True, **SMALL_ADDRESS).run()
        at.switch_page("app_pages/maps.py").run()
        open_tab(at, "app_pages/maps.py", "Hot and cold spots")
        at.run()
        assert not at.exception, at.exception
        return at

    shown = hot_tab("commissioner")
    assert HOTSPOTS_WITHHELD in [info.value for info in shown.info]
    assert charts(shown) == []
    analyst = hot_tab("analyst")
    assert HOTSPOTS_WITHHELD not in [info.value for info in analyst.info]
    assert len(charts(analyst)) == 1


def test_a_commissioner_reads_suppressed_where_a_count_is_withheld(app_test):
    """Audit: withheld counts showed as 'None' although the banner promised otherwise. The
    force's 3 SPOs in force read 'suppressed' on the Civil orders page."""
    at = _open_as(app_test, "commissioner", "app_pages/orders.py")
    activity = at.dataframe[0].value
    spo = activity[activity["Order type"] == "SPO"].iloc[0]
    assert spo["Full orders in force at the end"] == "suppressed"
    assert any("are suppressed (shown as suppressed" in info.value for info in at.info)
    # A rate withheld with its count said nothing (a blank, as for a rate of nothing).
    open_tab(at, "app_pages/orders.py", "Take-up per 100 offences")
    at.run()
    take_up = next(f.value for f in at.dataframe if "Applications per 100 offences" in f.value)
    withheld = take_up[take_up["Applications"] == "suppressed"]
    assert len(withheld) and set(withheld["Applications per 100 offences"]) == {"suppressed"}


def test_a_pages_tables_are_built_once_per_filter_and_rule_in_publication_mode(
    demo_gateway: Gateway,
) -> None:
    """The pages' shared protection builds every page's tables and each page builds its own
    again: in publication mode the second build is the first's answer (per arguments and
    disclosure rule); outside it every call builds."""
    calls: list[tuple[str, int]] = []

    @publication.built_once_when_published
    def build(gateway: Gateway, flt: str, small: int) -> int:
        calls.append((flt, small))
        return len(calls)

    commissioner = Access.for_role("x", Role.COMMISSIONER)
    published = demo_gateway.scoped(commissioner)
    assert build(published, "a", 30) == build(published, "a", 30) == 1
    assert build(published, "a", 20) == 2  # other arguments
    assert build(demo_gateway.scoped(commissioner.with_threshold(10, 5)), "a", 30) == 3
    analyst = demo_gateway.scoped(Access.for_role("x", Role.ANALYST))
    assert (build(analyst, "a", 30), build(analyst, "a", 30)) == (4, 5)


def test_publication_mode_shows_the_whole_force_and_one_offence_type(app_test):
    """A user trial: the force's 36 non-DA offences of September 2021 less the 34 of a
    selection of the other four districts gave Calderdale's withheld 2; stalking and
    harassment together less harassment gave a withheld stalking count (Calderdale non-DA,
    October 2021: 233 less 230 gave 3). Helper 42: a district's own pages beside the force's
    did too (September 2021: the force's 112 arrests less its 110 DA gave the 2 non-DA both
    withheld). Each view was protected on its own."""
    from stalking_profile.publication import unpublishable

    every = ("BD", "CD", "KD", "LD", "WD")
    assert unpublishable(every, every, ("stalking",)) == ""
    assert unpublishable(every, every, ("harassment",)) == ""
    for districts in (("CD",), ("BD", "KD")):
        why = unpublishable(districts, every, ("stalking",))
        assert "the whole force" in why and "select every district in the sidebar" in why
    assert "one offence type at a time" in unpublishable(every, every, ("stalking", "harassment"))
    one = {"district": "CD Calderdale"}
    some = {"district": ["BD Bradford", "KD Kirklees", "LD Leeds", "WD Wakefield"]}
    both = {"type": ["Stalking", "Harassment"]}
    for address in (one, some, both):
        at = _open_as(app_test, "commissioner", **address)
        (said,) = [info.value for info in at.info if "Publication mode shows" in info.value]
        # helper 84: a commissioner's office, always in publication mode, was told to switch
        # it off (where its role may: it may not)
        assert "Switch publication mode off" not in said
        assert not at.metric and not at.dataframe
        lead = _open_as(app_test, "strategic", **address)  # not in publication mode: shown
        assert lead.metric


def test_a_p_value_of_one_is_not_read_as_a_small_count() -> None:
    """Helper 55: publication mode read p = 1.000 as a count of 1 and withheld the change's
    value, interval and definition with it (54 change rows of a sample, 46 against 46 among
    them). A p- or q-value is never a count; a small count in the row still withholds it."""
    from stalking_profile.publication import suppress_frame

    frame = pl.DataFrame(
        {
            "district_code": ["A", "B"],
            "current": [46, 3],
            "previous": [46, 40],
            "change_pct": [0.0, -92.5],
            "p_value": [1.0, 1e-9],
            "q_value": [1.0, 1e-8],
        }
    )
    shown = suppress_frame(frame, 5, already_secondary=True)
    assert shown.row(0) == frame.row(0)
    assert shown["current"][1] is None and shown["p_value"][1] is None
    # nor a headline's change of exactly +100% (1.0) or rate of 100%; its count rows' values
    # are counts
    headline = pl.DataFrame(
        {
            "indicator": ["offences", "change", "arrest_rate", "da_offences"],
            "kind": ["count", "change", "rate", "count"],
            "value": [46.0, 1.0, 1.0, 3.0],
            "numerator": [46, 46, 46, 3],
            "denominator": [None, 23, 46, None],
        }
    )
    shown = suppress_frame(headline, 5, already_secondary=True)
    assert shown["value"].to_list() == [46.0, 1.0, 1.0, None]


def test_a_commissioners_contact_page_gives_told_the_outcome_with_small_counts_withheld(
    app_test,
):
    """Told the outcome was for internal roles only (the commissioner's page said publication
    mode did not give it yet). The force's non-DA page for July to September 2021 now gives
    it, with Calderdale's 4 victims told, and its rate, written "suppressed"."""
    at = _open_as(
        app_test,
        "commissioner",
        "app_pages/contact.py",
        **{"from": "Jul 2021"},
        to="Sep 2021",
        da="Non-DA",
    )
    words = " ".join(c.value for c in at.caption)
    assert "Told the outcome: of the final updates due by the extract date" in words
    assert "does not give it yet" not in words
    table = next(f.value for f in at.dataframe if "Final updates due" in f.value.columns)
    rows = table.set_index("District")
    told = "Told the outcome within the interval"
    assert str(rows.loc["CD", told]) == "suppressed"
    assert str(rows.loc["CD", "Told the outcome (%)"]) == "suppressed"
    assert (str(rows.loc["Force", "Final updates due"]), str(rows.loc["Force", told])) == (
        "57",
        "43",
    )
