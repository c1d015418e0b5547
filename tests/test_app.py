"""The pages as a user sees them, under AppTest: filters set the way the page address sets
them (labels, as the URL holds them), and what shows checked - tiles, tables, their headers,
the number of charts, the empty-state sentences."""

from __future__ import annotations

import io
import re

import pytest

from stalking_profile import panels, protection_panels, tables
from stalking_profile.ui import chart_element
from stalking_profile.ui.widgets import PAGE_TAB
from tests.conftest import (
    EXTRACT_DISTRICTS,
    as_read,
    charts,
    each_tab,
    extract_like_offences,
    import_texts,
    open_tab,
)

PAGES = {
    "app_pages/overview.py": "Overview",
    "app_pages/trends.py": "Trends",
    "app_pages/outcomes.py": "Outcomes",
    "app_pages/risk.py": "Risk & flags",
    "app_pages/maps.py": "Hotspot maps",
    "app_pages/repeats.py": "Repeat victims and suspects",
    "app_pages/people.py": "Victims and suspects",
    "app_pages/orders.py": "Civil orders and breaches",
    "app_pages/contact.py": "Victim contact",
    "app_pages/quality.py": "Data quality",
    "app_pages/data.py": "Data",
    "app_pages/definitions.py": "Definitions",
}
PROFILE_PAGES = [
    page for page in PAGES if page not in ("app_pages/data.py", "app_pages/definitions.py")
]
# at least this many charts on each profile page when the filter selects offences
CHARTS = {
    "app_pages/overview.py": 2,
    "app_pages/trends.py": 3,
    "app_pages/outcomes.py": 2,
    "app_pages/risk.py": 3,
    "app_pages/maps.py": 1,
    "app_pages/repeats.py": 1,
    "app_pages/people.py": 1,
    "app_pages/orders.py": 1,
    "app_pages/contact.py": 1,
    "app_pages/quality.py": 2,
}
PUBLISHED_YEAR = {"from": "Oct 2020", "to": "Sep 2021"}
FILTERS = {
    "default": ({}, "Stalking, DA and non-DA, BD, CD, KD, LD, WD, Feb 2021 to Jan 2022"),
    "one district, non-DA": (
        {**PUBLISHED_YEAR, "district": "CD Calderdale", "da": "Non-DA"},
        "Stalking, Non-DA, CD, Oct 2020 to Sep 2021",
    ),
    "two districts, both types, DA, one month": (
        {
            "from": "Jun 2021",
            "to": "Jun 2021",
            "district": ["BD Bradford", "CD Calderdale"],
            "type": ["Stalking", "Harassment"],
            "da": "DA",
        },
        "Stalking and harassment, DA, BD, CD, Jun 2021",
    ),
    "12 months to a chosen month": (
        {"to": "Sep 2021"},
        "Stalking, DA and non-DA, BD, CD, KD, LD, WD, Oct 2020 to Sep 2021",
    ),
}
RAW_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def _open(app_test, page: str, tab: str | None = None, data: tuple[str, ...] = (), **params):
    """The page with the filters in its address (and, on a page of lazy tabs, `tab` open: only
    the open one is drawn; `data`: the charts whose long "Data behind this chart" tables to
    open, which are sent only then)."""
    at = app_test(**params).run()
    for chart in data:
        at.session_state[f"data-behind-{chart}"] = True
    if page != "app_pages/overview.py" or data:
        at.switch_page(page).run()
    if tab is not None:  # the page's own tabs (every page's share PAGE_TAB: one at a time)
        open_tab(at, page, tab)
        at.run()
    assert not at.exception, at.exception
    return at


RECORDS = "Check the records behind an indicator"  # the Data quality page's tab
# the Outcomes page's tabs
WITHIN = "Within 90 and 180 days"
BY_DISTRICT = "Outcomes by district"


def _frames_of_every_tab(at, page: str) -> list:
    """Every table the page draws, its lazy tabs opened in turn."""
    return [frame for shown in each_tab(at, page) for frame in shown.dataframe]


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _headers(at) -> list[str]:
    return [str(name) for frame in at.dataframe for name in frame.value.columns]


def _texts(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success]
    return "\n".join(str(part.value) for part in parts)


# Data and Definitions do not depend on the filter: they are opened with the default one only.
PAGE_FILTERS = [
    (page, name) for name in FILTERS for page in PAGES if page in CHARTS or name == "default"
]


@pytest.mark.parametrize(("page", "name"), PAGE_FILTERS)
def test_page_shows_the_filter_it_was_given(app_test, page: str, name: str) -> None:
    """The filter in the address is the one applied (its description heads the page), every
    profile page draws its charts and tables, and no table header is a raw column name."""
    params, description = FILTERS[name]
    drawn, frames, raw = 0, 0, []
    for at in each_tab(_open(app_test, page, data=("map-rate",), **params), page):
        assert at.title[0].value == PAGES[page]
        assert any("synthetic" in warning.value for warning in at.warning), "the demo banner shows"
        no_orders = page == "app_pages/orders.py" and any(
            "No civil orders are recorded" in info.value or "was applied for, made" in info.value
            for info in at.info
        )  # Calderdale's non-DA stalking led to no (Stalking Protection) order: the page says so
        if page in CHARTS and not no_orders:
            assert at.caption[0].value.startswith(description)
        drawn, frames = drawn + len(charts(at)), frames + len(at.dataframe)
        raw += [header for header in _headers(at) if _is_raw(header)]
        traces = {trace["type"] for chart in charts(at) for trace in chart.figure["data"]}
        assert traces <= chart_element.TRACES, traces  # all the pages' Plotly holds (issue 14)
    if page in CHARTS and not no_orders:
        assert drawn >= CHARTS[page], "the page's tabs draw its charts"
        assert frames, "a table shows"
    assert not raw, f"raw column names shown: {raw}"


LABELS = {column.label for column in tables.COLUMNS.values()}


def _is_raw(header: str) -> bool:
    """A measure's own column name shown as it is: with underscores, or one lower-case word
    that is no registered label (the Repeats page showed "suspects" and "gaps")."""
    return bool(RAW_NAME.match(header)) or (header[:1].islower() and header not in LABELS)


def test_repeat_shares_are_percentages_in_words(app_test) -> None:
    """The Repeats page showed its shares as fractions at one decimal place (0.0 and 0.1 for
    3.0% and 6.4%), and called the median days between a suspect's offences days to outcome."""
    at = _open(app_test, "app_pages/repeats.py", **PUBLISHED_YEAR)
    frames = _frames_of_every_tab(at, "app_pages/repeats.py")
    summary = frames[0].value
    every = summary[summary["DA / non-DA"] == "DA and non-DA"].iloc[0]
    assert every["Repeat victims (% of victims)"] == pytest.approx(100 * 178 / 5947, abs=0.05)
    share = every["Offences by a repeat suspect (% of those with a suspect)"]
    assert share == pytest.approx(100 * 382 / 5940, abs=0.05)
    gaps = next(frame.value for frame in frames if "Median days between offences" in frame.value)
    assert "Median days to outcome" not in gaps.columns
    # its tab says which offences are paired (helper 63: it said nothing)
    at = _open(
        app_test, "app_pages/repeats.py", "Days between a suspect's offences", **PUBLISHED_YEAR
    )
    assert panels.DAYS_BETWEEN_NOTE in _texts(at)
    # its months within 12 months name those that look back across a counting-rule change
    # (helper 70), and which earlier offences they count
    at = _open(app_test, "app_pages/repeats.py", "Within 12 months", **PUBLISHED_YEAR)
    assert "offence types, DA choice and districts" in _texts(at)
    assert "October 2020 to March 2021 look back across the change of 1 April 2020" in _texts(at)
    serial = next(frame.value for frame in frames if "Serial perpetrators" in frame.value)
    by_serial = serial["Offences by serial perpetrators"].iloc[0]
    with_suspect = serial["Offences with a suspect identified"].iloc[0]
    assert serial["Offences by serial perpetrators (%)"].iloc[0] == pytest.approx(
        100 * by_serial / with_suspect, abs=0.05
    )


def test_a_tile_on_small_numbers_says_so_on_the_tile(app_test) -> None:
    """Helper 84: Calderdale's non-DA offences, July to September 2021 (11), showed "+20.9%"
    and arrest, DASH and cyber rates of 18.2% to 45.5% with the caution in a tooltip alone."""
    at = app_test(
        **{"from": "Jul 2021", "to": "Sep 2021"}, district="CD Calderdale", da="Non-DA"
    ).run()
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Offences"].endswith(" · small numbers")
    assert deltas["Arrest rate"] == "2 of 11: small numbers"
    big = app_test(**PUBLISHED_YEAR).run()
    assert not [m for m in big.metric if "small numbers" in m.proto.delta]


def test_a_withheld_tile_says_so_below_a_dash(app_test) -> None:
    """Helper 86: on a commissioner's Overview a withheld figure read "suppres…", the word cut
    off in the big type of a quarter of a 1,280 px window. The force's non-DA offences in
    December 2021: 37 offences shown, the arrest, DASH and cyber-flag rates withheld, each
    now a dash with the word in the tile's smaller line."""
    at = app_test(
        role="commissioner",
        require_login=True,
        **{"from": "Dec 2021", "to": "Dec 2021"},
        da="Non-DA",
    ).run()
    tiles = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert tiles["Offences"][0] == "37"
    withheld = [label for label, (value, note) in tiles.items() if note == "suppressed"]
    assert len(withheld) == 3 and "Arrest rate" in withheld
    assert all(tiles[label][0] == "—" for label in withheld)
    assert not [value for value, _ in tiles.values() if value == "suppressed"]


def test_overview_shows_the_published_figures(app_test) -> None:
    at = app_test(**PUBLISHED_YEAR).run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["DA offences"], figures["Non-DA offences"]) == (
        "6,129",
        "5,669",
        "460",
    )
    assert at.metric[0].proto.delta == "+86.5% vs previous"  # short enough for its tile
    assert "92.5% of offences" in at.metric[1].proto.delta  # the DA share, where it means something
    at.button_group(key="da").set_value("domestic").run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["Outcome 1-8 rate"], figures["Outcome 16 rate"]) == (
        "5,669",
        "2.7%",
        "51.3%",
    )
    at.button_group(key="da").set_value("non_domestic").run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["Outcome 1-8 rate"]) == ("460", "3.9%")


def test_da_share_is_not_shown_within_one_category(app_test) -> None:
    """Fault 4: Calderdale non-DA showed 'DA share 93.5%' (the share of all offences)."""
    at = app_test(**PUBLISHED_YEAR, district="CD Calderdale", da="Non-DA").run()
    figures = _metrics(at)
    assert figures["Offences"] == "37"  # the published Calderdale non-domestic figure
    assert not {"DA share", "DA offences", "Non-DA offences"} & set(figures)


def test_twelve_months_to_is_the_default_period(app_test) -> None:
    """Fault 10: the profile's period is one choice, '12 months to <month>'."""
    at = app_test().run()
    assert at.button_group(key="period").value == "12m"
    assert at.selectbox(key="to").label == "12 months to"
    at.selectbox(key="to").set_value("2021-09").run()
    assert _metrics(at)["Offences"] == "6,129"
    assert at.caption[0].value.startswith("Stalking, DA and non-DA, BD, CD, KD, LD, WD, Oct 2020")
    at.button_group(key="period").set_value("custom").run()
    at.selectbox(key="from").set_value("2021-01").run()
    assert at.caption[0].value.startswith("Stalking, DA and non-DA, BD, CD, KD, LD, WD, Jan 2021")


def test_from_has_no_default_month_until_one_is_chosen(app_test) -> None:
    """A bound widget leaves its default out of the address: From now has none, so a From
    chosen is always written (tests/browser: the address reopens the same period); until
    one is chosen the period starts where the default one does, as the box shows."""
    at = app_test().run()
    at.button_group(key="period").set_value("custom").run()
    assert at.selectbox(key="from").value is None
    assert at.selectbox(key="from").placeholder == "Feb 2021"
    assert "Feb 2021 to Jan 2022" in at.caption[0].value
    at.selectbox(key="from").set_value("2021-02").run()
    at.selectbox(key="to").set_value("2021-02").run()
    assert ", WD, Feb 2021 · " in at.caption[0].value


def test_twelve_months_to_where_the_data_start_says_it_holds_fewer(app_test) -> None:
    """ "12 months to Sep 2018" counted the 6 months from April 2018, when the demo's data
    start, and nothing near the picker said so."""
    at = app_test().run()
    at.selectbox(key="to").set_value("2018-09").run()
    said = [c.value for c in at.sidebar.caption if "The data start" in c.value]
    assert said == [
        "The data start in April 2018, so this period holds 6 months: Apr 2018 to Sep 2018."
    ]
    at.selectbox(key="to").set_value("2019-03").run()
    assert not [c.value for c in at.sidebar.caption if "The data start" in c.value]


def test_the_risk_pages_da_comparison_says_why_it_holds_both_under_a_da_choice(app_test) -> None:
    """With DA chosen, the Risk page's "DA against non-DA" table still held non-DA offences
    (it must, to compare them), and nothing said why the filter did not apply."""
    at = _open(app_test, "app_pages/risk.py", tab="DA against non-DA", **PUBLISHED_YEAR, da="DA")
    why = "This table compares DA with non-DA offences, so it holds both whatever the DA choice"
    assert why in _texts(at)
    both = _open(app_test, "app_pages/risk.py", tab="DA against non-DA", **PUBLISHED_YEAR)
    assert "Each gap is tested" in _texts(both) and why not in _texts(both)


def test_filters_change_the_figures(app_test) -> None:
    at = app_test(**PUBLISHED_YEAR).run()
    force = _metrics(at)["Offences"]
    at.multiselect(key="district").set_value(["CD"]).run()
    assert _metrics(at)["Offences"] == "565"
    assert force != "565"


COMPARISON = "This period against the previous equal period"  # the Trends page's tab


def _comparison_table(at):
    """The Trends page's period comparison (its first column says what each row counts)."""
    return next(f.value for f in at.dataframe if f.value.columns[0] == "Offences")


def test_the_spc_table_where_the_data_start_holds_what_its_chart_draws(app_test) -> None:
    """April to June 2018, the demo's first three months: the Trends page's XmR chart said
    "too few points for process limits" while the table behind it listed limits of 121.6 and
    60.4, special-cause rules and "trial limits: yes". The table now has the series and its
    mean, and blanks where the chart draws nothing."""
    trends = _open(
        app_test,
        "app_pages/trends.py",
        tab="Statistical process control",
        **{"from": "Apr 2018", "to": "Jun 2018"},
    )
    chart = next(f.value for f in trends.dataframe if "Upper process limit" in f.value.columns)
    assert len(chart) == 3 and chart["Mean"].tolist() == [91.0] * 3
    for column in ("Upper process limit", "Lower process limit"):
        assert chart[column].isna().all(), chart[column].tolist()
    for column in ("Special cause", "Trial limits (fewer than 12 points)"):
        assert chart[column].tolist() == ["", "", ""], column  # blank: no rule, no limits
    titles = [c.figure["layout"]["title"]["text"] for c in charts(trends)]
    assert any("Too few points for process limits (3 of the 13 needed)" in t for t in titles)


def test_outcomes_for_a_month_not_yet_followed_up_say_so(app_test) -> None:
    """Helper 46's trial, January 2022 alone (528 offences, none recorded 90 days before the
    extract): the 90/180-day table's small-numbers column read "no offences: no rate", and the
    chart by month had an x-axis of -1 to 6 with nothing on it."""
    outcomes = _open(
        app_test, "app_pages/outcomes.py", tab=WITHIN, **{"from": "Jan 2022", "to": "Jan 2022"}
    )
    within = next(
        f.value for f in outcomes.dataframe if "Offences followed up that long" in f.value.columns
    )
    flags = {str(v) for row in within.values for v in row}
    assert "none followed up long enough yet: no rate" in flags
    assert "no offences: no rate" not in flags
    captions = [c.value for c in outcomes.caption]
    assert any(
        "No offence of the period was recorded 90 days before the extract date" in c
        for c in captions
    ), captions
    (chart,) = [
        c.figure
        for c in charts(outcomes)
        if "Outcome within 90 days, by month" in c.figure["layout"]["title"]["text"]
    ]
    axis = chart["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["range"][0].startswith("2021-12-12")


def test_outcomes_by_district_opens_on_the_filters_da_choice(app_test) -> None:
    """For DA and non-DA the Outcomes by district tabs opened on DA, so the first Totals a
    reader saw were the force's 5,669 DA offences, not its 6,129."""
    for params, total in (({}, 6129), ({"da": "Non-DA"}, 460), ({"da": "DA"}, 6129 - 460)):
        at = _open(app_test, "app_pages/outcomes.py", tab=BY_DISTRICT, **PUBLISHED_YEAR, **params)
        by_district = next(f.value for f in at.dataframe if "Force" in f.value.columns)
        totals = by_district[by_district["Outcome"] == "Totals"].iloc[0]
        assert totals["Force"] == total, params


def test_the_contact_pages_selection_row_is_not_called_all(app_test) -> None:
    """Victim contact by district for Calderdale and Wakefield: its third row, the two
    together, read "All" (beside "Force", every district, on the other pages)."""
    at = _open(
        app_test,
        "app_pages/contact.py",
        **PUBLISHED_YEAR,
        district=["CD Calderdale", "WD Wakefield"],
    )
    by_district = next(f.value for f in at.dataframe if "District" in f.value.columns)
    assert by_district["District"].tolist() == ["CD", "WD", "Selected districts", "Force"]
    assert by_district["Offences"].tolist() == [565, 886, 1451, 6129]
    # the Offences column counts every offence, the rate those with an agreement (helper 63)
    assert "offences recorded in the period; contact kept is over those with a Victim" in (
        _texts(at)
    )


def _tables_by_district(at, page: str) -> list:
    """The page's tables with a row per district, its lazy tabs opened in turn."""
    return [f.value for f in _frames_of_every_tab(at, page) if "District" in f.value.columns]


def test_the_contact_and_orders_pages_name_the_selections_rows(app_test) -> None:
    """A user trial: with every district chosen (the default), the Victim contact and Civil
    orders tables called their last rows "Selected districts" though they are the force; with
    one district, rows "Selected districts" repeated the district's own. The take-up table
    also put "All types" first in each district's rows but last in the selection's. And a
    later one: with one district, these tables had no "Force" rows to compare it with, as the
    other pages have; they are the rows the page for every district ends with."""
    for page in ("app_pages/contact.py", "app_pages/orders.py"):
        every = _tables_by_district(_open(app_test, page, **PUBLISHED_YEAR), page)
        one = _tables_by_district(
            _open(app_test, page, **PUBLISHED_YEAR, district="CD Calderdale"), page
        )
        assert every and len(one) == len(every), page
        for table in every:
            assert "Selected districts" not in set(table["District"]), page
            assert table["District"].iloc[-1] == "Force", page
        for table, whole in zip(one, every, strict=True):
            assert set(table["District"]) == {"CD", "Force"}, page
            force = table[table["District"] == "Force"].reset_index(drop=True)
            assert force.equals(whole[whole["District"] == "Force"].reset_index(drop=True)), page
    take_up = next(
        t
        for t in _tables_by_district(
            _open(
                app_test, "app_pages/orders.py", tab="Take-up per 100 offences", **PUBLISHED_YEAR
            ),
            "app_pages/orders.py",
        )
        if "Order type" in t.columns
    )
    for _, rows in take_up.groupby("District", sort=False):
        assert rows["Order type"].iloc[0] == "All types"


def test_the_contact_page_gives_the_final_update_beside_kept(app_test) -> None:
    """Helper 48's finding: an agreement counts as kept with no contact at all where the
    outcome came within the interval (766 of 4,359 kept in the year to September 2021), and a
    contact after the outcome, the final update the seeds' dip samples ask about, was not
    read. The page said so; it now gives Told the outcome in the district table, says what
    it counts, and points to it from the kept rate's caption."""
    at = _open(app_test, "app_pages/contact.py", **PUBLISHED_YEAR)
    table = at.dataframe[0].value
    words = " ".join(
        c.value for shown in each_tab(at, "app_pages/contact.py") for c in shown.caption
    )
    assert "counts as kept even with no contact at all: Told the outcome" in words
    assert "Told the outcome: of the final updates due by the extract date" in words
    assert {"Final updates due", "Told the outcome (%)", "Kept: 95% interval from (%)"} <= set(
        table.columns
    )
    assert table["Final updates due"].tolist()[-1] == 4167  # the force's, as SQL counts them


def test_force_columns_are_the_force_not_the_selection(app_test) -> None:
    """Fault 3: with Calderdale alone, 'Force' equalled Calderdale in the Trends comparison,
    the Outcomes by district table and the Risk tables."""
    params = {**PUBLISHED_YEAR, "district": "CD Calderdale"}
    trends = _open(app_test, "app_pages/trends.py", tab=COMPARISON, **params)
    table = _comparison_table(trends)
    assert list(table.columns) == ["Offences", "CD", "Force"]
    this_period = table[table["Offences"] == "DA and non-DA: this period"].iloc[0]
    assert (this_period["CD"], this_period["Force"]) == ("565", "6,129")

    outcomes = _open(app_test, "app_pages/outcomes.py", tab=BY_DISTRICT, **params)
    by_district = next(f.value for f in outcomes.dataframe if "Force" in f.value.columns)
    totals = by_district[by_district["Outcome"] == "Totals"].iloc[0]
    assert totals["CD"] < totals["Force"]

    risk = _open(app_test, "app_pages/risk.py", tab="By district", **params)
    by_area = next(
        f.value
        for f in risk.dataframe
        if "District" in f.value.columns and "Out of" in f.value.columns
    )
    denominators = (
        by_area[by_area["DA / non-DA"] == "DA and non-DA"].groupby("District")["Out of"].max()
    )
    assert (denominators["CD"], denominators["Force"]) == (565, 6129)

    several = _open(
        app_test,
        "app_pages/trends.py",
        tab=COMPARISON,
        **PUBLISHED_YEAR,
        district=["BD Bradford", "CD Calderdale"],
    )
    assert list(_comparison_table(several).columns) == [
        "Offences",
        "BD",
        "CD",
        "Selected districts",
        "Force",
    ]


def test_ward_rates_are_per_1000_not_percent(app_test) -> None:
    """Fault 2: Calder's 12.08 per 1,000 showed as '1,208%'."""
    for tab in ("Map", "Hot and cold spots"):
        data = ("map-rate", "map-hotspots")
        shown = _open(app_test, "app_pages/maps.py", tab=tab, data=data, **PUBLISHED_YEAR)
        assert shown.dataframe
        for frame in shown.dataframe:
            assert "Rate (%)" not in frame.value.columns
    at = _open(app_test, "app_pages/maps.py", tab="Top wards", **PUBLISHED_YEAR)
    top = at.dataframe[-1].value
    # a ward's rate is the period's, not a year's as the Trends page's districts' are: the
    # column said "Offences per 1,000 residents" beside them (helper 44: Leeds's top ward over
    # a quarter read 1.13, below its district's 2.45 a year, at about 4.5 a year)
    rate = "Offences per 1,000 residents in the period"
    assert rate in top.columns and "95% interval to (per 1,000 in the period)" in top.columns
    assert 1 < top[rate].max() < 100
    assert "rates per 1,000 residents in the period (not scaled to a year" in at.caption[0].value


def test_p_values_and_significance_in_words(app_test) -> None:
    at = _open(app_test, "app_pages/risk.py", tab="DA against non-DA", **PUBLISHED_YEAR)
    comparison = next(f.value for f in at.dataframe if "p-value" in f.value.columns)
    assert "< 0.001" in set(comparison["p-value"])
    assert "0.0000" not in set(comparison["p-value"])
    assert set(comparison["More than chance? (q < 0.05)"]) <= {
        "yes: more than chance",
        "no: could be chance",
        "no test",
    }


def test_chart_titles_follow_the_filter(app_test) -> None:
    at = _open(app_test, "app_pages/risk.py", **PUBLISHED_YEAR, da="Non-DA")
    titles = [chart.spec for shown in each_tab(at, "app_pages/risk.py") for chart in charts(shown)]
    assert len(titles) >= 3  # the rates, the DASH levels and a flag over time
    assert all("Non-DA" in title for title in titles)
    assert not any("DA and non-DA" in title for title in titles)


def test_quality_drill_down_fits_the_da_filter(app_test) -> None:
    """Fault 8: under a non-DA filter the drill-down defaulted to 'DA stalking without a DASH'
    and showed 0 records."""
    at = _open(app_test, "app_pages/quality.py", tab=RECORDS, **PUBLISHED_YEAR, da="Non-DA")
    chosen = at.selectbox(key="quality_indicator")
    assert chosen.value == "non_da_stalking_without_dash"
    assert "da_stalking_without_dash" not in chosen.options
    listed = [
        c.value for c in at.caption if re.search(r"records?(, newest first| are listed)", c.value)
    ]
    assert len(listed) == 1 and not listed[0].startswith("0 records"), listed


def test_a_record_list_cut_short_says_so(app_test) -> None:
    """The Data quality page listed "500 records shown (newest first, at most 500)" for the
    demo's 634 DA stalking offences without a DASH form (February 2021 to January 2022), and
    its download held the same 500 rows, with nothing saying the list was cut."""
    at = _open(app_test, "app_pages/quality.py", tab=RECORDS)
    assert at.selectbox(key="quality_indicator").value == "da_stalking_without_dash"
    assert "The newest 500 of 634 records are listed; the download holds all 634." in [
        caption.value for caption in at.caption
    ]
    assert len(at.dataframe[-1].value) == 500


def test_a_quality_record_download_is_titled_with_its_indicator(app_test, monkeypatch) -> None:
    """Helper 93: every Data quality record download was titled from its file name's first
    word, "Quality records da" for both DA stalking without a DASH and DA-flagged offences
    with a party under 16. Each is now titled with its indicator's label."""
    from stalking_profile.ui import widgets

    offered = {}
    drawn = widgets.download
    monkeypatch.setattr(
        widgets,
        "download",
        lambda place, label, name, data, *rest, **kw: (
            offered.__setitem__(label, data),
            drawn(place, label, name, data, *rest, **kw),
        ),
    )
    at = _open(app_test, "app_pages/quality.py", tab=RECORDS)
    at.selectbox(key="quality_indicator").select("da_party_under_16").run()
    text = offered["Download these records (CSV)"]().decode("utf-8-sig")
    assert "# Table: Quality records: DA-flagged with a victim or suspect under 16" in text


def test_emerging_hotspots_need_three_quarters_of_data(app_test) -> None:
    """An audit: to September 2018 (the data start in April 2018) the analysis took three
    quarters, January to March 2018 among them, with no offence in the data: every ward with
    an offence read as a rising "new hot spot". It now says why there are none."""
    at = _open(
        app_test,
        "app_pages/maps.py",
        tab="Emerging hotspots",
        **{"from": "Apr 2018", "to": "Sep 2018"},
    )
    assert [i.value for i in at.info if "Emerging hotspots need" in i.value] == [
        "Emerging hotspots need at least 3 quarters of data up to the period's last month: the "
        "data start in April 2018, so there are 2 quarters to September 2018. Choose a period "
        "ending in December 2018 or later."
    ]
    assert not any("Space-time Gi*" in c.value for c in at.caption)
    later = _open(
        app_test,
        "app_pages/maps.py",
        tab="Emerging hotspots",
        **{"from": "Oct 2018", "to": "Dec 2018"},
    )
    assert not any("Emerging hotspots need" in i.value for i in later.info)
    assert any(
        "Space-time Gi* over 3 quarters, Apr 2018 to Dec 2018" in c.value for c in later.caption
    )


def test_emerging_hotspots_caption_states_its_quarters(app_test) -> None:
    """It gives the quarters, and (a helper agent's trial: ArcGIS's names were left to be
    looked up) what each category on the map means, and only those."""
    at = _open(
        app_test,
        "app_pages/maps.py",
        tab="Emerging hotspots",
        data=("map-emerging-hotspots",),
        **PUBLISHED_YEAR,
    )
    assert re.search(r"\d+ quarters, [A-Z][a-z]{2} 20\d\d to Sep 2021", _texts(at))
    column = "Emerging hotspot category"
    table = next(f.value for f in at.dataframe if column in f.value.columns)
    shown = set(table[column]) - {"No pattern detected"}
    assert shown, "the map has categories to explain"
    (meanings,) = [c.value for c in at.caption if c.value.startswith(tuple(shown))]
    assert {m.split(":")[0] for m in meanings.split(". ") if m} == shown
    assert "New hot spot: hot in the latest quarter, never before." in meanings


def test_scorecard_limits_do_not_contradict_the_flags(app_test) -> None:
    """Fault 5: on small counts the limits read '2 to 4' beside a value of 4 flagged higher,
    and rate limits ran past 100%."""
    at = _open(
        app_test,
        "app_pages/overview.py",
        tab="Scorecard",
        **PUBLISHED_YEAR,
        district="CD Calderdale",
        da="Non-DA",
    )
    card = at.dataframe[-1].value
    for row in card.itertuples():
        lower, upper = row[5].split(" to ")
        if row[1].endswith("rate") or "%" in row[3]:
            assert float(upper.rstrip("%")) <= 100.0
        else:
            assert "." in lower and "." in upper  # one decimal place, never rounded to the flag


@pytest.mark.parametrize("page", PROFILE_PAGES)
def test_empty_filter_says_so(app_test, extract_db_path, page: str) -> None:
    """Fault 7: a filter with no offences drew axes from -100% to 600%: now a sentence."""
    params = {"from": "Dec 2022", "to": "Mar 2023", "district": "SE Seacroft"}
    at = _open(app_test, page, db=extract_db_path, **params)
    assert any("No offences match this filter" in info.value for info in at.info)
    assert not charts(at)


@pytest.mark.parametrize("page", PROFILE_PAGES)
def test_a_da_choice_that_selects_nothing_says_so(app_test, page: str) -> None:
    """The empty-filter check counted DA and non-DA whatever the choice: Wakefield's December
    2018 has 9 DA offences and no non-DA one, and every page drew zeros (the map called all 21
    wards with none "above the 99.8% limit")."""
    params = {"from": "Dec 2018", "to": "Dec 2018", "district": "WD Wakefield"}
    at = _open(app_test, page, **params, da="Non-DA")
    assert any("No offences match this filter" in info.value for info in at.info)
    at = _open(app_test, page, **params, da="DA")
    assert not any("No offences match this filter" in info.value for info in at.info)


def test_the_force_name_is_shown_as_written_in_the_sidebar(app_test) -> None:
    """Helper 75: the force's name, from its districts file, went into the sidebar's caption
    on every page unescaped: a name written as a Markdown link was a link for every role."""
    at = app_test().run()
    (line,) = [c.value for c in at.sidebar.caption if "offences recorded" in c.value]
    assert line.startswith(r"West Yorkshire demonstration force \(synthetic\) ·")
    assert as_read(line).startswith("West Yorkshire demonstration force (synthetic) ·")


def test_orders_in_force_are_shown_in_a_period_with_no_offence(app_test) -> None:
    """Calderdale non-DA, January 2019: no offence was recorded, and the Civil orders page
    said so and stopped, though a restraining order granted in November 2018 (until November
    2020) was in force all month. It says there are no offences and shows the orders."""
    at = _open(
        app_test,
        "app_pages/orders.py",
        **{"from": "Jan 2019", "to": "Jan 2019"},
        district="CD Calderdale",
        da="Non-DA",
    )
    assert any("No offences match this filter" in info.value for info in at.info)
    activity = at.dataframe[0].value.set_index("Order type")
    assert int(activity.loc["RO", "Full orders in force at the end"]) == 1
    assert not any("No civil orders are recorded" in info.value for info in at.info)
    # no order was made that month: the time to first breach says so, not a row of blanks
    at = _open(
        app_test,
        "app_pages/orders.py",
        tab="Breaches",
        **{"from": "Jan 2019", "to": "Jan 2019"},
        district="CD Calderdale",
        da="Non-DA",
    )
    assert protection_panels.NO_ORDERS_MADE in _texts(at)
    assert protection_panels.FIRST_BREACH_NOTE not in _texts(at)


NOT_IN_EXTRACT = {
    "app_pages/orders.py": "No civil orders are recorded",
    "app_pages/contact.py": "No Victim Contact Agreements are recorded",
}


@pytest.mark.parametrize("page", PAGES)
def test_a_real_extract_renders_every_page(app_test, extract_db_path, page: str) -> None:
    """Fault 1: with outcomes dated after the last recorded month (every live extract), every
    page failed with "ValueError: '2023-05' is not in list". Here: districts with and without
    offences, a month with none, extract date 31 May 2023."""
    at = _open(app_test, page, db=extract_db_path)
    assert at.title[0].value == PAGES[page]
    assert not any("synthetic" in warning.value for warning in at.warning)
    if page not in CHARTS:
        return
    assert at.selectbox(key="to").value == "2023-05"  # the latest complete month
    assert at.caption[0].value.startswith(
        "Stalking, DA and non-DA, AY, BE, SE, Dec 2022 to May 2023"
    )
    if page in NOT_IN_EXTRACT:  # the extract holds no orders or contacts: it says so
        assert any(NOT_IN_EXTRACT[page] in info.value for info in at.info)
        assert not charts(at)
    elif page == "app_pages/maps.py":  # no ward boundaries: the page says so instead
        assert any("No ward boundaries" in warning.value for warning in at.warning)
    else:  # every tab drawn (each_tab asserts no exception)
        drawn, frames, captions = 0, 0, []
        for shown in each_tab(at, page):
            drawn, frames = drawn + len(charts(shown)), frames + len(shown.dataframe)
            captions += [caption.value for caption in shown.caption]
        if page == "app_pages/people.py":  # tables, but no population to divide by
            assert frames and not drawn
            no_population = "No resident population by age and sex is loaded"
            assert any(no_population in caption for caption in captions)
        else:
            assert drawn


def _extract_of(tmp_path, days: list, extract_date):
    """A force database of one stalking offence recorded on each of `days`, imported with
    `extract_date`; and the offences' import report."""
    from stalking_profile.db import connect
    from stalking_profile.importing.load import import_file
    from tests.conftest import OFFENCE_HEADER

    districts, offences = tmp_path / "districts.csv", tmp_path / "offences.csv"
    districts.write_text(EXTRACT_DISTRICTS)
    rows = "".join(
        f"R-{n},{day},stalking,8Q,AY,Y,N,Y,standard,N,N,,\n" for n, day in enumerate(days)
    )
    offences.write_text(f"{OFFENCE_HEADER}\n{rows}")
    database = tmp_path / "force.duckdb"
    gateway = connect(database, read_only=False, create=True)
    try:
        import_file(gateway, districts)
        report = import_file(gateway, offences, extract_date=extract_date)
    finally:
        gateway.close()
    return database, report


def test_an_extract_whose_last_months_hold_no_offence_says_so_on_every_page(
    app_test, tmp_path
) -> None:
    """A user trial: offences recorded January to June 2021 in an extract dated 31 January
    2022 read as "-100.0% like for like" for January 2022, with nothing to say that the
    extract holds no offence after June. The import report and every page now say so; the
    demo, whose extract's last month holds offences, does not."""
    from datetime import date

    days = [date(2021, month, 10) for month in range(1, 7)]
    database, report = _extract_of(tmp_path, days, date(2022, 1, 31))
    said = "it holds no offence in the 7 complete months from July 2021 to January 2022"
    assert said in report.text()
    for page in ("app_pages/overview.py", "app_pages/trends.py"):
        at = _open(app_test, page, db=database)
        assert any(said in warning.value for warning in at.warning), page
    demo = app_test().run()
    assert not any("holds no offence" in warning.value for warning in demo.warning)
    # a meeting pack made from it carries the warning on its title slide
    import io

    from pptx import Presentation

    from stalking_profile.access import Access
    from stalking_profile.db import connect
    from stalking_profile.pack.build import build, pack_filter

    gateway = connect(database, read_only=True)
    try:
        flt, area = pack_filter(gateway, "force", date(2021, 1, 1), date(2021, 6, 1))
        pack = build(gateway, flt, area, Access.command_line())
    finally:
        gateway.close()
    title = Presentation(io.BytesIO(pack.pptx)).slides[0].placeholders[1].text_frame.text
    assert "Coverage: The extract is dated 31 January 2022" in title and said in title


def test_a_month_the_extract_covers_in_part_is_not_offered(app_test, tmp_path) -> None:
    """A user trial: an extract dated 20 January 2022 offered "12 months to Jan 2022", and its
    20 days read as a whole month (the scorecard's latest month 343 against a mean of 477, the
    bar, the rolling total and the SPC point all low), with nothing to say so. Periods now end
    in the extract's last complete month, and the sidebar and the import report say why."""
    from datetime import date

    days = [date(2021, month, 10) for month in range(1, 13)] + [date(2022, 1, 18)]
    database, report = _extract_of(tmp_path, days, date(2022, 1, 20))
    said = "January 2022 is not offered as a period's month: the extract is dated 20 January 2022"
    assert said in report.text()
    at = _open(app_test, "app_pages/trends.py", db=database)
    ends = at.selectbox(key="to")
    assert ends.options[-1] == "Dec 2021" and ends.value == "2021-12"
    assert any(said in caption.value for caption in at.sidebar.caption)
    asked = _open(app_test, "app_pages/overview.py", db=database, to="Jan 2022")
    assert any("to = “Jan 2022”" in warning.value for warning in asked.warning)
    assert asked.selectbox(key="to").value == "2021-12"
    demo = app_test().run()
    assert not any("is not offered" in caption.value for caption in demo.sidebar.caption)


def test_the_reported_extract_renders(app_test, tmp_path) -> None:
    """Fault 1 exactly as reported: one offence recorded 10 March 2023 with outcome 16 dated
    31 May 2023, and no earlier extract date to work round it."""
    districts = EXTRACT_DISTRICTS.splitlines()
    offence = (
        "crime_ref,recorded_date,offence_type,ho_offence_code,district_code,is_domestic,is_cyber,"
        "dash_completed,sash_completed,arrest_made,outcome_key,outcome_date\n"
        "R-1,2023-03-10,stalking,8Q,AY,Y,N,N,N,N,16,2023-05-31\n"
    )
    db = import_texts(
        tmp_path / "force.duckdb",
        {"districts.csv": "\n".join(districts[:2]) + "\n", "offences.csv": offence},
    )
    for page in PAGES:
        at = _open(app_test, page, db=db)
        assert at.title[0].value == PAGES[page]
    at = app_test(db=db).run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["Outcome 16 rate"]) == ("1", "100.0%")


def test_with_no_outcomes_loaded_the_outcome_rates_say_so(app_test, tmp_path) -> None:
    """Helper 64's trial: a force's extract imported without its outcome columns showed an
    Outcome 1-8 rate of 0.0% on the Overview, to a commissioner's office too: as if no offence
    had been charged. Each outcome rate now says no outcomes are loaded, the headline table
    too, and the Outcomes page says so instead of tables of every offence open."""
    import polars as pl

    offences = pl.read_csv(io.StringIO(extract_like_offences()), infer_schema=False)
    without = offences.drop([c for c in offences.columns if c.startswith("outcome")])
    db = import_texts(
        tmp_path / "force.duckdb",
        {"districts.csv": EXTRACT_DISTRICTS, "offences.csv": without.write_csv()},
    )
    at = _open(app_test, "app_pages/overview.py", db=db, tab="Headline figures")
    figures = _metrics(at)
    # the words below a dash: in the big type they were cut off at 1,280 px (helper 86)
    assert figures["Outcome 1-8 rate"] == figures["Outcome 16 rate"] == "—"
    notes = {m.label: m.proto.delta for m in at.metric}
    assert notes["Outcome 1-8 rate"] == notes["Outcome 16 rate"] == "no outcomes loaded"
    assert figures["Offences"].isdigit()  # the counts are shown as ever
    assert panels.NO_OUTCOMES_NOTE in _texts(at)
    table = at.dataframe[0].value.set_index("Figure")
    assert table.loc["Outcome 1-8 rate", "Value"] == "no outcomes loaded"
    at = _open(app_test, "app_pages/outcomes.py", db=db)
    assert panels.NO_OUTCOMES_NOTE in _texts(at) and not at.dataframe
    # with outcomes (the same extract as the records system gave it), the rates are shown
    at = _open(
        app_test,
        "app_pages/overview.py",
        db=import_texts(
            tmp_path / "with.duckdb",
            {"districts.csv": EXTRACT_DISTRICTS, "offences.csv": extract_like_offences()},
        ),
    )
    assert _metrics(at)["Outcome 1-8 rate"].endswith("%")
    assert panels.NO_OUTCOMES_NOTE not in _texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_force_database_opens_every_page(app_test, empty_db_path, page: str) -> None:
    """Fault 7: a database with no offences yet blocked every page, Data included, so a force
    could not make its first import from the browser."""
    at = _open(app_test, page, db=empty_db_path)
    assert at.title[0].value == PAGES[page]
    if page in CHARTS:
        assert any("holds no offences" in info.value for info in at.info)
    if page == "app_pages/data.py":
        # its districts are in (empty_db_path): the next step is the offences, not districts
        caption = at.caption[0].value
        assert "holds the force's districts and no offences yet" in caption
        assert "districts first" not in caption
        assert at.selectbox(key="data_kind").options[0] == "detect"


def test_period_ending_before_it_starts_says_so(app_test) -> None:
    """Said on the page: it was said down the sidebar, below its fold, over a blank page."""
    at = app_test(**{"from": "Sep 2021", "to": "Oct 2020"}).run()
    assert not at.exception
    assert any("ends before it starts" in info.value for info in at.main.info)
    assert not any("ends before it starts" in info.value for info in at.sidebar.info)


def test_an_address_the_sidebar_does_not_offer_is_said_on_the_page(app_test) -> None:
    """A district the force does not have and a month outside the data fell back to the
    defaults in silence: a bookmark typed by hand showed the whole force for the latest year
    as if it were one district's. The page says what it could not use; an address the sidebar
    offers says nothing (a district by its code alone is read: test below)."""
    at = app_test(district="XX", to="Dec 2031", da="Non-DA").run()
    assert not at.exception
    (said,) = [as_read(w.value) for w in at.main.warning if "page address" in w.value]
    assert "district = “XX”" in said and "to = “Dec 2031”" in said and "Non-DA" not in said
    assert "“BD Bradford”" in said  # how districts are written
    assert at.caption[0].value.startswith("Stalking, Non-DA, BD, CD, KD, LD, WD, Feb 2021")
    at = app_test(**FILTERS["one district, non-DA"][0]).run()
    assert not [w.value for w in at.warning if "page address" in w.value]


def test_no_district_selected_says_so(app_test) -> None:
    at = app_test().run()
    at.multiselect(key="district").set_value([]).run()
    assert not at.exception
    assert any("at least one district" in info.value for info in at.info)
    # helper 64: moving page with every district cleared, the address's empty district was
    # blamed ("asks for district = "", which the sidebar does not offer") on every page
    at = app_test(district="").run()
    assert any("at least one district" in info.value for info in at.info)
    assert not [w.value for w in at.warning if "page address" in w.value]
    # helper 86: the reference and data pages use no filter, and showed only that sentence
    at.switch_page("app_pages/definitions.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Definitions"]
    at.switch_page("app_pages/trends.py").run()
    assert not at.title  # a page of figures waits for the filter


def test_a_district_in_the_address_by_its_code_is_chosen(app_test) -> None:
    """Helper 64: "?district=CD", the code every table and file uses, was refused with a
    warning and the page showed all five districts. It is Calderdale."""
    at = app_test(district=["CD", "WD Wakefield"]).run()
    assert not [w.value for w in at.warning if "page address" in w.value]
    assert at.multiselect(key="district").value == ["CD", "WD"]
    assert "CD, WD" in at.caption[0].value


def test_map_tabs_draw_only_the_open_tab(app_test) -> None:
    """The Hotspot maps page drew all its maps whatever tab was open (issue 14): now one."""
    at = _open(app_test, "app_pages/maps.py", **PUBLISHED_YEAR)
    assert len(charts(at)) == 1
    at = _open(app_test, "app_pages/maps.py", tab="Do hotspots line up?", **PUBLISHED_YEAR)
    assert len(charts(at)) == 6  # three comparisons, two maps each


def _district_tables(at) -> list:
    return [frame.value for frame in at.dataframe if "Force" in frame.value.columns]


def test_outcome_district_tabs_send_only_the_open_table(app_test) -> None:
    """The Outcomes page sent all three district tables, two of them hidden, and the browser
    drew all three (issue 14): now only the open tab's. Choosing a tab shows its table; a DA
    choice without that tab shows the one it has."""
    at = _open(app_test, "app_pages/outcomes.py", tab=BY_DISTRICT, **PUBLISHED_YEAR)
    (shown,) = _district_tables(at)
    totals = shown[shown["Outcome"] == "Totals"].iloc[0]
    assert totals["Force"] == 6129  # DA and non-DA, the filter's choice
    at.session_state["outcome_tab"] = "DA"
    at.run()
    (shown,) = _district_tables(at)
    assert shown[shown["Outcome"] == "Totals"].iloc[0]["Force"] == 5669
    at.button_group(key="da").set_value("non_domestic").run()
    assert not at.exception, at.exception
    (shown,) = _district_tables(at)
    assert shown[shown["Outcome"] == "Totals"].iloc[0]["Force"] == 460


def _ward_tables(at) -> list:
    return [frame.value for frame in at.dataframe if "Ward code" in frame.value.columns]


def test_a_long_table_behind_a_chart_is_sent_when_its_expander_is_opened(app_test) -> None:
    """A closed expander's table was still sent and read in by the browser: the ward map's
    7,056 rows cost about a second of every move at national scale (issue 14). A table longer
    than LAZY_TABLE_ROWS is now sent once its expander is opened, and stays open for a new
    filter."""
    at = _open(app_test, "app_pages/maps.py", **PUBLISHED_YEAR)
    # named by its chart, as every such expander is: a screen reader's user had heard
    # "Data behind this chart" under every chart of a page
    # "\\," as the Markdown of a label writes a comma, drawn as one
    assert [e.label.replace("\\", "") for e in at.expander] == [
        "Data behind this chart: Offences per 1,000 residents in the period by ward"
    ]
    assert _ward_tables(at) == []  # 124 wards: not sent while closed
    at.session_state["data-behind-map-rate"] = True
    at.run()
    assert not at.exception, at.exception
    (wards,) = _ward_tables(at)
    assert len(wards) == 124 and wards["Rank"].tolist()[:3] == [1, 2, 3]
    at.button_group(key="da").set_value("domestic").run()
    (wards,) = _ward_tables(at)
    assert len(wards) == 124


def test_a_session_sees_an_import_published_while_it_runs(app_test, extract_db_path, tmp_path):
    """Issue 13, fault 3: after a command-line import published a new file, the dashboard
    process kept reading the old one: DuckDB hands a later connect() of the same path the
    database instance it already has open (duckdb/duckdb#15912)."""
    import shutil

    from tests.conftest import OFFENCE_HEADER, run_cli

    database = tmp_path / "force.duckdb"
    shutil.copy(extract_db_path, database)
    at = app_test(db=database).run()
    before = int(_metrics(at)["Offences"])
    more = tmp_path / "more.csv"
    more.write_text(
        OFFENCE_HEADER + "\n" + "R-0001,2023-03-10,stalking,8Q,AY,Y,N,Y,standard,N,N,,\n"
    )
    imported = run_cli("import", more, "--db", database, "--extract-date", "2023-05-31")
    assert imported.returncode == 0, imported.stderr
    at.run()
    assert int(_metrics(at)["Offences"]) == before + 1
    assert not [p for p in tmp_path.iterdir() if ".reader-" in p.name]  # no link left behind


def test_a_huge_text_cell_is_sent_to_the_browser_clipped_and_downloaded_whole():
    """A user trial: a refused 2,000,000-character value reached the browser whole in the Data
    page's check table (a 2 MB message) and twice in the quarantine table (8 MB). A shown
    table's text cells are now sent cut to 1,000 characters with their length; the download
    of the table (what `show_table` offers) keeps the value whole."""
    import polars as pl

    from stalking_profile.ui import widgets

    frame = pl.DataFrame({"column_name": ["victim_sex"], "value": ["A" * 2_000_000]})
    prepared = widgets._prepared(frame, None, False)
    sent = prepared.arrow.column(prepared.arrow.column_names[1]).to_pylist()[0]
    assert sent == "A" * 1_000 + "… (2,000,000 characters)"
    assert prepared.shown[prepared.shown.columns[1]][0] == "A" * 2_000_000


def test_a_table_is_sent_as_arrow_with_the_values_the_pandas_route_sent():
    """Tables go to st.dataframe as Arrow (Streamlit sent a Polars frame through pandas on every
    rerun): the same columns, text type and values, empty cells included."""
    from datetime import date

    import polars as pl
    import pyarrow as pa
    from streamlit import dataframe_util

    from stalking_profile.ui import widgets

    frame = pl.DataFrame(
        {
            "District": ["Calderdale", None, "Kirklees"],
            "Offences": [1234, None, 0],
            "Rate (%)": [12.5, None, 0.0],
            "Month": [date(2021, 1, 1), None, date(2021, 3, 1)],
            "Small": [True, False, None],
        }
    )

    def sent(table_bytes: bytes) -> pa.Table:
        return pa.ipc.open_stream(table_bytes).read_all()

    ours = sent(dataframe_util.convert_arrow_table_to_arrow_bytes(widgets._as_arrow(frame)))
    pandas_route = dataframe_util.convert_anything_to_pandas_df(frame, ensure_copy=False)
    theirs = sent(dataframe_util.convert_pandas_df_to_arrow_bytes(pandas_route))
    assert ours.column_names == [n for n in theirs.column_names if not n.startswith("__index")]
    assert ours.schema.field("District").type == theirs.schema.field("District").type == pa.string()
    for name in ["District", "Offences", "Rate (%)", "Small"]:
        assert ours[name].to_pylist() == theirs[name].to_pylist(), name
    assert [d and d.isoformat() for d in ours["Month"].to_pylist()] == [
        d and d.date().isoformat() for d in theirs["Month"].to_pylist()
    ]


def test_a_table_is_prepared_once_per_frame_for_each_way_it_is_shown():
    """Panels' frames are shared cached objects: a table is made ready to show (labels,
    precision, Arrow) once per frame, for each set of labels and for publication mode, and is
    what preparing it afresh gives."""
    import polars as pl

    from stalking_profile.ui import widgets

    frame = pl.DataFrame({"district_code": ["CD", "KD"], "offences": [12, None]})
    first = widgets._prepared(frame, None, publication=False)
    assert widgets._prepared(frame, None, publication=False) is first
    afresh = widgets._prepare(frame, None, publication=False)
    assert first.shown.equals(afresh.shown) and first.arrow.equals(afresh.arrow)
    assert first.formats == afresh.formats
    assert first.shown.columns == ["District", "Offences"]
    assert first.formats == (("Offences", False, "localized"),)

    relabelled = widgets._prepared(frame, {"district_code": "Area"}, publication=False)
    assert relabelled.shown.columns == ["Area", "Offences"]
    published = widgets._prepared(frame, None, publication=True)
    assert published.shown["Offences"].to_list() == ["12", "suppressed"]
    assert published.formats == ()  # a count column written as text has no number format
    assert widgets._prepared(frame, None, publication=False) is first

    same_values = pl.DataFrame({"district_code": ["CD", "KD"], "offences": [12, None]})
    assert widgets._prepared(same_values, None, publication=False) is not first


def test_a_table_cell_with_no_value_is_blank_not_none(app_test):
    """A median with no outcome to take it from (Kirklees, non-DA, one month) has no value:
    Streamlit writes "None" in such a cell unless told otherwise. It is left blank on screen,
    as in the CSV download, on every table of the page."""
    at = _open(
        app_test,
        "app_pages/outcomes.py",
        district="KD Kirklees",
        da="Non-DA",
        **{"from": "Apr 2018", "to": "Apr 2018"},
    )
    frames = _frames_of_every_tab(at, "app_pages/outcomes.py")
    assert any(frame.value.isna().any().any() for frame in frames)
    assert frames
    for frame in frames:  # set, and set to blank (unset also reads as "")
        assert frame.proto.HasField("placeholder") and frame.proto.placeholder == ""


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ({"from": "Jan 2022", "to": "Jan 2022"}, "Every month of this period is too recent"),
        ({"from": "Jan 2019", "to": "Dec 2019"}, "ends before contact agreements were recorded"),
    ],
)
def test_victim_contact_says_why_a_period_has_no_figure(app_test, period, says) -> None:
    """January 2022 alone is too recent to read; the page said so, then said no offence was
    recorded after agreements began (they began in April 2020)."""
    at = _open(app_test, "app_pages/contact.py", **period)
    told = "\n".join(info.value for info in at.info)
    assert says in told
    assert "after contact agreements began" not in told
    assert not charts(at)
    # and no warning that the period's earlier months are left out, beside it (helper 53)
    assert not [w for w in at.warning if "earlier months of the period" in w.value]


def test_the_follow_up_caption_names_only_months_the_chart_has(app_test) -> None:
    """For October 2020 to September 2021 the caption said months from November 2021 were
    shaded and left out: the chart ends in September 2021 and nothing is shaded."""
    at = _open(app_test, "app_pages/outcomes.py", tab=WITHIN, **PUBLISHED_YEAR)
    texts = _texts(at)
    assert "Every month here had 90 days of follow-up" in texts
    assert "(shaded) are left out" not in texts
    recent = _open(app_test, "app_pages/outcomes.py", tab=WITHIN, to="Jan 2022")
    assert re.search(r"Months from [A-Z][a-z]+ 202[12] \(shaded\) are left out", _texts(recent))


def test_an_order_type_with_nothing_to_chart_says_so(app_test) -> None:
    """Calderdale's non-DA stalking has orders of other types but no Stalking Protection
    Order: the page drew an empty chart with no sentence."""
    at = _open(
        app_test,
        "app_pages/orders.py",
        tab="Orders by month",
        **PUBLISHED_YEAR,
        district="CD Calderdale",
        da="Non-DA",
    )
    assert not any("No civil orders are recorded" in info.value for info in at.info)
    # it opens on a type with something to chart (helper 46: it opened on the SPO and said
    # none was applied for, while the table above listed other orders)
    opened = at.selectbox(key="order_type").value
    assert opened != "SPO" and any(f"orders-{opened}-by-month" in str(c.key) for c in charts(at))
    at.selectbox(key="order_type").set_value("SPO").run()
    told = "\n".join(info.value for info in at.info)
    assert "No Stalking Protection Order (Stalking Protection Act 2019) was applied for" in told
    assert not any("orders-SPO-by-month" in str(chart.key) for chart in charts(at))
    at.run()  # the user's choice stays
    assert at.selectbox(key="order_type").value == "SPO"
    for tab in ("Orders in the period", "Orders by month"):  # and while another tab is open
        open_tab(at, "app_pages/orders.py", tab)
        at.run()
    assert at.selectbox(key="order_type").value == "SPO"


def test_the_overview_change_warns_where_it_crosses_a_counting_rule_change(app_test) -> None:
    """October 2020 to September 2021 against the year before: +86.5% with no word that the
    April 2020 counting-rule change falls between them (Trends said so)."""
    crossing = _texts(app_test(**PUBLISHED_YEAR).run())
    assert "straddles a counting-rule change (April 2020" in crossing
    after = _texts(app_test(**{"from": "Oct 2021", "to": "Sep 2022"}).run())
    assert "straddles a counting-rule change" not in after


def test_data_quality_for_harassment_lists_no_stalking_check(app_test) -> None:
    """Harassment alone showed the stalking-only checks as '0 of 0, treat with caution'."""
    at = _open(app_test, "app_pages/quality.py", **PUBLISHED_YEAR, type=["Harassment"])
    table = at.dataframe[0].value
    measures = set(table[table.columns[0]])
    assert "Still open at the extract, recorded 90+ days before it" in measures
    assert not any("stalking" in measure.lower() for measure in measures), measures
    open_tab(at, "app_pages/quality.py", RECORDS)
    at.run()
    assert all(
        "stalking" not in option.lower() for option in at.selectbox(key="quality_indicator").options
    )
    stalking = _open(app_test, "app_pages/quality.py", **PUBLISHED_YEAR)
    assert "Stalking without a stalking screening" in set(stalking.dataframe[0].value.iloc[:, 0])


def test_outcome_groups_have_one_set_of_names_on_the_page(app_test) -> None:
    """The groups chart and the median-days table used the short names, the chart's own data
    table the Home Office's long ones ('Prosecution prevented/not in public interest' against
    'Prosecution prevented or not in the public interest')."""
    at = _open(app_test, "app_pages/outcomes.py", **PUBLISHED_YEAR)
    frames = _frames_of_every_tab(at, "app_pages/outcomes.py")
    tables = [frame.value for frame in frames if "Outcome group" in frame.value.columns]
    assert len(tables) >= 2
    names = [set(table["Outcome group"]) for table in tables]
    assert "Prosecution prevented/not in public interest" in set.union(*names)
    assert not any("Prosecution prevented or not" in name for group in names for name in group)


def test_a_median_over_a_handful_of_outcomes_is_marked_small(app_test) -> None:
    """Medians of time to outcome were given over 1 to 4 outcomes with no caution, while the
    time-to-outcome table beside them refuses a median under 20."""
    at = _open(app_test, "app_pages/outcomes.py", **PUBLISHED_YEAR)
    frames = _frames_of_every_tab(at, "app_pages/outcomes.py")
    table = next(
        f.value
        for f in frames
        if {"Median days to outcome (offences with one)", "Outcome group"} <= set(f.value.columns)
    )
    # the Kaplan-Meier median on the page says it counts open offences (helper 46: both were
    # headed "Median days to outcome", 48 and 33 days, told apart only by their captions)
    assert any("Median days to outcome (open offences counted)" in f.value.columns for f in frames)
    few = table[table["Offences with an outcome"] < 30]
    many = table[table["Offences with an outcome"] >= 30]
    assert len(few) and len(many)
    assert set(few["Small numbers"]) == {"yes: treat with caution"}
    assert set(many["Small numbers"]) == {""}


def test_picking_a_scorecard_row_shows_its_chart(app_test) -> None:
    """The scorecard's row picks the XmR chart under it (the offences chart until one is)."""
    at = _open(app_test, "app_pages/overview.py", tab="Scorecard", **PUBLISHED_YEAR)
    keys = [str(chart.key) for chart in charts(at)]
    assert any("overview-spc-offences" in key for key in keys)
    at.session_state["scorecard"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    second = at.dataframe[-1].value.iloc[1, 0]
    assert second == "Arrest rate"
    assert any("overview-spc-arrest_rate" in str(chart.key) for chart in charts(at))
    # and by keyboard: the list box under the table (Shift+Space in the grid was the only way)
    box = at.selectbox(key="scorecard_choice")
    assert box.value == "arrest_rate"  # the row picked set it
    box.select("cyber_flag_rate").run()
    assert any("overview-spc-cyber_flag_rate" in str(chart.key) for chart in charts(at))
    # kept while another tab is open (the list box is drawn only on the scorecard's tab)
    for tab in ("Monthly offences", "Scorecard"):
        open_tab(at, "app_pages/overview.py", tab)
        at.run()
    assert at.selectbox(key="scorecard_choice").value == "cyber_flag_rate"
    assert any("overview-spc-cyber_flag_rate" in str(chart.key) for chart in charts(at))


def test_the_civil_orders_page_names_each_tables_orders(app_test) -> None:
    """Three tables counted orders three ways (full orders made, orders in force on any day,
    orders first made, interim or full) and the third was headed "Orders"."""
    at = _open(app_test, "app_pages/orders.py")
    headers = [
        str(name)
        for frame in _frames_of_every_tab(at, "app_pages/orders.py")
        for name in frame.value.columns
    ]
    assert "Full orders made" in headers and "Orders in force in the period" in headers
    assert "Orders first made in the period (interim or full)" in headers
    assert "Orders" not in headers


def test_the_data_page_reads_the_quarantine_only_when_its_tab_is_opened(
    app_test, extract_db_path
) -> None:
    """The audit trail said "records viewed: quarantine" on every visit to the Data page,
    whether or not the import log tab was opened (all its tabs were drawn)."""
    import os

    import polars as pl

    from stalking_profile.access import Access
    from stalking_profile.operational import audit, open_store

    def viewed() -> int:
        store = open_store(os.environ["STALKING_PROFILE_STORE"])
        # read by one who may read records: an administrator reads no record-level detail
        trail = audit.events(store, Access.command_line())
        return trail.filter(pl.col("detail").str.contains("quarantine")).height

    at = _open(app_test, "app_pages/data.py", db=extract_db_path)
    assert viewed() == 0 and "Quarantine" not in _texts(at)
    at.session_state[PAGE_TAB] = "Import log and quarantine"
    at.run()
    assert "refused rows, with reasons" in _texts(at)
    assert viewed() == 1


def test_the_outcome_groups_say_which_types_no_source_places(app_test) -> None:
    """An audit: outcomes 5 and 17 stood under "Prosecution prevented or not in the public
    interest" in a column headed "Home Office wording", though the reference marks that group
    as the likeliest, not a confirmed one (group_confirmed = false)."""
    at = _open(
        app_test, "app_pages/outcomes.py", tab="Home Office outcome groups", **PUBLISHED_YEAR
    )
    assert (
        "Outcomes 5 (offender died) and 17 (prosecution time limit expired) in 'Prosecution "
        "prevented or not in the public interest': the likeliest group, not one a published "
        "source confirms." in [c.value for c in at.caption]
    )


def _period_caption(at) -> str:
    return at.caption[0].value.split(" · ")[0].rsplit(", ", 1)[-1]


def test_an_address_cannot_put_markdown_on_the_page(app_test) -> None:
    """Helper 49's trial: `?district=![x](http://host/beacon.png)` drew an image from another
    host in the address warning (after sign-in too), and `?suspect=` did on the suspect's
    history; a link "Session ended: sign in again" fitted the quoted 60 characters."""
    beacon = "![x](http://127.0.0.1:8650/beacon.png)"
    at = app_test(district=beacon).run()
    (said,) = [w.value for w in at.main.warning if "page address" in w.value]
    assert "![x](" not in said and as_read(said).count(beacon) == 1
    suspects = app_test(role="analyst", require_login=True, suspect=beacon).run()
    suspects.switch_page("app_pages/suspects.py").run()
    shown = [m.value for m in suspects.markdown] + [w.value for w in suspects.warning]
    assert any(beacon in as_read(text) for text in shown)
    assert not any("![x](" in text for text in shown)


def test_an_address_with_a_month_not_on_offer_is_left_as_it_shows(app_test) -> None:
    """A user trial: period "From ... to ...", from = "2021-13", to Sep 2021 showed February to
    September 2021 (the default From month), and left the address "?to=Sep 2021", which opened
    again showed October 2020 to September 2021. The address left shows the same period."""
    asked = {"period": "From ... to ...", "from": "2021-13", "to": "Sep 2021"}
    at = app_test(**asked).run()
    shown = _period_caption(at)
    (said,) = [as_read(w.value) for w in at.main.warning if "page address" in w.value]
    # and which default it uses (it was not said: the caption alone showed February)
    assert "from = “2021-13”" in said and "uses its default instead (from: Feb 2021)." in said
    assert shown == "Feb 2021 to Sep 2021"
    left = {name: at.query_params[name] for name in at.query_params}
    assert _period_caption(app_test(**left).run()) == shown
    unperiodic = app_test(**{"from": "2021-13", "to": "Sep 2021"}).run()  # no period: 12 months
    (said,) = [as_read(w.value) for w in unperiodic.main.warning if "page address" in w.value]
    assert "(from: none, so the 12 months to the To month)." in said
    assert _period_caption(unperiodic) == "Oct 2020 to Sep 2021"
    # a bookmark's From month alone (no period) still means From ... to ...
    at = app_test(**{"from": "Jun 2021", "to": "Sep 2021"}).run()
    assert _period_caption(at) == "Jun 2021 to Sep 2021"


def test_an_address_says_what_it_did_with_each_value(app_test) -> None:
    """A user trial: a district not on offer beside one that is showed that one, not "its
    default"; a filter given twice took the first value for one filter and the last for
    another, and said nothing; a 5,000-character value was quoted whole."""
    at = app_test(district=["CD Calderdale", "XX Nowhere"]).run()
    (said,) = [as_read(w.value) for w in at.main.warning if "page address" in w.value]
    assert "district = “XX Nowhere”" in said and "so it leaves it out" in said
    assert at.caption[0].value.startswith("Stalking, DA and non-DA, CD,")
    at = app_test(da=["DA", "Non-DA"], to=["Sep 2021", "Oct 2021"]).run()
    (said,) = [as_read(w.value) for w in at.main.warning if "page address" in w.value]
    assert "gives da more than once (“DA”, “Non-DA”): the sidebar takes the first" in said
    assert "gives to more than once" in said
    assert at.caption[0].value.startswith("Stalking, DA, ")
    assert _period_caption(at) == "Oct 2020 to Sep 2021"
    at = app_test(district="A" * 5000).run()
    (said,) = [as_read(w.value) for w in at.main.warning if "page address" in w.value]
    assert f"district = “{'A' * 60}…” (5,000 characters)" in said and len(said) < 600


def test_the_definitions_page_gives_every_measure_and_method(app_test) -> None:
    """Each measure's definition, as its code gives it, and each statistical method, on the
    Definitions page's tabs (a section's measures are one element, for the browser's sake)."""
    from stalking_profile.measures.methods import METHODS
    from stalking_profile.measures.registry import definitions

    at = _open(app_test, "app_pages/definitions.py")
    said = "\n".join(
        m.value for shown in each_tab(at, "app_pages/definitions.py") for m in shown.markdown
    )
    rows = definitions()
    assert rows.height > 20
    for row in rows.iter_rows(named=True):
        assert f"**`{row['measure']}`** ({row['module']}) — {row['definition']}" in said
    for method in METHODS:
        assert f"**{method.name}** ({method.used_for})" in said


def test_the_open_tab_is_in_the_page_address(app_test) -> None:
    """Sections are lazy tabs, so a link to the Trends page opened its monthly offences
    whatever a colleague was looking at: the open tab is in the address too (`?tab=`, under
    PAGE_TAB), and a tab another page does not have is dropped there. (That a link
    with `?tab=` opens its tab is checked in the browser: AppTest opens the Overview first.)"""
    at = _open(app_test, "app_pages/trends.py", tab="Statistical process control")
    assert any("Upper process limit" in f.value.columns for f in at.dataframe)
    assert not any("trends-monthly-offences" in str(chart.key) for chart in charts(at))
    at.switch_page("app_pages/outcomes.py").run()
    assert not at.exception
    assert "tab" not in at.query_params  # Outcomes has no such tab: its first is open
    assert charts(at), "the Outcomes page's first tab, drawn"


def test_a_choice_in_a_closed_tab_is_kept(app_test) -> None:
    """The Trends page's tabs are lazy, so its SPC toggle is not drawn while another tab is
    open, and Streamlit forgets a widget a run does not draw: limits recalculated again after
    a look at the monthly offences, though the user had turned that off."""
    at = _open(app_test, "app_pages/trends.py", tab="Statistical process control")
    at.toggle(key="spc_breaks").set_value(False).run()
    assert any("Limits are not recalculated." in m.value for m in at.markdown)
    for tab in ("Monthly offences", COMPARISON, "Statistical process control"):
        open_tab(at, "app_pages/trends.py", tab)
        at.run()
    assert at.toggle(key="spc_breaks").value is False
    assert any("Limits are not recalculated." in m.value for m in at.markdown)


def test_trends_at_the_data_start_says_there_is_no_comparison_and_no_more(app_test) -> None:
    """A user trial: 12 months to April 2018 (the first month) said there was no comparison,
    then drew the comparison table with six of its nine rows "no data", and its footnote."""
    at = _open(app_test, "app_pages/trends.py", tab=COMPARISON, to="Apr 2018")
    said = [m.value for m in at.markdown]
    assert any(m.startswith("No comparison: the data hold none") for m in said)
    assert not any("Force" in f.value.columns for f in at.dataframe), "no comparison table"
    assert not any("the change is more than chance" in c.value for c in at.caption)


def test_orders_with_no_breach_in_the_period_say_so(app_test) -> None:
    """A user trial: with no breach in the period the breach outcomes table drew one blank row."""
    from stalking_profile.protection_panels import NO_BREACHES

    at = _open(app_test, "app_pages/orders.py", tab="Breaches", to="Apr 2018")
    assert NO_BREACHES in [c.value for c in at.caption]
    assert not any("Outcome of the breach" in f.value.columns for f in at.dataframe)


def test_an_imports_refused_values_are_shown_as_written_not_as_markdown(
    app_test, extract_db_path, tmp_path
):
    """A user trial: refused values in the Data page's import report were Markdown, so a cell
    "![x](http://.../beacon.png)" made the analyst's browser fetch an image from elsewhere and
    "[Session expired - sign in again](http://.../phish)" was a link; the file's name too."""
    import shutil

    from tests.conftest import OFFENCE_HEADER

    database = tmp_path / "force.duckdb"
    shutil.copy(extract_db_path, database)
    at = app_test(db=database).run()
    at.switch_page("app_pages/data.py").run()
    hostile = "![x](http://127.0.0.1:9/beacon.png) [sign in](http://127.0.0.1:9/phish) **B**"
    rows = [
        "R-0001,2023-03-10,stalking,8Q,AY,Y,N,Y,standard,N,N,,",
        f'R-0002,2023-03-10,stalking,8Q,AY,Y,N,Y,"{hostile}",N,N,,',
    ]
    content = "\n".join([OFFENCE_HEADER, *rows]).encode()
    at.file_uploader(key="data_file_0").upload("[a](x).csv", content, "text/csv").run()
    (checked,) = [w.value for w in at.warning if "rows read" in w.value]
    assert checked.startswith(r"\[a\]\(x\)\.csv\: offences\; 2 rows read")
    at.button(key="data_import").click().run()
    assert not at.exception
    (listed,) = [m.value for m in at.markdown if "beacon" in m.value]
    assert r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/beacon\.png\)" in listed
    assert "](" not in listed and "**" not in listed


def test_the_overviews_caption_says_what_the_change_compares(app_test) -> None:
    """A helper agent's trial: the caption always said "change against the previous
    equal-length period", also where the change is like for like (April to September 2019
    against the same months of 2018) or there is nothing to compare with."""
    cases = {
        ("Oct 2020", "Sep 2021"): "Compared with the equal period before: Oct 2019 to Sep 2020.",
        ("Oct 2018", "Sep 2019"): "Compared like for like: Apr 2019 to Sep 2019 against",
        ("Apr 2018", "Jun 2018"): "No comparison: the data hold none of the equal period before",
    }
    for (first, last), said in cases.items():
        at = _open(app_test, "app_pages/overview.py", **{"from": first, "to": last})
        caption = at.caption[0].value
        assert said in caption, caption
        assert "previous equal-length period" not in caption


def test_a_recent_periods_median_time_to_outcome_says_it_reads_short(app_test) -> None:
    """A helper agent's trial: January 2022 (the extract's last month) gave a median of 28
    days (26 to 29) with nothing said; back-tested, each single month of 2019-2021 read as at
    its own last day came out 2 to 7 days below the median its offences came to, as an outcome
    later replaced counts at its later date once it is. The page now says so where some of the
    period's offences have had under 90 days, and not for a period followed up that long."""
    said = "the median time to outcome can read shorter than it will be"
    recent = _open(
        app_test, "app_pages/outcomes.py", tab=WITHIN, **{"from": "Jan 2022", "to": "Jan 2022"}
    )
    assert said in _texts(recent)
    assert not recent.exception
    older = _open(app_test, "app_pages/outcomes.py", tab=WITHIN, **PUBLISHED_YEAR)
    assert said not in _texts(older)


def test_one_click_selects_every_district_again(app_test) -> None:
    """With some districts chosen, the sidebar offers to select every district (the whole
    force, which publication mode needs) in one click, where before each district had to be
    added back one at a time; with every district chosen it offers nothing."""
    at = app_test(**PUBLISHED_YEAR, district="CD Calderdale").run()
    assert at.sidebar.multiselect(key="district").value == ["CD"]
    assert _metrics(at)["Offences"] != "6,129"
    at.sidebar.button(key="every_district").click().run()
    assert at.sidebar.multiselect(key="district").value == ["BD", "CD", "KD", "LD", "WD"]
    assert _metrics(at)["Offences"] == "6,129"  # the force's, as published
    assert not [b for b in at.sidebar.button if b.key == "every_district"]
    assert "district" not in at.query_params  # the address holds the default again


def test_a_median_of_days_between_on_few_gaps_is_flagged(app_test) -> None:
    """Helper 90: the non-DA median of days between a suspect's offences (3.0 days, quartiles
    3.0 to 3.0) rested on one gap, with no small-numbers flag. The tab now cautions, naming
    each choice's gaps under the deployment's small denominator, and not the choices on
    hundreds of gaps."""
    tab = "Days between a suspect's offences"
    at = _open(app_test, "app_pages/repeats.py", tab, da="Non-DA")
    gaps = next(f.value for f in at.dataframe if "Median days between offences" in f.value)
    few = int(gaps.iloc[0, 1])
    assert 0 < few < 30
    cautions = [t for t in _texts(at).split("\n") if "Small numbers: treat with caution" in t]
    assert any(f"Non-DA: {few} gap" in t for t in cautions), cautions
    both = [t for t in _texts(_open(app_test, "app_pages/repeats.py", tab)).split("\n")]
    (caution,) = [t for t in both if "Small numbers: treat with caution" in t]
    assert f"Non-DA: {few} gap" in caution and "DA and non-DA:" not in caution
    assert " DA: " not in caution.replace("Non-DA: ", "")
    domestic = _open(app_test, "app_pages/repeats.py", tab, da="DA")
    assert "Small numbers: treat with caution" not in _texts(domestic)


def test_a_database_whose_summary_tables_are_older_says_how_to_rebuild_them(
    app_test, demo_db_path, tmp_path
) -> None:
    """Helper 91: a database built before a change to the marts (a new data-quality column)
    met every publication-mode page, and the pack command, with "Binder Error: Referenced
    column da_party_under_16 not found". The dashboard and the commands now say the summary
    tables were built by another version and how to rebuild them; `refresh` does, and leaves
    the records as they were."""
    import shutil

    from stalking_profile.db import connect
    from tests.conftest import run_cli

    old = tmp_path / "old.duckdb"
    shutil.copy(demo_db_path, old)
    gateway = connect(old, read_only=False)
    try:
        gateway.sql("DROP TABLE marts_built")  # as a database built before they were marked
        before = gateway.sql("SELECT count(*) AS n FROM offence")["n"][0]
    finally:
        gateway.close()
    at = app_test(db=old).run()
    said = " ".join(e.value for e in at.error)
    assert "summary tables were built by another version" in said
    assert f"python -m stalking_profile refresh --db {old}" in said
    assert not at.metric

    refused = run_cli("pack", "force", "--db", old, "--out", tmp_path / "pack.pptx")
    assert refused.returncode == 2 and "refresh --db" in refused.stderr
    assert "Binder Error" not in refused.stderr

    rebuilt = run_cli("refresh", "--db", old)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Rebuilt the summary tables of old.duckdb" in rebuilt.stdout
    gateway = connect(old, read_only=True)
    try:
        assert gateway.sql("SELECT count(*) AS n FROM offence")["n"][0] == before
    finally:
        gateway.close()
    at = app_test(db=old).run()
    assert not at.error and _metrics(at)["Offences"] == "6,620"


def test_outcome_rates_of_a_period_still_open_are_said_to_be_provisional(app_test) -> None:
    """January 2022 (the demo's last month): 376 of its 528 offences had no outcome at the
    extract, and the Overview's tiles and the Outcomes page's rates gave "Outcome 16 rate
    16.3%" beside the year's 43.1% as plain figures (helper 94). Both now say how many are
    open (counted by hand: 376 of 528 with no outcome key); in publication mode, which does
    not protect that count, the dates alone."""
    month = {"from": "Jan 2022", "to": "Jan 2022"}
    said = "Provisional: 376 of the period's 528 offences (71.2%) had no outcome at the extract"
    overview = _open(app_test, "app_pages/overview.py", **month)
    assert said in _texts(overview)
    outcomes = _open(app_test, "app_pages/outcomes.py", tab="Outcome rates", **month)
    assert said in _texts(outcomes)
    overview.sidebar.toggle(key="publication_mode").set_value(True).run()
    published = _texts(overview)
    assert "Provisional: the period's offences recorded in the 90 days before the" in published
    assert "376" not in published


def test_an_indicator_with_nothing_to_count_yet_says_what_it_counts(app_test) -> None:
    """January 2022 (528 offences, none recorded 90 days before the extract): the indicator
    of offences still open 90 days on read "no offences: no rate" (helper 94)."""
    at = _open(app_test, "app_pages/quality.py", **{"from": "Jan 2022", "to": "Jan 2022"})
    table = next(f.value for f in at.dataframe if "Indicator" in f.value.columns)
    row = table[table["Indicator"].str.startswith("Still open at the extract")].iloc[0]
    flags = {str(value) for value in row.values}
    assert "none recorded 90 or more days before the extract yet: no rate" in flags
    assert "no offences: no rate" not in flags
