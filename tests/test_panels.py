"""Page panels on the demo data: the frames and figures the pages lay out, without Streamlit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from stalking_profile import panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter, add_months
from stalking_profile.recording_rules import recording_rule_changes, series_breaks

ALL = ("BD", "CD", "KD", "LD", "WD")
YEAR = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ALL)


def test_comparison_display_in_the_profile_shape(demo_gateway: Gateway) -> None:
    view = panels.trends_comparison(demo_gateway, YEAR)
    display = view.display
    assert display.columns == ["Offences", *ALL, "Force"]
    stalking = display.filter(pl.col("Offences") == "DA and non-DA: change").row(0, named=True)
    assert (stalking["BD"], stalking["Force"]) == ("+97.1%*", "+86.5%*")
    non_da = display.filter(pl.col("Offences") == "Non-DA: change").row(0, named=True)
    assert non_da["CD"] == "+12.1%"  # 37 vs 33: not beyond chance, so no star
    assert display.filter(pl.col("Offences") == "DA: this period")["Force"].item() == "5,669"


def test_a_like_for_like_change_names_the_months_it_compares(demo_gateway: Gateway) -> None:
    """Helper 78: 2019 on the demo, whose data start in April 2018, compares April to December
    2019 with April to December 2018; the headline change's definition said "(offences this
    period - offences in the equal-length period before)", and the comparison's download gave
    "this period" as 976 under a filter line of January to December 2019, with 1,237 offences
    on the Overview, and said nothing of the months compared."""
    from stalking_profile import exports

    flt = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ALL)
    headline = panels.overview(demo_gateway, flt, 30, 6).headline
    change = headline.filter(pl.col("indicator") == "change").row(0, named=True)
    assert change["definition"].startswith(
        "(offences in Apr 2019 to Dec 2019 - offences in Apr 2018 to Dec 2018) / offences in "
        "Apr 2018 to Dec 2018, like for like:"
    )
    comparison = panels.trends_comparison(demo_gateway, flt)
    assert comparison.note_in_words == (
        "Compared like for like: Apr 2019 to Dec 2019 against Apr 2018 to Dec 2018, because "
        "the data start in Apr 2018."
    )
    provenance = exports.Provenance(
        "Trends period comparison", flt.describe(), "Demo", None, "", True, 0, "ana",
        datetime(2026, 12, 7), compared=comparison.note_in_words,
    )  # fmt: skip
    lines = exports.csv_bytes(comparison.display, provenance).decode().splitlines()
    assert lines[2] == "# Compared: " + comparison.note_in_words
    whole = ProfileFilter(date(2020, 1, 1), date(2020, 12, 1), ALL)  # not like for like
    definition = panels.overview(demo_gateway, whole, 30, 6).headline["definition"][1]
    assert "Jan 2020 to Dec 2020 - offences in Jan 2019 to Dec 2019) / offences in " in definition
    assert "Jan 2019 to Dec 2019, the equal-length period before;" in definition


def test_a_published_month_whose_split_is_withheld_is_drawn_as_its_total(
    demo_gateway: Gateway,
) -> None:
    """Helper 84: in publication mode July and December 2021 had no bar at all on the monthly
    chart, their DA and non-DA counts withheld, though their totals (612, 443) are published
    beside it: a month of 600 offences read as empty. Such a month is one bar, its total."""
    from stalking_profile.access import Access, Role
    from stalking_profile.linked_figures import SPLIT_WITHHELD

    reader = demo_gateway.scoped(Access.for_role("pcc", Role.COMMISSIONER))
    # the first year of these whose protection withholds such a month (which months it
    # withholds changes as protection does)
    for first in (date(2019, 1, 1), date(2018, 10, 1), date(2020, 7, 1), date(2021, 2, 1)):
        flt = ProfileFilter(first, add_months(first, 11), ALL)
        page = panels.trends_page(reader, flt, 6, True)
        split = page.volume.table.filter(
            pl.col("domestic").is_null(), pl.col("offences_total").is_not_null()
        )
        if split.height:
            break
    assert split.height, "no year withholds a month's split and shows its total"
    (bar,) = [t for t in page.volume.figure.data if t.name == SPLIT_WITHHELD]
    assert [str(x)[:7] for x in bar.x] == [f"{m:%Y-%m}" for m in split["recorded_month"]]
    assert list(bar.y) == split["offences_total"].to_list()
    overview = panels.overview(reader, flt, 30, 6).trend_figure
    assert [t for t in overview.data if t.name == SPLIT_WITHHELD]
    unpublished = panels.trends_page(demo_gateway, flt, 6, True).volume.figure
    assert not [t for t in unpublished.data if t.name == SPLIT_WITHHELD]


def test_the_dash_risk_mix_draws_its_intervals_and_says_when_numbers_are_small(
    demo_gateway: Gateway,
) -> None:
    """Helper 84: Calderdale's non-DA DASH forms, July to September 2021 (5), were drawn as
    "80% standard, 20% medium" plain bars, the caution and the 0-43% interval of "high" only
    in the table behind the chart."""
    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    panel = panels.risk_panel(demo_gateway, flt, 30)
    figure, mix = panel.dash_figure, panel.dash_mix
    assert "Some shares rest on small numbers: treat with caution" in figure.layout.title.text
    (bars,) = figure.data
    assert list(bars.error_x.array) == pytest.approx((mix["upper"] - mix["rate"]).to_list())
    big = panels.risk_panel(demo_gateway, replace(flt, districts=ALL, domestic="all"), 30)
    assert "small numbers" not in big.dash_figure.layout.title.text


def test_a_dash_risk_mix_of_no_forms_says_so_instead_of_a_blank_chart(
    demo_gateway: Gateway,
) -> None:
    """Helper 86: Calderdale's non-DA offences of April 2018 had no completed DASH form: the
    chart was blank under "Some shares rest on small numbers: treat with caution"."""
    flt = ProfileFilter(date(2018, 4, 1), date(2018, 4, 1), ("CD",), "non_domestic")
    panel = panels.risk_panel(demo_gateway, flt, 30)
    assert panel.dash_mix["denominator"].to_list() == [0, 0, 0]
    figure = panel.dash_figure
    assert not figure.data and "small numbers" not in figure.layout.title.text
    (said,) = [a.text for a in figure.layout.annotations]
    assert said == "No completed DASH forms in this period: no shares to show"


def test_a_period_with_no_month_followed_up_90_days_says_so(demo_gateway: Gateway) -> None:
    """Helper 86: January 2022 alone (the extract's month) had every month shaded, and was told
    "Months from January 2022 are left out: some of their offences..." and "Some of this
    period's offences were recorded fewer than 90 days before the extract date"."""
    flt = ProfileFilter(date(2022, 1, 1), date(2022, 1, 1), ALL)
    view = panels.outcomes_panel(demo_gateway, flt, 30)
    assert view.follow_up_note(flt).startswith("No month here can be shown yet (all shaded)")
    assert (view.median_note(flt) or "").startswith("All of this period's offences were")
    longer = replace(flt, start_month=date(2021, 2, 1))
    view = panels.outcomes_panel(demo_gateway, longer, 30)
    assert view.follow_up_note(longer).startswith("Months from November 2021 (shaded)")
    assert (view.median_note(longer) or "").startswith("Some of this period's offences were")


def test_trend_panel_marks_the_april_2020_change(demo_gateway: Gateway) -> None:
    flt = ProfileFilter(date(2019, 4, 1), date(2021, 3, 1), ALL)
    view = panels.trends_volume(demo_gateway, flt)
    assert isinstance(view.figure, go.Figure)
    labels = [a.text for a in view.figure.layout.annotations]
    assert "Former-partner conduct recorded as stalking" in labels
    assert view.table["rolling_12m_total"].to_list()[-1] == 4818
    assert view.table["rolling_12m_total"].to_list()[11] == 1311


def test_spc_panel_recalculates_at_the_rule_change(demo_gateway: Gateway) -> None:
    with_break = panels.trends_spc(demo_gateway, YEAR, run_length=6, recalculate_at_breaks=True)
    assert with_break.breaks == [date(2020, 4, 1)]
    assert with_break.chart["partition"].n_unique() == 2
    without = panels.trends_spc(demo_gateway, YEAR, run_length=6, recalculate_at_breaks=False)
    assert without.chart["partition"].n_unique() == 1
    names = [trace.name for trace in with_break.figure.data]
    assert "Process limits" in names and "Value" in names


def test_outcomes_panel_has_da_and_non_da_tables(demo_gateway: Gateway) -> None:
    view = panels.outcomes_panel(demo_gateway, YEAR, small_denominator=30)
    districts = panels.outcome_districts(demo_gateway, YEAR)
    assert list(districts.tables) == ["DA", "Non-DA", "DA and non-DA"]
    assert districts.tables["Non-DA"].filter(pl.col("label") == "Totals")["Force"].item() == 460
    assert view.rates_figure.data[0].name == "DA"


def test_the_outcome_tables_for_da_or_non_da_are_the_filter_for_boths_not_protected_again(
    demo_gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commissioner's office changing the Outcomes page from DA and non-DA to DA alone read
    the tables the filter for both publishes, but waited while they were protected again
    (5 s on the demo, 17-23 s at 1 million): now worked out once for the filter."""
    from dataclasses import replace

    from stalking_profile import linked_protection
    from stalking_profile.access import Access, Role

    commissioner = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    flt = ProfileFilter(date(2021, 4, 1), date(2021, 6, 1), ("KD",))
    protect, calls = linked_protection.protect, []

    def counted(*args, **kwargs):
        calls.append(args)
        return protect(*args, **kwargs)

    monkeypatch.setattr(linked_protection, "protect", counted)
    both = panels.outcome_districts(commissioner, flt)
    protected_for_both = len(calls)
    for choice, label in (("domestic", "DA"), ("non_domestic", "Non-DA")):
        alone = panels.outcome_districts(commissioner, replace(flt, domestic=choice))
        assert list(alone.tables) == [label]
        assert alone.tables[label].equals(both.tables[label])
    assert len(calls) == protected_for_both


def test_the_outcomes_page_gives_the_overviews_headline_outcome_rates(
    demo_gateway: Gateway,
) -> None:
    """A user trial: the Overview's Outcome 16 rate (43.1%, 2,855 of 6,620) and Outcome 1-8
    rate were on no row of the Outcomes page it sends a reader to, whose rates were DA and
    non-DA only. The rates table and chart now have DA and non-DA together, the Overview's
    figures to the count."""
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ALL)
    rates = panels.outcomes_panel(demo_gateway, flt, 30).rates.filter(category="all")
    headline = panels.overview(demo_gateway, flt, 30, 6).headline
    for indicator, label in (
        ("outcome_16_rate", "Outcome 16 rate"),
        ("outcome_1_8_rate", "Outcome 1-8 rate"),
    ):
        tile = headline.filter(indicator=indicator).row(0, named=True)
        row = rates.filter(label=label).row(0, named=True)
        assert (row["numerator"], row["denominator"]) == (tile["numerator"], tile["denominator"])
    assert rates.filter(label="Outcome 16 rate")["numerator"].item() == 2855
    shown = panels.outcomes_panel(demo_gateway, flt, 30).rates
    assert shown["category"].to_list()[:3] == ["domestic", "non_domestic", "all"]
    figure = panels.outcomes_panel(demo_gateway, flt, 30).rates_figure
    assert [trace.name for trace in figure.data] == ["DA", "Non-DA", "DA and non-DA"]


def test_risk_panel_keeps_da_colours(demo_gateway: Gateway) -> None:
    view = panels.risk_panel(demo_gateway, YEAR, small_denominator=30)
    colours = {trace.name: trace.marker.color for trace in view.figure.data}
    assert colours == {"DA": "#D55E00", "Non-DA": "#0072B2"}
    non_da = ProfileFilter(YEAR.start_month, YEAR.end_month, ("BD",), domestic="non_domestic")
    single = panels.risk_panel(demo_gateway, non_da, small_denominator=30)
    assert [trace.name for trace in single.figure.data] == ["Non-DA"]


def test_the_scorecard_caption_counts_its_months(demo_gateway: Gateway) -> None:
    """At 12 months to April 2018, the data's first month, the scorecard's caption read "Each
    indicator's last 1 months"."""
    first = ProfileFilter(date(2017, 5, 1), date(2018, 4, 1), ALL)
    caption = panels.overview(demo_gateway, first, 30, 6).scorecard_caption(6)
    assert caption.startswith("Each indicator's one month on an XmR chart (NHS England")
    assert "runs of 6)" in caption
    year = panels.overview(demo_gateway, YEAR, 30, 7).scorecard_caption(7)
    assert year.startswith("Each indicator's last 36 months on an XmR chart")
    # Calderdale's non-DA offences: three of the 36 months had none, so its rates have 33
    # points, and the caption says why (helper 89: fewer points than the months named)
    few = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    view = panels.overview(demo_gateway, few, 30, 6)
    months = dict(view.scorecard.select("indicator", "months").iter_rows())
    assert months["offences"] == 36 and months["arrest_rate"] == 33
    assert "a rate has no point in a month with no offences" in view.scorecard_caption(6)


def test_the_dash_risk_chart_reads_as_a_share_of_completed_forms(demo_gateway: Gateway) -> None:
    """The DASH risk level chart's axis said "Share of offences", but its bars are shares of
    completed DASH forms: non-DA "standard" was 65.5%, 57 of 87 forms, not 57 of 480
    offences."""
    view = panels.risk_panel(demo_gateway, YEAR, small_denominator=30)
    axis = view.dash_figure.layout.xaxis.title.text
    assert axis == "Share of completed DASH forms"
    assert all(" forms)" in trace.hovertemplate for trace in view.dash_figure.data)
    mix = view.dash_mix.filter(category="non_domestic", dash_risk="standard").row(0, named=True)
    assert mix["rate"] == pytest.approx(mix["numerator"] / mix["denominator"])
    groups = panels.outcomes_panel(demo_gateway, YEAR, 30).groups_figure
    assert groups.layout.xaxis.title.text == "Share of offences"


@pytest.mark.parametrize(
    ("domestic", "name"), [("all", "DA and non-DA"), ("domestic", "DA"), ("non_domestic", "Non-DA")]
)
def test_quality_charts_are_named_by_the_da_choice(
    demo_gateway: Gateway, domestic: str, name: str
) -> None:
    """Both Data quality charts said "DA and non-DA" whatever the choice their counts had
    been filtered to."""
    flt = ProfileFilter(YEAR.start_month, YEAR.end_month, ("CD",), domestic=domestic)
    view = panels.quality_panel(demo_gateway, flt, small_denominator=30)
    for figure in (view.figure, view.cyber_figure):
        assert {trace.name for trace in figure.data if trace.name} == {name}


def test_overview_scorecard_covers_every_indicator(demo_gateway: Gateway) -> None:
    view = panels.overview(demo_gateway, YEAR, small_denominator=30, run_length=6)
    assert view.scorecard["indicator"].to_list() == list(view.scorecard_charts)
    assert view.scorecard["months"].to_list() == [36] * 4  # outcome rates are left off
    assert view.headline_table["figure"].to_list()[0] == "Offences"


def test_recording_rule_list() -> None:
    stalking = recording_rule_changes(("stalking",))
    assert date(2020, 4, 1) in stalking["date"].to_list()
    assert date(2015, 4, 1) not in stalking["date"].to_list()  # a harassment-only change
    assert series_breaks(("stalking",), date(2018, 4, 1), date(2022, 1, 1)) == [date(2020, 4, 1)]
    assert series_breaks(("stalking",), date(2020, 4, 1), date(2022, 1, 1)) == []


def test_a_period_before_the_data_is_compared_like_for_like(demo_gateway: Gateway) -> None:
    """Issue 12, fault 1: January-December 2019 showed '+51.0%, p = 1.8e-20', every district
    starred, against a previous period holding only April-December 2018. Like for like
    (April-December of each year) it was +17.5%, and the page says what is compared. The
    expected change is counted here straight from the offence table."""
    like_for_like = demo_gateway.sql(
        "SELECT count(*) FILTER (WHERE recorded_date BETWEEN $a AND $b) "
        "/ count(*) FILTER (WHERE recorded_date BETWEEN $c AND $d) - 1 AS change "
        "FROM offence WHERE offence_type = 'stalking'",
        {
            "a": date(2019, 4, 1),
            "b": date(2019, 12, 31),
            "c": date(2018, 4, 1),
            "d": date(2018, 12, 31),
        },
    )["change"].item()
    flt = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ALL)
    figures = {
        r["indicator"]: r
        for r in panels.overview(demo_gateway, flt, 30, 6).headline.iter_rows(named=True)
    }
    change = figures["change"]
    assert change["label"] == "Change, like for like"
    assert change["value"] == pytest.approx(like_for_like)
    view = panels.trends_comparison(demo_gateway, flt)
    assert view.note.startswith("Compared like for like: Apr 2019 to Dec 2019 against Apr 2018")
    force = view.table.filter((pl.col("district_code") == "Force") & (pl.col("category") == "all"))
    assert force["change_pct"].item() == pytest.approx(like_for_like * 100)


def test_the_headline_change_and_the_comparison_table_give_one_answer(
    demo_gateway: Gateway,
) -> None:
    """The Overview's change used the exact Poisson test (Jan-Dec 2019 on the rough demo:
    p = 0.002) while the Trends table's Force row, allowing for months that vary more than
    Poisson, gave p = 0.034 for the same counts. One method now, one answer, with its interval."""
    flt = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ALL)
    change = (
        panels.overview(demo_gateway, flt, 30, 6)
        .headline.filter(pl.col("indicator") == "change")
        .row(0, named=True)
    )
    force = (
        panels.trends_comparison(demo_gateway, flt)
        .table.filter((pl.col("district_code") == "Force") & (pl.col("category") == "all"))
        .row(0, named=True)
    )
    assert force["dispersion"] is not None and force["dispersion"] > 1
    assert change["p_value"] == pytest.approx(force["p_value"])
    assert (change["lower"], change["upper"]) == pytest.approx(
        (force["change_lower"] / 100, force["change_upper"] / 100)
    )
    assert "quasi-Poisson" in change["definition"]
    one = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ("CD",), "non_domestic")
    small = panels.overview(demo_gateway, one, 30, 6).headline.filter(
        pl.col("indicator") == "change"
    )
    table = panels.trends_comparison(demo_gateway, one).table.filter(
        (pl.col("district_code") == "CD") & (pl.col("category") == "non_domestic")
    )
    assert small["p_value"].item() == pytest.approx(table["p_value"].item())


def _count_between(gateway: Gateway, first: date, last: date) -> int:
    """Stalking offences recorded from `first` to `last` (days), counted from the offence table."""
    return gateway.sql(
        "SELECT count(*) AS n FROM offence WHERE offence_type = 'stalking' "
        "AND recorded_date BETWEEN $a AND $b",
        {"a": first, "b": last},
    )["n"].item()


def test_a_short_period_is_also_compared_with_the_same_months_a_year_earlier(
    demo_gateway: Gateway,
) -> None:
    """Helper 53: November 2021 to January 2022 read as a fall of 27.5% on the period before,
    a seasonal fall: on the same months a year earlier it is a rise. The Overview now gives
    both, counted here straight from the offence table; a 12-month period, whose period
    before already is the year earlier, gives one."""
    flt = ProfileFilter(date(2021, 11, 1), date(2022, 1, 1), ALL)
    view = panels.overview(demo_gateway, flt, 30, 6)
    rows = {r["indicator"]: r for r in view.headline.iter_rows(named=True)}
    now = _count_between(demo_gateway, date(2021, 11, 1), date(2022, 1, 31))
    before = _count_between(demo_gateway, date(2021, 8, 1), date(2021, 10, 31))
    year = _count_between(demo_gateway, date(2020, 11, 1), date(2021, 1, 31))
    assert (rows["change"]["numerator"], rows["change"]["denominator"]) == (now, before)
    assert rows["change"]["value"] == pytest.approx(now / before - 1)
    earlier = rows["change_year_earlier"]
    assert earlier["label"] == "Change on a year earlier"
    assert (earlier["numerator"], earlier["denominator"]) == (now, year)
    assert earlier["value"] == pytest.approx(now / year - 1)
    assert rows["change"]["value"] < 0 < earlier["value"]  # a seasonal fall, a rise on the year
    assert earlier["lower"] < earlier["value"] < earlier["upper"]
    assert "the same months a year earlier" in earlier["definition"]
    assert view.comparison.endswith(
        "Compared with the same months a year earlier: Nov 2020 to Jan 2021."
    )
    table = view.headline_table.filter(pl.col("figure") == "Change on a year earlier")
    assert table["denominator"].item() == f"{year:,} a year before"
    whole_year = ProfileFilter(date(2020, 11, 1), date(2021, 10, 1), ALL)
    indicators = panels.overview(demo_gateway, whole_year, 30, 6).headline["indicator"]
    assert "change" in indicators and "change_year_earlier" not in indicators


def test_the_year_earlier_is_cut_like_for_like_where_the_data_start(demo_gateway: Gateway) -> None:
    """October 2018 to June 2019, DA: the data start in April 2018, so only April to June have
    a year-earlier twin in the data; both periods are cut to those months, and said so (a
    year earlier holding none of the data gives no change, not a rise from nothing)."""
    flt = ProfileFilter(date(2018, 10, 1), date(2019, 6, 1), ALL)
    view = panels.overview(demo_gateway, flt, 30, 6)
    earlier = view.headline.filter(pl.col("indicator") == "change_year_earlier").row(0, named=True)
    assert earlier["label"] == "Change on a year earlier, like for like"
    assert earlier["numerator"] == _count_between(demo_gateway, date(2019, 4, 1), date(2019, 6, 30))
    assert earlier["denominator"] == _count_between(
        demo_gateway, date(2018, 4, 1), date(2018, 6, 30)
    )
    assert "Compared with a year earlier like for like: Apr 2019 to Jun 2019 against Apr 2018 " in (
        view.comparison
    )
    first = ProfileFilter(date(2018, 4, 1), date(2018, 9, 1), ALL)
    none = panels.overview(demo_gateway, first, 30, 6).headline.filter(
        pl.col("indicator") == "change_year_earlier"
    )
    assert (none["value"].item(), none["denominator"].item()) == (None, None)


def test_a_rate_within_days_says_which_of_the_periods_offences_it_covers(
    demo_gateway: Gateway,
) -> None:
    """Helper 53: November 2021 to January 2022, "Outcome within 90 days" stood on the 2% of
    the period's offences recorded in its first two days, flagged only as a small number. The
    page now says which offences each rate covers and that it describes the period's start;
    that there is no rate within 180 days yet; and nothing where every offence is covered.
    The day and the share are worked out here from the offence table."""
    from datetime import timedelta

    from stalking_profile.access import Access, Role
    from stalking_profile.filters import add_months

    extract = demo_gateway.sql("SELECT extract_date FROM current_dataset")["extract_date"].item()
    last_90, last_180 = extract - timedelta(days=90), extract - timedelta(days=180)
    flt = ProfileFilter(date(2021, 11, 1), date(2022, 1, 1), ALL)
    share = _count_between(demo_gateway, date(2021, 11, 1), last_90) / _count_between(
        demo_gateway, date(2021, 11, 1), date(2022, 1, 31)
    )
    assert 0 < share < 0.05
    note = panels.outcomes_panel(demo_gateway, flt, 30).within_note(flt)
    assert note == (
        f"Outcome within 90 days counts only the offences recorded by {last_90.day} "
        f"{last_90:%B %Y}, {share:.1%} of the period's: the later ones have not had 90 days "
        "yet. It describes the start of the period, not all of it. No offence of the period "
        f"was recorded 180 days before the extract date (by {last_180.day} {last_180:%B %Y}), "
        "so there is no rate within 180 days yet."
    )
    # withheld in publication mode, the share is left out and the days, which are public,
    # said instead: "describes the start" only where they are under half the period's (it had
    # been said wherever the share was withheld, Calderdale non-DA Sep-Nov 2021 too)
    reader = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    for start, days, of, start_only in ((10, 33, 92, True), (9, 63, 91, False)):
        one = ProfileFilter(
            date(2021, start, 1), add_months(date(2021, start, 1), 2), ("CD",), "non_domestic"
        )
        published = panels.outcomes_panel(reader, one, 30)
        assert published.within.filter(category="non_domestic")["followed_share"].null_count()
        note = published.within_note(one) or ""
        first = last_90 - date(2021, start, 1) + timedelta(days=1)
        assert first.days == days
        assert (
            f"counts only the offences recorded by {last_90.day} {last_90:%B %Y}, the first "
            f"{days} days of the period's {of}: the later ones have not had 90 days yet."
        ) in note
        assert ("It describes the start of the period" in note) is start_only
    covered = ProfileFilter(date(2020, 1, 1), date(2020, 12, 1), ALL)
    assert panels.outcomes_panel(demo_gateway, covered, 30).within_note(covered) is None


def test_no_period_before_the_data_means_no_comparison(demo_gateway: Gateway) -> None:
    """Issue 12, fault 1: April 2018 - March 2019 was tested against a previous period of 0
    ('p < 0.001', cells 'no data*')."""
    flt = ProfileFilter(date(2018, 4, 1), date(2019, 3, 1), ALL)
    change = panels.overview(demo_gateway, flt, 30, 6).headline.filter(
        pl.col("indicator") == "change"
    )
    assert (change["value"].item(), change["p_value"].item()) == (None, None)
    view = panels.trends_comparison(demo_gateway, flt)
    assert view.note.startswith("No comparison")
    assert view.table["significant"].null_count() == view.table.height
    cells = [v for row in view.display.iter_rows() for v in row[1:]]
    assert not any(str(v).endswith("*") for v in cells)


def test_the_scorecard_never_counts_months_before_the_data(extract_db_path) -> None:
    """Issue 12, fault 2: months before the first recorded month were zeros in the SPC
    partition; the scorecard now starts where the data start."""
    from stalking_profile.db import connect

    gateway = connect(extract_db_path)
    try:
        flt = ProfileFilter(date(2022, 6, 1), date(2023, 5, 1), ("AY", "BE", "SE"))
        view = panels.overview(gateway, flt, 30, 6)
        months = [x for trace in view.scorecard_charts["offences"].data for x in (trace.x or [])]
        assert min(months) == date(2022, 12, 1)
    finally:
        gateway.close()


def test_a_comparison_across_a_counting_rule_change_says_so(demo_gateway: Gateway) -> None:
    """Issue 12, fault 6: a comparison that straddles the April 2020 change (former-partner
    conduct recorded as stalking) measures the rule as well as behaviour, and now says so."""
    across = panels.trends_comparison(demo_gateway, YEAR)  # Oct 2020 - Sep 2021 vs the year before
    assert "straddle a counting-rule change (April 2020" in across.note
    clear = panels.trends_comparison(
        demo_gateway, ProfileFilter(date(2021, 6, 1), date(2021, 11, 1), ALL)
    )
    assert "straddle" not in clear.note


def test_the_change_test_uses_each_period_s_days() -> None:
    """Issue 12, fault 6: 31 offences in a 31-day month against 28 in a 28-day one is the same
    rate per day, not a rise."""
    from stalking_profile.measures import volumes

    equal = volumes.poisson_change_p_value(31, 28)
    per_day = volumes.poisson_change_p_value(31, 28, share=31 / 59)
    assert per_day == 1.0 and equal < 1.0
    low, high = volumes.change_interval(np.array([31]), np.array([28]), share=31 / 59)
    assert low[0] < 0 < high[0]


def test_districts_sit_on_a_funnel_of_the_force_rate(demo_gateway: Gateway) -> None:
    """Issue 12, 'go further': districts compared on a funnel plot, not a league table. Each
    district's count and rate are counted here from the offence table; its place on the funnel
    agrees with SciPy's exact Poisson tail probabilities around the force's rate wherever those
    are clear of the limits (Spiegelhalter 2005; tolerance: districts with a tail p between
    1e-4 and 0.05 are not asserted, the limits being interpolated)."""
    from scipy.stats import poisson

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ALL)
    funnel = panels.trends_page(demo_gateway, flt, 6, True).funnel
    truth = demo_gateway.sql(
        "SELECT d.district_code, count(o.crime_ref) AS n, any_value(d.population) AS population "
        "FROM district AS d LEFT JOIN offence AS o ON o.district_code = d.district_code "
        "AND o.offence_type = 'stalking' "
        "AND o.recorded_date BETWEEN DATE '2020-10-01' AND DATE '2021-09-30' GROUP BY 1"
    )
    force_rate = truth["n"].sum() / truth["population"].sum()
    checked = 0
    for row in funnel.join(truth, on="district_code").iter_rows(named=True):
        assert row["offences"] == row["n"]
        assert row["rate_per_1000"] == pytest.approx(row["n"] / row["population_right"] * 1000)
        expected = force_rate * row["population"]
        high, low = poisson.sf(row["n"] - 1, expected), poisson.cdf(row["n"], expected)
        if high < 1e-4:
            assert row["funnel"] == "above the 99.8% limit", row
        elif low < 1e-4:
            assert row["funnel"] == "below the 99.8% limit", row
        elif min(high, low) > 0.05:
            assert row["funnel"] == "within the limits", row
        else:
            continue
        checked += 1
    assert truth["n"].sum() == 6129 and checked >= 3
    # the funnel is drawn over the districts' sizes: its lines span the points, not -999 to
    # +648 per 1,000 from a population of 1 (which flattened every point along the bottom)
    figure = panels.trends_page(demo_gateway, flt, 6, True).funnel_figure
    lines = [y for trace in figure.data if trace.mode == "lines" for y in trace.y]
    smallest = float(funnel["population"].min())
    assert min(min(trace.x) for trace in figure.data if trace.mode == "lines") == pytest.approx(
        0.8 * smallest
    )
    rates = funnel["rate_per_1000"]
    assert min(lines) > rates.min() / 2 and max(lines) < rates.max() * 2
    alone = panels.trends_page(
        demo_gateway, ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("KD",)), 6, True
    ).funnel
    # one district alone is still read against the force's rate, not its own
    assert (
        alone["funnel"].to_list()
        == funnel.filter(pl.col("district_code") == "KD")["funnel"].to_list()
    )


def test_a_like_for_like_funnel_gives_a_years_rate_of_the_months_it_counts(
    demo_gateway: Gateway,
) -> None:
    """A helper agent's trial: May to August 2018 is compared like for like (the data start in
    April 2018), so the table counts August alone; the funnel took those counts and scaled
    them to a year by the whole period's four months (Bradford's 22 offences read 0.12 per
    1,000 a year). Its rates are now a year's over the months counted, and a note says which."""
    flt = ProfileFilter(date(2018, 5, 1), date(2018, 8, 1), ALL)
    page = panels.trends_page(demo_gateway, flt, 6, True)
    truth = demo_gateway.sql(
        "SELECT d.district_code, count(o.crime_ref) AS n, any_value(d.population) AS population "
        "FROM district AS d LEFT JOIN offence AS o ON o.district_code = d.district_code "
        "AND o.offence_type = 'stalking' "
        "AND o.recorded_date BETWEEN DATE '2018-08-01' AND DATE '2018-08-31' GROUP BY 1"
    )
    rows = page.funnel.join(truth, on="district_code").iter_rows(named=True)
    for row in rows:
        assert row["offences"] == row["n"]
        year = row["n"] / row["population_right"] * 1000 * 12  # one month, scaled to a year
        assert row["rate_per_1000"] == pytest.approx(year)
    assert page.funnel.filter(district_code="BD")["offences"].item() == 22
    assert page.funnel_note.startswith("The rates are of Aug 2018 only")
    assert "Aug 2018" in page.funnel_figure.layout.title.text
    whole = panels.trends_page(
        demo_gateway, ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ALL), 6, True
    )
    assert whole.funnel_note == ""


def test_a_district_the_comparison_table_withholds_is_not_on_the_funnel(
    demo_gateway: Gateway,
) -> None:
    from stalking_profile.access import Access

    flt = ProfileFilter(date(2021, 9, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    truth = panels.trends_page(demo_gateway, flt, 6, True)
    assert truth.funnel["offences"].to_list() == [
        truth.comparison.table.filter(
            (pl.col("district_code") == "CD") & (pl.col("category") == "non_domestic")
        )["current"].item()
    ]
    assert 1 <= truth.funnel["offences"].item() < 5
    public = demo_gateway.scoped(Access.command_line().for_publication())
    page = panels.trends_page(public, flt, 6, True)
    assert page.funnel.is_empty()
    assert not any(
        trace.x for trace in page.funnel_figure.data if str(trace.name).startswith("Districts")
    )


def test_the_scorecard_draws_a_chart_only_when_it_is_shown(
    demo_gateway: Gateway, monkeypatch
) -> None:
    """The Overview drew all four scorecard charts for every filter (about 0.1 s each) while
    the page shows one: now each is drawn when first asked for, once, and is the same chart."""
    from stalking_profile import charts

    drawn: list[str] = []
    draw = charts.spc_figure

    def counted(chart, title, *args, **kwargs):
        drawn.append(title)
        return draw(chart, title, *args, **kwargs)

    monkeypatch.setattr(charts, "spc_figure", counted)
    view = panels.overview(demo_gateway, YEAR, small_denominator=30, run_length=6)
    assert drawn == []
    figure = view.scorecard_charts["arrest_rate"]
    assert view.scorecard_charts["arrest_rate"] is figure
    assert len(drawn) == 1 and drawn[0].startswith("Arrest rate")
    assert list(view.scorecard_charts) == view.scorecard["indicator"].to_list()


def test_outcomes_within_days_carry_their_small_numbers_flag(demo_gateway: Gateway) -> None:
    """November 2021 to January 2022: 'Outcome within 90 days 55.2%' rested on the 29 of the
    period's 1,400 offences old enough to judge, and the table dropped its small-numbers flag
    (the README promises one under 30)."""
    flt = ProfileFilter(
        districts=("BD", "CD", "KD", "LD", "WD"),
        start_month=date(2021, 11, 1),
        end_month=date(2022, 1, 1),
    )
    view = panels.outcomes_panel(demo_gateway, flt, 30)
    row = view.within_table.filter(
        (pl.col("label") == "Outcome within 90 days") & (pl.col("category") == "all")
    ).row(0, named=True)
    assert (row["numerator"], row["denominator"], row["is_small"]) == (16, 29, True)
    assert "is_small" in view.within_by_month_table.columns


@pytest.mark.parametrize(
    ("start", "end", "per_day"),
    [
        (date(2020, 2, 1), date(2020, 2, 1), True),  # 29 days against January's 31
        (date(2021, 4, 1), date(2021, 6, 1), True),  # 91 against 90
        (date(2020, 10, 1), date(2021, 9, 1), False),  # 365 against 366: counts
    ],
)
def test_a_change_its_interval_and_test_are_of_one_thing(demo_gateway, start, end, per_day):
    """An audit: February 2020 read +14.9% (108 against 94, counts) beside an interval and a
    p-value of offences per day (-7.7% to 63.7%, for +22.8%): with enough offences the interval
    would not hold the change shown. Where the periods' days differ by more than 1% all three
    are per day, and say so; a year against the one before compares counts."""
    from stalking_profile.measures import volumes

    flt = ProfileFilter(start, end, ALL)
    change = panels.overview(demo_gateway, flt, 30, 6).headline.filter(indicator="change")
    row = change.row(0, named=True)
    days = flt.comparison(date(2018, 4, 1)).days()
    ratio = row["numerator"] / row["denominator"]
    expected = ratio * days[1] / days[0] - 1 if per_day else ratio - 1
    assert row["value"] == pytest.approx(expected)
    assert row["lower"] < row["value"] < row["upper"]
    assert row["label"].endswith(", per day") == per_day
    share = days[0] / sum(days) if per_day else 0.5
    if "quasi-Poisson" not in row["definition"]:
        exact = volumes.poisson_change_p_value(row["numerator"], row["denominator"], share)
        assert row["p_value"] == pytest.approx(exact)
    note = panels.trends_comparison(demo_gateway, flt).note
    assert ("of offences per day" in note) == per_day


def test_the_district_funnel_gives_rates_a_year(demo_gateway: Gateway) -> None:
    """A user trial: at 12 months to April 2018 (one month of data) the funnel read Bradford
    0.03 per 1,000 residents: a month's rate at two decimals, where the Victims and suspects
    page gives rates a year. The funnel's rates are a year's, so a month's are 12 times its
    count per 1,000; the place on the funnel is the same."""
    month = ProfileFilter(date(2021, 6, 1), date(2021, 6, 1), ALL)
    page = panels.trends_page(demo_gateway, month, 6, True)
    for row in page.funnel.iter_rows(named=True):
        expected = row["offences"] / row["population"] * 1000 * 12
        assert row["rate_per_1000"] == pytest.approx(expected)
        assert row["rate_lower"] <= row["rate_per_1000"] <= row["rate_upper"]
    layout = page.funnel_figure.layout
    assert layout.yaxis.title.text == "Offences per 1,000 residents a year"
    points = [t for t in page.funnel_figure.data if "markers" in (t.mode or "")]
    drawn = sorted(y for t in points for y in t.y)
    assert drawn == pytest.approx(sorted(page.funnel["rate_per_1000"].to_list()))


def test_the_small_number_setting_reaches_every_pages_rates(demo_gateway: Gateway) -> None:
    """STALKING_PROFILE_SMALL_DENOMINATOR reached the Overview, Outcomes, Risk and Data
    quality pages only: the Risk page's DASH mix and flag trends, the Civil orders, Victim
    contact and Victims and suspects pages flagged rates under 30 whatever it said. Each
    table of rates is now flagged with the setting the page is given (the views pass it)."""
    from stalking_profile import people_panels, protection_panels

    def tables(small: int) -> dict[str, pl.DataFrame]:
        risk = panels.risk_panel(demo_gateway, YEAR, small)
        orders = protection_panels.orders_panel(demo_gateway, YEAR, "SPO", small)
        contact = protection_panels.contact_panel(demo_gateway, YEAR, small)
        assert orders is not None and contact is not None
        return {
            "DASH mix": risk.dash_mix,
            "arrest trend": risk.trends["arrest_made"],
            "breaches": orders.breaches,
            "repeat suspects without an order": orders.without_order,
            "contact by district": contact.by_district,
            "contact by month": contact.monthly,
            "unknowns": people_panels.people_panel(demo_gateway, YEAR, small).unknown,
        }

    flagged = {name: frame["is_small"].all() for name, frame in tables(1_000_000).items()}
    assert flagged == dict.fromkeys(flagged, True)
    unflagged = {name: not frame["is_small"].all() for name, frame in tables(1).items()}
    assert unflagged == dict.fromkeys(unflagged, True)


def test_a_change_moving_offences_between_stalking_and_harassment_breaks_neither_together(
    demo_gateway: Gateway,
) -> None:
    """With stalking and harassment both chosen, the Overview warned that the change on the
    previous period straddled April 2020's counting-rule change, which only moved offences
    from harassment to stalking; its own note says to analyse them together across it
    (helper 53). Together they are one series: no warning, no SPC break there."""
    both = ("stalking", "harassment")
    assert series_breaks(both, date(2019, 4, 1), date(2021, 3, 1)) == []
    assert series_breaks(("stalking",), date(2019, 4, 1), date(2021, 3, 1)) == [date(2020, 4, 1)]
    flt = ProfileFilter(date(2020, 1, 1), date(2020, 6, 1), ALL, "all", both)
    assert panels.overview(demo_gateway, flt, 30, 6).change_warning is None
    alone = ProfileFilter(date(2020, 1, 1), date(2020, 6, 1), ALL, "all", ("stalking",))
    assert "April 2020" in (panels.overview(demo_gateway, alone, 30, 6).change_warning or "")


def test_the_risk_pages_verdict_sits_beside_its_difference(demo_gateway: Gateway) -> None:
    """ "More than chance? (q < 0.05)" was the ninth column of DA against non-DA, off the
    table's right edge until scrolled to (helper 53)."""
    columns = panels.risk_panel(demo_gateway, YEAR, 30).comparison_table.columns
    assert columns.index("significant") == columns.index("difference_points") + 1


def test_a_year_earlier_across_a_counting_rule_change_says_so(demo_gateway: Gateway) -> None:
    """Helper 54: the force's July to September 2020 read +268.3% on a year earlier (p <
    0.001) with nothing said of April 2020's change, which moved former-partner conduct into
    stalking; the warning looked only at the period before. It names both comparisons."""
    flt = ProfileFilter(date(2020, 7, 1), date(2020, 9, 1), ALL)
    warning = panels.overview(demo_gateway, flt, 30, 6).change_warning or ""
    assert warning.startswith("The change on a year earlier straddles a counting-rule change")
    assert "April 2020" in warning and "previous period" not in warning
    later = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ALL)
    assert panels.overview(demo_gateway, later, 30, 6).change_warning is None


def test_months_whose_year_looks_back_across_a_counting_rule_change_are_named() -> None:
    """Helper 70: the Repeats page's months from April 2020 to March 2021 look back across
    former partners' conduct recorded as stalking (1 April 2020), unmarked. An offence on or
    after the change and under 365 days after it counts offences recorded under the old rule;
    stalking and harassment together are one series across that change."""
    from stalking_profile.recording_rules import lookbacks_across_changes

    def crossing(start: date, end: date, types=("stalking",), data=date(2014, 1, 1)):
        return lookbacks_across_changes(types, start, end, data)

    assert crossing(date(2019, 1, 1), date(2021, 12, 1)).select(
        "first_month", "last_month", "date"
    ).rows() == [
        (date(2019, 1, 1), date(2019, 3, 1), date(2018, 4, 1)),  # conduct crimes in addition
        (date(2020, 4, 1), date(2021, 3, 1), date(2020, 4, 1)),
    ]
    # data from April 2018 (the demo's) hold nothing recorded before that change (helper 72)
    assert crossing(date(2019, 1, 1), date(2021, 12, 1), data=date(2018, 4, 1))[
        "date"
    ].to_list() == [date(2020, 4, 1)]
    cut = crossing(date(2021, 2, 1), date(2021, 6, 1))
    assert cut.select("first_month", "last_month").rows() == [(date(2021, 2, 1), date(2021, 3, 1))]
    assert crossing(date(2021, 4, 1), date(2021, 12, 1)).is_empty()
    assert crossing(date(2020, 4, 1), date(2021, 3, 1), ("stalking", "harassment")).is_empty()
    note = panels._lookback_note(
        ("stalking",), date(2020, 10, 1), date(2021, 9, 1), date(2018, 4, 1)
    )
    assert note.startswith("October 2020 to March 2021 look back across the change of 1 April 2020")


def test_the_repeats_page_names_the_months_that_look_back_across_a_rule_change(
    demo_gateway: Gateway,
) -> None:
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("CD",))
    view = panels.repeats_panel(demo_gateway, flt, 3, 2)
    assert "October 2020 to March 2021 look back across" in view.lookback_note
    later = panels.repeats_panel(
        demo_gateway, ProfileFilter(date(2021, 4, 1), date(2021, 9, 1), ("CD",)), 3, 2
    )
    assert later.lookback_note == ""


def test_why_a_median_is_blank_is_shown_beside_it(demo_gateway: Gateway) -> None:
    """Helper 84: Calderdale's non-DA offences, July to September 2021, showed a blank median
    time to outcome, its reason ("fewer than 20 outcomes") in a note column off-screen."""
    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    table = panels.outcomes_panel(demo_gateway, flt, 30).time_to_outcome_table
    assert table.columns[:3] == ["category", "note", "offences"]
    blank = table.filter(pl.col("median_days").is_null())
    assert blank.height and blank["note"].str.contains("fewer than").all()
