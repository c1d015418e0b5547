"""Plain-text formatting of figures (formatting.py): tiles, the scorecard, the period table."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import polars as pl

from stalking_profile import formatting
from stalking_profile.tables import for_display

MONTHS = [date(2021, m, 1) for m in range(1, 13)] + [date(2022, m, 1) for m in range(1, 7)]


def test_count_limits_keep_a_decimal_so_they_agree_with_the_flag() -> None:
    """Fault 5: limits rounded to '2 to 4' beside a latest value of 4 flagged higher."""
    card = pl.DataFrame(
        {
            "label": ["Offences"],
            "latest_month": [MONTHS[-1]],
            "latest_value": [4.0],
            "mean": [3.06],
            "lower_limit": [2.2],
            "upper_limit": [3.85],
            "is_rate": [False],
            "variation": ["special cause - high"],
            "improvement": ["neither"],
            "assurance": [""],
            "months": [24],
        }
    )
    shown = formatting.scorecard_display(card, {}).row(0, named=True)
    assert (shown["Latest"], shown["Mean"], shown["Process limits"]) == ("4", "3.1", "2.2 to 3.9")


def test_a_withheld_month_on_the_scorecard_says_so() -> None:
    """Publication mode, Calderdale, July to September 2021: the latest month's count and the
    limits were withheld, and the scorecard said "no data" and "no data to no data", as if
    nothing was recorded. A count's latest value is missing only when withheld; a rate's, when
    its series is withheld (otherwise there was nothing to divide by)."""
    from stalking_profile.tables import SPC_VARIATION_WITHHELD

    card = pl.DataFrame(
        {
            "label": ["Offences", "Arrest rate", "DASH rate"],
            "latest_month": [date(2021, 9, 1)] * 3,
            "latest_value": [None, None, None],
            "mean": [46.2, 0.3, 0.5],
            "lower_limit": [None, None, 0.2],
            "upper_limit": [None, None, 0.8],
            "is_rate": [False, True, True],
            "variation": [SPC_VARIATION_WITHHELD, SPC_VARIATION_WITHHELD, "common cause"],
            "improvement": ["neither", "up", "up"],
            "assurance": ["", "", ""],
            "months": [36, 36, 36],
        },
        schema_overrides={"latest_value": pl.Float64},
    )
    shown = formatting.scorecard_display(card, {})
    assert shown["Latest"].to_list() == ["suppressed", "suppressed", "no data"]
    assert shown["Process limits"].to_list()[:2] == ["withheld", "withheld"]
    # the mean withheld with them reads so, not "no data" (helper 71: DA, February to
    # December 2019, Offences' mean "no data" beside its limits "withheld")
    withheld_mean = formatting.scorecard_display(card.with_columns(mean=pl.lit(None)), {})
    assert withheld_mean["Mean"].to_list() == ["withheld", "withheld", "no data"]
    assert shown["Process limits"][2] == "20.0% to 80.0%"


def test_figures_read_as_in_the_profile() -> None:
    assert formatting.percent(0.02716) == "2.7%"
    assert formatting.percent(None) == "no data"
    assert formatting.signed_percent(0.865) == "+86.5%"
    assert formatting.count(6129) == "6,129"
    assert formatting.p_value(1.8e-20) == "p < 0.001"
    assert formatting.p_value(0.0344) == "p = 0.034"
    assert formatting.interval(0.0232, 0.0317) == "95% CI 2.3% to 3.2%"


def test_headline_table_has_one_row_per_figure_and_blank_missing_denominators() -> None:
    headline = pl.DataFrame(
        {
            "indicator": ["offences", "arrest_rate"],
            "label": ["Offences", "Arrest rate"],
            "kind": ["count", "rate"],
            "value": [6129.0, 0.2],
            "numerator": [6129, 1226],
            "denominator": [None, 6129],
            "lower": [None, 0.19],
            "upper": [None, 0.21],
            "p_value": [None, None],
            "is_small": [False, False],
            "definition": ["a", "b"],
        },
        schema_overrides={
            "denominator": pl.Int64,
            "lower": pl.Float64,
            "upper": pl.Float64,
            "p_value": pl.Float64,
        },
    )
    table = formatting.headline_table(headline)
    assert table["value"].to_list() == ["6,129", "20.0%"]
    assert table["denominator"].to_list() == ["", "6,129"]
    assert table["interval"].to_list() == ["", "19.0% to 21.0%"]


def test_a_withheld_tile_says_suppressed_and_a_rate_of_nothing_says_no_data(demo_gateway) -> None:
    """Calderdale non-DA, July to September 2021, as a commissioner's office: the arrest,
    outcome 16 and cyber-flag tiles said "no data", as if nothing had been recorded; their
    rates of 11 offences are withheld. A rate of no offences still says "no data"."""
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.panels import overview

    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    reader = demo_gateway.scoped(Access.for_role("x", Role.COMMISSIONER))
    tiles = formatting.headline_tiles(overview(reader, flt, 30, 6).headline)
    shown = dict(
        zip(
            tiles["indicator"],
            map(formatting.headline_value, tiles.iter_rows(named=True)),
            strict=True,
        )
    )
    assert shown["offences"] == "11"
    assert shown["arrest_rate"] == "suppressed" and "no data" not in shown.values()
    empty = {"kind": "rate", "value": None, "numerator": 0, "denominator": 0}
    assert formatting.headline_value(empty) == "no data"
    assert (
        formatting.headline_value({**empty, "numerator": None, "denominator": 11}) == "suppressed"
    )
    assert formatting.headline_value({"kind": "count", "value": None, "denominator": None}) == (
        "suppressed"
    )


def test_period_table_marks_changes_beyond_chance() -> None:
    table = pl.DataFrame(
        {
            "district_code": ["CD", "CD", "CD", "Force", "Force", "Force"],
            "category": ["all", "domestic", "non_domestic"] * 2,
            "current": [565, 528, 37, 6129, 5669, 460],
            "previous": [300, 267, 33, 3286, 2946, 340],
            "change_pct": [88.3, 97.8, 12.1, 86.5, 92.4, 35.3],
            "significant": [True, True, False, True, True, True],
        }
    )
    shown = formatting.period_table_display(table, ("non_domestic",))
    assert shown.columns == ["Offences", "CD", "Force"]
    assert shown["Offences"].to_list() == [
        "Non-DA: this period",
        "Non-DA: previous period",
        "Non-DA: change",
    ]
    assert shown.row(2) == ("Non-DA: change", "+12.1%", "+35.3%*")
    # helper 78: a change from none read "no data" beside "previous period 0"
    from_none = table.with_columns(
        pl.when(pl.col("district_code") == "CD").then(0).otherwise("previous").alias("previous"),
        pl.when(pl.col("district_code") != "CD").then("change_pct").alias("change_pct"),
    )
    shown = formatting.period_table_display(from_none, ("non_domestic",))
    assert shown.row(1) == ("Non-DA: previous period", "0", "340")
    assert shown.row(2) == ("Non-DA: change", "none before", "+35.3%*")


def test_the_da_tile_explains_its_share_as_a_share(demo_gateway) -> None:
    """The DA offences tile's tooltip read "DA share: 5,669 against 6,129 (+92.5%, 95% CI 91.8%
    to 93.1%, ; ...": the change's wording, sign and empty p-value slot on a share."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    rows = {
        row["indicator"]: row
        for row in panels.overview(demo_gateway, flt, 30, 6).headline.iter_rows(named=True)
    }
    text = formatting.headline_help(rows["da_offences"], share=rows["domestic_share"])
    assert "5,669 of 6,129 offences (92.5%, 95% CI " in text
    assert "against" not in text and "+" not in text and ", ;" not in text
    offences = formatting.headline_help(rows["offences"], change=rows["change"])
    assert "against 3,286" in offences and "+86.5%" in offences
    # every bracket closed (the change's "(" was left open before its method; helper 53), and
    # the one test set beside the Trends table's q-values
    assert offences.count("(") == offences.count(")")
    assert "allows for the table's many comparisons" in offences


def test_the_offences_tile_gives_the_change_on_a_year_earlier_in_its_tooltip(
    demo_gateway,
) -> None:
    """November 2021 to January 2022: the tile says -27.5% on the period before, a seasonal
    fall; its tooltip now gives the same months a year earlier too (+32.1%), and says when
    the data hold none of them."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    everywhere = ("BD", "CD", "KD", "LD", "WD")
    flt = ProfileFilter(date(2021, 11, 1), date(2022, 1, 1), everywhere)
    rows = {
        row["indicator"]: row
        for row in panels.overview(demo_gateway, flt, 30, 6).headline.iter_rows(named=True)
    }
    earlier = rows["change_year_earlier"]
    text = formatting.headline_help(rows["offences"], rows["change"], None, earlier)
    assert f"Change on previous period: 1,400 against {rows['change']['denominator']:,}" in text
    assert (
        f"Change on a year earlier: 1,400 against {earlier['denominator']:,}: "
        f"{formatting.signed_percent(earlier['value'])} (95% CI " in text
    )
    assert text.count("(") == text.count(")")
    first = ProfileFilter(date(2018, 4, 1), date(2018, 9, 1), everywhere)
    rows = {
        row["indicator"]: row
        for row in panels.overview(demo_gateway, first, 30, 6).headline.iter_rows(named=True)
    }
    text = formatting.headline_help(
        rows["offences"], rows["change"], None, rows["change_year_earlier"]
    )
    assert "The data hold none of the same months a year earlier to compare with." in text


def test_a_short_scorecard_gives_no_limits_as_its_chart_draws_none(demo_gateway) -> None:
    """Twelve months to September 2018 hold 6 months of data: the scorecard gave "Process
    limits 61.1 to 130.2" beside "too few points", and its chart said there were none."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2017, 10, 1), date(2018, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    view = panels.overview(demo_gateway, flt, 30, 6)
    assert set(view.scorecard["months"]) == {6}
    assert view.scorecard["upper_limit"].null_count() == view.scorecard.height
    limits = set(view.scorecard_table["Process limits"])
    assert limits == {"none: 6 of the 13 points needed"}
    assert (
        "Too few points for process limits" in view.scorecard_charts["offences"].layout.title.text
    )


def test_a_scorecard_ending_where_limits_are_recalculated_gives_none(demo_gateway) -> None:
    """Helper 81: a period ending April 2020, the month the counting rules changed and the
    limits are recalculated from, gave every indicator limits equal to its value ("454.0 to
    454.0") and "common cause": one month has no moving range, so no limits."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2019, 5, 1), date(2020, 4, 1), ("BD", "CD", "KD", "LD", "WD"))
    view = panels.overview(demo_gateway, flt, 30, 6)
    assert set(view.scorecard["variation"]) == {"too few points"}
    assert view.scorecard["upper_limit"].null_count() == view.scorecard.height
    limits = set(view.scorecard_table["Process limits"])
    assert limits == {"none: limits are recalculated from this month"}


def test_a_rate_of_no_offences_says_so_not_treat_with_caution() -> None:
    """A filter with no offences gave its rate tiles "0 of 0. Small numbers: treat with
    caution." under "no data"."""
    row = {
        "definition": "Offences with an arrest / offences.",
        "kind": "rate",
        "numerator": 0,
        "denominator": 0,
        "value": None,
        "lower": None,
        "upper": None,
        "is_small": True,
    }
    text = formatting.headline_help(row)
    assert text == "Offences with an arrest / offences. No offences in the period, so no rate."
    assert formatting.headline_value(row) == "no data"
    small = formatting.headline_help(row | {"numerator": 2, "denominator": 9, "value": 0.22})
    assert "2 of 9." in small and small.endswith("Small numbers: treat with caution.")


def test_a_withheld_count_is_suppressed_in_a_tiles_tooltip(demo_gateway) -> None:
    """A user trial in publication mode (Calderdale, non-DA, July to September 2021): the rate
    tiles read "suppressed" and their tooltips "... no data of 11", as if nothing was
    recorded."""
    from stalking_profile import panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    reader = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    rows = panels.overview(reader, flt, 30, 6).headline.filter(kind="rate").to_dicts()
    withheld = [row for row in rows if row["numerator"] is None]
    assert withheld, "a rate is withheld"
    for row in withheld:
        text = formatting.headline_help(row)
        assert "no data" not in text
        # in words (helper 84: "suppressed of 6,620" read as garbled)
        assert f"Of {row['denominator']:,} offences: the number suppressed." in text
        # and why, which it did not say (helper 64: a force's rate of 160 of 6,620 withheld)
        assert formatting.WITHHELD_WHY in text
    shown = next(row for row in rows if row["value"] is not None)
    assert formatting.WITHHELD_WHY not in formatting.headline_help(shown)


def test_no_change_is_written_without_a_sign():
    """A user trial: 6 offences against 6 read "+0.0%"."""
    assert formatting.signed_percent(0.0) == "0.0%"
    assert formatting.signed_percent(-0.0004) == "0.0%"
    assert formatting.signed_percent(0.0006) == "+0.1%"
    assert formatting.signed_percent(-0.2) == "-20.0%"


def test_a_changes_previous_count_says_it_is_the_period_befores() -> None:
    """The change row put the previous period's count under "Out of": "6,620 out of 4,295"
    (helper 51, in a meeting pack's headline table); the change on a year earlier's, that it
    is the year earlier's."""
    headline = pl.DataFrame(
        {
            "indicator": ["offences", "change", "change_year_earlier"],
            "kind": ["count", "change", "change"],
            "label": ["Offences", "Change on previous period", "Change on a year earlier"],
            "value": [6620.0, 0.541, 0.1],
            "numerator": [6620, 6620, 6620],
            "denominator": [None, 4295, 6018],
            "lower": [None, 0.5, 0.05],
            "upper": [None, 0.6, 0.15],
            "p_value": [None, 0.001, 0.01],
            "is_small": [False, False, False],
            "definition": ["a", "b", "c"],
        },
        schema_overrides={"denominator": pl.Int64, "lower": pl.Float64, "upper": pl.Float64},
    )
    table = formatting.headline_table(headline)
    assert table["numerator"].to_list() == ["6,620", "6,620", "6,620"]
    assert table["denominator"].to_list() == ["", "4,295 before", "6,018 a year before"]


def test_a_change_tooltip_tells_a_withheld_count_from_none_and_a_change_from_none(
    demo_gateway,
) -> None:
    """Helper 54: in publication mode a change whose counts are withheld (Wakefield non-DA,
    June 2021) said "There is no previous period in the data"; and a change on a year
    earlier from no offences (Wakefield non-DA stalking, December 2019: 4 against December
    2018's 0, counted here from the offence table) read "4 against 0: no data (, p = 0.125)".
    A single month is compared with "the same month a year earlier", not months."""
    from stalking_profile import panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter

    december = ProfileFilter(date(2019, 12, 1), date(2019, 12, 1), ("WD",), "non_domestic")
    counts = demo_gateway.sql(
        "SELECT year(recorded_date) AS y, count(*) AS n FROM offence WHERE district_code = 'WD' "
        "AND NOT is_domestic AND offence_type = 'stalking' AND month(recorded_date) = 12 "
        "AND year(recorded_date) IN (2018, 2019) GROUP BY 1"
    )
    assert dict(counts.iter_rows()) == {2019: 4}
    view = panels.overview(demo_gateway, december, 30, 6)
    rows = {row["indicator"]: row for row in view.headline.iter_rows(named=True)}
    text = formatting.headline_help(
        rows["offences"], rows["change"], None, rows["change_year_earlier"]
    )
    assert (
        "Change on a year earlier: 4 against 0: a change from none has no percentage "
        "(p = 0.125)." in text
    )
    assert "no data" not in text and "(," not in text
    # a change's interval has its signs: "-78.2% to 780.9%" had read as a span of rates
    lower, upper = rows["change"]["lower"], rows["change"]["upper"]
    assert lower < 0 < upper
    signed = f"{lower:+.1%} to {upper:+.1%}"
    assert f"(95% CI {signed}, p = " in text
    table = formatting.headline_table(view.headline)
    assert table.filter(pl.col("figure").str.starts_with("Change on previous"))[
        "interval"
    ].item() == (signed)
    assert not table.filter(pl.col("figure") == "Arrest rate")["interval"].item().startswith("+")
    assert "the same month a year earlier" in rows["change_year_earlier"]["definition"]
    assert "Compared with the same month a year earlier: Dec 2018." in view.comparison

    june = ProfileFilter(date(2021, 6, 1), date(2021, 6, 1), ("WD",), "non_domestic")
    reader = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    rows = {
        row["indicator"]: row
        for row in panels.overview(reader, june, 30, 6).headline.iter_rows(named=True)
    }
    assert rows["change"]["denominator"] is None
    text = formatting.headline_help(rows["offences"], rows["change"])
    assert "The change is suppressed: a count it compares is withheld." in text
    assert "no previous period" not in text
    first = ProfileFilter(date(2018, 4, 1), date(2018, 4, 1), ("WD",))
    rows = {
        row["indicator"]: row
        for row in panels.overview(demo_gateway, first, 30, 6).headline.iter_rows(named=True)
    }
    assert "There is no previous period in the data to compare with." in (
        formatting.headline_help(rows["offences"], rows["change"])
    )


def test_a_withheld_change_reads_suppressed_in_its_tooltip() -> None:
    """Helper 55: a change publication mode withheld beside both its counts read "13 against
    12: no data. Suppressed Seasons aside", its definition ("suppressed") taken for a method."""
    row = {
        "label": "Change on a year earlier",
        "definition": "suppressed",
        "kind": "change",
        "numerator": 13,
        "denominator": 12,
        "value": None,
        "lower": None,
        "upper": None,
        "p_value": None,
    }
    offences = {"definition": "Offences.", "kind": "count", "is_small": False}
    text = formatting.headline_help(offences, None, None, row)
    assert text == (
        "Offences. Change on a year earlier: 13 against 12: suppressed. Seasons aside, as the "
        "months are the same."
    )


def test_a_filters_district_codes_are_shown_as_written_in_captions() -> None:
    """Helper 74: a district imported with the code `[BD](https://evil.example/x)` became a
    link on every page's caption (the filter in words) for every role."""
    from datetime import date

    from stalking_profile.filters import ProfileFilter
    from stalking_profile.ui.widgets import described

    flt = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("[BD](https://evil.example/x)", "CD"))
    said = described(flt)
    assert said.startswith(r"Stalking, DA and non-DA, \[BD\]\(https\:\/\/evil\.example\/x\), CD,")
    plain = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("BD", "CD"))
    assert described(plain) == plain.describe()  # ordinary codes as they were


def _half_up(numerator: int, denominator: int, decimals: int) -> Decimal:
    """The percentage numerator / denominator rounded a half away from zero, worked out in
    exact fractions: the reference the shown figures are checked against."""
    exact = Fraction(100 * numerator, denominator) * 10**decimals
    whole = math.floor(exact + Fraction(1, 2))
    return Decimal(whole).scaleb(-decimals)


SHARES = [(n, d) for d in range(1, 201) for n in range(d + 1)]


def test_a_percentage_rounds_a_half_up_as_a_reader_and_excel_do_on_every_page() -> None:
    """2 of 16 is 12.5%: "13%", as a reader working it out and Excel's ROUND give, where
    Python's own rounding (a half to the even digit) had shown "12%", and 1 of 16 "6.2%"
    where a chart's hover (d3-format) said 6.3%. Every share of up to 200, checked against
    exact fractions, as a tile, a pack's sentence and a table's column write it."""
    assert formatting.percent(2 / 16, 0) == "13%"
    assert formatting.percent(1 / 16) == "6.3%"
    assert formatting.signed_percent(-1 / 16) == "-6.3%"
    rates = pl.DataFrame({"rate": [n / d for n, d in SHARES]})
    table = for_display(rates)["Rate (%)"].to_list()
    for (numerator, denominator), shown in zip(SHARES, table, strict=True):
        value = numerator / denominator
        for decimals in (0, 1):
            want = _half_up(numerator, denominator, decimals)
            assert formatting.percent(value, decimals) == f"{want}%", (numerator, denominator)
        assert Decimal(repr(shown)) == _half_up(numerator, denominator, 1), (numerator, denominator)
