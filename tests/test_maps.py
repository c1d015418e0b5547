"""Map figures (maps.py): choropleths and hot/cold spot markers drawn offline from ward polygons."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import polars as pl

from stalking_profile import geography, map_panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter


def test_hot_and_cold_spots_are_marked_by_shape(demo_gateway: Gateway) -> None:
    """Fault 9: hot and cold spots were told apart by colour alone."""
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", correct=False)
    hot = view.wards.filter(pl.col("hotspot").str.contains("Hot spot")).height
    assert hot > 0
    markers = {
        trace.marker.symbol: len(trace.lon)
        for trace in view.hotspot_figure.data
        if trace.type == "scattergeo" and trace.mode == "markers"
    }
    assert markers["triangle-up"] == hot


def test_a_category_map_carries_each_ward_outline_once(demo_gateway: Gateway) -> None:
    """Each category's trace carries the outlines of its own wards only (it drew only those; it
    carried every ward's, once per category), so the map holds each outline once, as drawn;
    copies of the figure share the outlines instead of copying them."""
    import copy

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", correct=False)
    traces = [trace for trace in view.hotspot_figure.data if trace.type == "choropleth"]
    assert len(traces) > 1
    outlines = {feature["id"]: feature for feature in geometry.geojson["features"]}
    drawn: list[str] = []
    for trace in traces:
        ids = [feature["id"] for feature in trace.geojson["features"]]
        assert sorted(ids) == sorted(trace.locations)
        assert all(feature == outlines[feature["id"]] for feature in trace.geojson["features"])
        drawn += ids
    assert sorted(drawn) == sorted(view.wards["ward_code"]) == sorted(outlines)
    copied = copy.deepcopy(view.hotspot_figure.to_dict())
    assert copied["data"][0]["geojson"] is traces[0].geojson


def test_ward_rates_carry_exact_intervals_and_a_funnel(demo_gateway: Gateway) -> None:
    """Issue 12: exact Poisson intervals per 1,000 and a Spiegelhalter funnel plot, so a small
    ward's high rate is read against its size."""
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", correct=True)
    top = view.top_wards
    assert (top["rate_lower"] <= top["rate_per_1000"]).all()
    assert (top["rate_per_1000"] <= top["rate_upper"]).all()
    assert set(top["funnel"]) <= {
        "above the 99.8% limit",
        "above the 95% limit",
        "within the limits",
        "below the 95% limit",
        "below the 99.8% limit",
    }
    names = {trace.name for trace in view.funnel_figure.data}
    assert {"99.8% limits", "95% limits", "Rate of the whole area"} <= names


def test_top_wards_that_tie_are_ranked_by_ward_code(demo_gateway: Gateway) -> None:
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "offences", correct=True)
    top = view.top_wards
    assert top["rank"].to_list() == list(range(1, top.height + 1))
    ties = top.group_by("offences").agg(pl.col("ward_code"), pl.len()).filter(pl.col("len") > 1)
    assert ties.height > 0  # the demo has wards with the same count
    for codes in ties["ward_code"]:
        assert codes.to_list() == sorted(codes)


def test_top_wards_rank_only_the_rates_published(demo_gateway: Gateway) -> None:
    """ONS style, Calderdale, July to September 2021: a ward's rate is withheld beside a
    previous count under 10, and the ranks were worked out before that, so Northowram and
    Shelf's 20 offences were ranked 9th, below Ovenden's 10 with its rate shown. Only wards
    whose rate is shown are ranked, highest first; the rest follow, unranked. And a ward's
    rate is now withheld only with its own count (a blank rate beside a shown count said the
    previous period's withheld count was small: test_disclosure.py), so every ward whose
    offences are shown is ranked."""
    from stalking_profile.access import Access

    reader = demo_gateway.scoped(Access.command_line().for_publication().with_threshold(10, 5))
    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",))
    geometry = geography.ward_geometry(reader, flt.districts)
    top = map_panels.hotspot_panel(reader, flt, geometry, "rate", correct=True).top_wards
    ranked = top.filter(pl.col("rank").is_not_null())
    assert top.filter(pl.col("offences").is_not_null())["rank"].null_count() == 0
    assert ranked.height < top.height  # some wards withheld, last and unranked
    assert ranked["rate_per_1000"].null_count() == 0
    assert ranked["rank"].to_list() == list(range(1, ranked.height + 1))
    assert ranked["rate_per_1000"].to_list() == sorted(ranked["rate_per_1000"], reverse=True)
    assert top["rank"].head(ranked.height).to_list() == ranked["rank"].to_list()


def test_funnel_limits_narrow_as_wards_grow() -> None:
    from stalking_profile.measures import funnel

    limits = funnel.funnel_limits(3.0, np.array([1000.0, 10000.0, 100000.0]))
    widths = (limits["upper_99.8%"] - limits["lower_99.8%"]).to_list()
    assert widths[0] > widths[1] > widths[2]
    assert all(
        lo <= 3.0 <= hi for lo, hi in zip(limits["lower_95%"], limits["upper_95%"], strict=True)
    )
    positions = funnel.funnel_position(np.array([60.0, 3.0]), np.array([10000.0, 1000.0]), 3.0)
    assert positions == ["above the 99.8% limit", "within the limits"]


def test_no_funnel_limit_runs_below_a_rate_of_zero() -> None:
    """Trends, 12 months to April 2018 (one month of data): the districts' funnel drew its
    99.8% lower limit below 0 offences per 1,000 at the small end. By hand: 5,000 residents at
    0.1 per 1,000 expect 0.5 offences; the 0.1% quantile is 0, and the interpolation gave
    0 - 1 + 0.001 x e^0.5 = -0.998 offences, -0.2 per 1,000."""
    from stalking_profile.measures.funnel import funnel_limits

    limits = funnel_limits(0.1, np.array([5000.0, 50_000.0]))
    assert limits["lower_99.8%"][0] == 0.0
    lower = limits.select(pl.col("^lower_.*$")).to_numpy()
    assert (lower >= 0).all()
    # 50,000 residents expect 5: the 0.1% quantile is 0 there too, and the 2.5% one is 1
    assert limits["lower_95%"][1] > 0


def test_wards_with_no_offences_anywhere_are_within_the_limits() -> None:
    """An area rate of 0 gave limits just below 0, so every ward's 0 read "above the 99.8%
    limit" (seen on a filter of no offences before the empty-filter check knew the DA choice)."""
    from stalking_profile.measures.funnel import funnel_limits, funnel_position

    sizes = np.array([5000, 8000])
    limits = funnel_limits(0.0, sizes)
    assert limits.drop("population", "area_rate").to_numpy().tolist() == [[0.0] * 4] * 2
    assert funnel_position(np.array([0, 0]), sizes, 0.0) == ["within the limits"] * 2


def test_the_maps_caption_says_what_it_cannot_place_even_when_withheld(
    demo_gateway: Gateway,
) -> None:
    """Publication mode may withhold the offences of no known ward or the period's offences
    (the page raised an error formatting None); the caption then says what it can."""
    from dataclasses import replace

    from stalking_profile.access import Access, Role

    commissioner = demo_gateway.scoped(Access.for_role("x", Role.COMMISSIONER))
    flt = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(commissioner, flt, geometry, "rate", True)
    assert view.unknown_ward_offences is None  # 3 offences of no ward: withheld
    assert view.unknown_ward_note == (
        "Offences with no ward recorded, or a ward with no boundary loaded, are not mapped (how "
        "many is withheld)."
    )
    assert replace(view, unknown_ward_offences=12, offences=None).unknown_ward_note == (
        "12 offences have no ward recorded, or a ward with no boundary loaded, and are not mapped."
    )
    assert replace(view, unknown_ward_offences=12, offences=1200).unknown_ward_note == (
        "12 of 1,200 offences have no ward recorded, or a ward with no boundary loaded, and are "
        "not mapped."
    )
    assert replace(view, unknown_ward_offences=0).unknown_ward_note == ""


def test_the_emerging_hotspots_table_heads_its_category_as_such(demo_gateway: Gateway) -> None:
    """The emerging category ("New hot spot", ...) was in a column named "category", which
    every table and download heads "DA / non-DA"."""
    from stalking_profile import tables
    from stalking_profile.measures import hotspots

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("CD", "KD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    panel = map_panels.emerging_panel(demo_gateway, flt, geometry, date(2018, 4, 1))
    shown = tables.for_display(panel.table)
    assert "DA / non-DA" not in shown.columns
    categories = set(shown["Emerging hotspot category"].to_list())
    assert categories and categories <= set(hotspots.EMERGING_ORDER)


def test_a_map_of_wards_with_no_offences_starts_its_colours_at_0(demo_gateway: Gateway) -> None:
    """A commissioner's map of Calderdale where every ward shown had no offences: Plotly's own
    colour range ran from -0.4 to 0.4, so those wards were drawn mid-scale, as if they had
    offences. Colours start at 0; the top is the largest value shown (1 where that is 0)."""
    from stalking_profile import maps

    geometry = geography.ward_geometry(demo_gateway, ("CD",))
    codes = [feature["id"] for feature in geometry.geojson["features"]]
    values = pl.DataFrame(
        {
            "ward_code": codes,
            "ward_name": codes,
            "district_code": ["CD"] * len(codes),
            "offences": [0] * len(codes),
            "rate": [0.0] * len(codes),
        }
    )
    trace = maps.choropleth_figure(geometry, values, "rate", "Rate", "per 1,000").data[0]
    assert (trace.zmin, trace.zmax) == (0, 1)
    values = values.with_columns(pl.Series("offences", [3] + [0] * (len(codes) - 1)))
    trace = maps.choropleth_figure(geometry, values, "offences", "Offences", "offences").data[0]
    assert (trace.zmin, trace.zmax) == (0, 3)


def test_offences_of_a_ward_with_no_boundary_are_counted_off_the_map(demo_db_path, tmp_path):
    """An audit: 7 of Calderdale's offences (January to March 2021) with a ward code no loaded
    boundary has were neither on the map nor in its caption: "2 of 97 offences have no known
    ward" beside wards that summed to 88. They are the offences the map cannot place; the
    Data quality page counts the two kinds apart (2 with no ward, 7 not among the boundaries)."""
    import shutil

    import duckdb

    from stalking_profile.access import Access, Role
    from stalking_profile.db import connect
    from stalking_profile.store import refresh_marts

    path = tmp_path / "profile.duckdb"
    shutil.copy(demo_db_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE offence SET ward_code = 'E05999999' WHERE crime_ref IN (SELECT crime_ref "
            "FROM offence WHERE district_code = 'CD' AND offence_type = 'stalking' AND "
            "recorded_date BETWEEN DATE '2021-01-01' AND DATE '2021-03-31' AND ward_code IS NOT "
            "NULL ORDER BY crime_ref LIMIT 7)"
        )
    writer = connect(path, read_only=False)
    refresh_marts(writer)
    writer.close()
    gateway = connect(path, read_only=True)
    try:
        flt = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("CD",))
        geometry = geography.ward_geometry(gateway, flt.districts)
        view = map_panels.hotspot_panel(gateway, flt, geometry, "offences", True)
        assert (view.unknown_ward_offences, view.offences) == (9, 97)
        assert view.wards["offences"].sum() + 9 == 97
        assert view.unknown_ward_note.startswith("9 of 97 offences have no ward recorded")
        commissioner = gateway.scoped(Access.for_role("x", Role.COMMISSIONER))
        shown = map_panels.hotspot_panel(commissioner, flt, geometry, "offences", True)
        assert shown.unknown_ward_offences in (None, 9)  # protected with the wards it sums with
    finally:
        gateway.close()


def test_the_emerging_map_says_which_wards_have_no_population() -> None:
    """A ward with no population takes each quarter's mean rate (hotspots.period_rates): the
    map's captions say how many do, and that their categories say nothing of them."""
    from datetime import date

    import plotly.graph_objects as go

    from stalking_profile.map_panels import EmergingPanel

    panel = EmergingPanel(pl.DataFrame(), go.Figure(), [date(2021, 1, 1)], no_population=2)
    assert any(n.startswith("2 wards have no population recorded") for n in panel.notes)
    assert not any(
        "no population" in n
        for n in EmergingPanel(pl.DataFrame(), go.Figure(), [date(2021, 1, 1)]).notes
    )


def test_emerging_hot_and_cold_spots_are_marked_by_shape(demo_gateway: Gateway) -> None:
    """The emerging categories ("New hot spot", "Persistent cold spot") are in lower case, and
    the markers looked for "Hot spot": the emerging map drew no triangle, so hot and cold
    were told apart by colour alone (helper 52's accessibility audit)."""
    from stalking_profile import maps

    geometry = geography.ward_geometry(demo_gateway, ("CD",))
    codes = geometry.wards["ward_code"].to_list()[:4]
    values = pl.DataFrame(
        {
            "ward_code": codes,
            "ward_name": geometry.wards["ward_name"].to_list()[:4],
            "district_code": ["CD"] * 4,
            "category": [
                "New hot spot",
                "Oscillating hot spot",
                "Persistent cold spot",
                "No pattern detected",
            ],
            "offences": [5, 6, 7, 8],
            "rate": [1.0, 2.0, 3.0, 4.0],
        }
    )
    figure = maps.emerging_figure(geometry, values, "Emerging")
    markers = {
        trace.marker.symbol: list(trace.text)
        for trace in figure.data
        if trace.type == "scattergeo" and trace.mode == "markers"
    }
    names = values["ward_name"].to_list()
    assert markers == {"triangle-up": names[:2], "triangle-down": [names[2]]}
    # edged in white: a dark triangle on a consecutive hot spot's dark red was lost
    edges = {
        (t.marker.color, t.marker.line.color, t.marker.line.width)
        for t in figure.data
        if t.type == "scattergeo" and t.mode == "markers"
    }
    assert edges == {("#222222", "white", 1.5)}


def test_the_funnel_note_says_when_far_more_wards_are_beyond_its_limits_than_chance_puts(
    demo_gateway: Gateway,
) -> None:
    """The note said wards beyond the 99.8% limits "stand out more than chance would explain"
    beside dozens of them, where chance puts a fraction of one (helper 53: 42 of 124)."""
    import re

    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", correct=False)
    beyond = view.wards.filter(pl.col("funnel").str.contains("99.8%")).height
    assert beyond > 10
    said = re.search(r"Here (\d+) of the 124 wards lie beyond the 99\.8% limits", view.funnel_note)
    assert said and int(said.group(1)) == beyond
    few = pl.DataFrame({"funnel": ["within 95%"] * 120 + ["above the 99.8% limit"] * 2})
    assert map_panels.funnel_note(few) == map_panels.FUNNEL_NOTE


def test_a_comparison_layers_title_gives_each_sides_period(demo_gateway: Gateway) -> None:
    """The comparison layer covers its own months (the demo's: Oct 2020 to Sep 2021), not
    the filter's, and only the layer's were said (helper 53)."""
    from stalking_profile import queries

    layer = queries.comparison_layers(demo_gateway)["layer"][0]
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    comparisons = map_panels.correspondence_panel(demo_gateway, flt, geometry, layer)
    assert comparisons[-1].title.startswith("Stalking (Feb 2021 to Jan 2022) and ")
    assert comparisons[-1].title.endswith("(Oct 2020 to Sep 2021)")
    # under a DA choice, each side names it (helper 71: DA stalking and DA harassment were
    # titled "Stalking and Harassment")
    da = map_panels.correspondence_panel(
        demo_gateway, dataclasses.replace(flt, domestic="domestic"), geometry, layer
    )
    assert [c.title.split(" (")[0] for c in da][:2] == [
        "DA stalking and DA harassment",
        "DA stalking and Non-DA stalking",
    ]
    assert da[-1].title.startswith("DA stalking (Feb 2021 to Jan 2022) and ")


def test_poisson_quantiles_are_scipys() -> None:
    """The funnel's quantiles, stepped to from a normal approximation, are scipy's own
    (`poisson.ppf`) for the tails the funnel uses and for means from near 0 to a million: the
    limits, and so every ward's place on the funnel, are the numbers they were."""
    from scipy.stats import poisson

    from stalking_profile.measures.funnel import LIMITS, poisson_quantile

    means = np.concatenate(
        [
            [0.0, 1e-9, 0.5, 1.0, 2.0, 10.0, 100.0],
            np.logspace(-6, 6, 20_000),
            np.random.default_rng(7).uniform(0, 60, 20_000),
        ]
    )
    for level in LIMITS.values():
        tail = (1 - level) / 2
        for p in (tail, 1 - tail):
            np.testing.assert_array_equal(poisson_quantile(p, means), poisson.ppf(p, means))


def test_a_wards_place_on_the_funnel_is_read_against_its_own_limits() -> None:
    """Each ward's place, worked out for all wards at once, is the first of above 99.8%,
    above 95%, below 99.8%, below 95% that its rate meets against the limits for its size (a
    loop over the wards, by hand), or unknown with no residents."""
    from stalking_profile.measures.funnel import funnel_limits, funnel_position

    rng = np.random.default_rng(11)
    population = np.concatenate([rng.integers(500, 20_000, 400).astype(float), [0.0]])
    offences = rng.poisson(population / 1000 * rng.choice([0.5, 2.0, 8.0], population.size))
    limits = funnel_limits(2.0, population).iter_rows(named=True)
    expected = []
    for count, people, limit in zip(offences, population, limits, strict=True):
        rate = count / people * 1000 if people > 0 else None
        if rate is None:
            expected.append("unknown population")
        elif rate > limit["upper_99.8%"]:
            expected.append("above the 99.8% limit")
        elif rate > limit["upper_95%"]:
            expected.append("above the 95% limit")
        elif rate < limit["lower_99.8%"]:
            expected.append("below the 99.8% limit")
        elif rate < limit["lower_95%"]:
            expected.append("below the 95% limit")
        else:
            expected.append("within the limits")
    assert len(set(expected)) >= 5  # every place is met
    assert funnel_position(offences.astype(float), population, 2.0) == expected


def test_a_wards_change_is_per_day_where_the_periods_lengths_differ(demo_gateway: Gateway) -> None:
    """Helper 59: Wakefield's non-DA wards, January to June 2019 (181 days) against July to
    December 2018 (184), changed by their counts (-33.3%) where the Overview's change of the
    same kind of counts is per day (-32.2%). A ward's change is now per day, as every change
    on the dashboard is, and the map says so; equal periods are unchanged."""
    flt = ProfileFilter(date(2019, 1, 1), date(2019, 6, 1), ("WD",), "non_domestic", ("stalking",))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "offences", correct=False)
    rows = view.top_wards.filter(pl.col("previous_offences") > 0).iter_rows(named=True)
    checked = [
        (row["change_pct"], (row["offences"] / 181) / (row["previous_offences"] / 184) * 100 - 100)
        for row in rows
    ]
    assert len(checked) > 5
    assert all(abs(shown - per_day) < 1e-9 for shown, per_day in checked), checked[:3]
    assert "per day: the period's 181 days against the 184 of Jul 2018 to Dec 2018" in " ".join(
        view.map_notes
    )
    year = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("WD",), "all", ("stalking",))
    whole_year = map_panels.hotspot_panel(demo_gateway, year, geometry, "offences", correct=False)
    assert whole_year.change_note == ""
    rows = whole_year.top_wards.filter(pl.col("previous_offences") > 0).iter_rows(named=True)
    assert all(
        abs(r["change_pct"] - (r["offences"] / r["previous_offences"] * 100 - 100)) < 1e-9
        for r in rows
    )


def test_the_emerging_map_is_subtitled_with_its_quarters_span(demo_gateway: Gateway) -> None:
    """Helper 86: under "Emerging hotspots over 15 quarters to Jan 2022" the subtitle gave the
    filter's period, "Feb 2021 to Jan 2022", not the quarters' span from May 2018."""
    flt = ProfileFilter(date(2021, 2, 1), date(2022, 1, 1), ("CD",))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    figure = map_panels.emerging_panel(demo_gateway, flt, geometry, date(2018, 4, 1)).figure
    text = figure.layout.title.text  # publication mode's: test_disclosure's emerging tests
    assert "15 quarters to Jan 2022" in text and "May 2018 to Jan 2022" in text, text
    assert "Feb 2021" not in text


def test_a_map_with_no_whole_period_before_says_why_its_changes_are_blank(
    demo_gateway: Gateway,
) -> None:
    """Helper 89: the map of the data's first quarter (April to June 2018) left every ward's
    previous period and change blank without a word, where the Overview and Trends said there
    was nothing to compare with; a year from July 2018 has only part of the year before."""
    districts = ("BD", "CD", "KD", "LD", "WD")
    geometry = geography.ward_geometry(demo_gateway, districts)

    def notes(start: date, end: date) -> list[str]:
        flt = ProfileFilter(start, end, districts)
        view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "rate", True)
        assert view.wards["previous_offences"].null_count() in (0, view.wards.height)
        return view.map_notes

    first = notes(date(2018, 4, 1), date(2018, 6, 1))
    assert (
        "No comparison: the data hold none of the equal period before. A ward's previous "
        "period and change are blank." in first
    )
    assert any(
        "only part of the equal period before (Apr 2018 to Jun 2018)" in n
        for n in notes(date(2018, 7, 1), date(2019, 6, 1))
    )
    assert not any("blank" in n for n in notes(date(2021, 1, 1), date(2021, 12, 1)))


def test_the_wards_previous_period_says_what_it_leaves_out(demo_gateway: Gateway) -> None:
    """The wards' previous-period counts add up only to the offences placed on a ward: for
    the force's year to September 2021 they added to 3,217 where Trends gave the year before
    3,286, and nothing said why. The caption now gives the 69 left out, and a commissioner's
    page, where that count is withheld, says so."""
    from stalking_profile import panels
    from stalking_profile.access import Access, Role

    districts = ("BD", "CD", "KD", "LD", "WD")
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), districts)
    geometry = geography.ward_geometry(demo_gateway, districts)
    view = map_panels.hotspot_panel(demo_gateway, flt, geometry, "offences", True)
    trends = panels.trends_comparison(demo_gateway, flt).table
    force = trends.filter((pl.col("district_code") == "Force") & (pl.col("category") == "all"))
    previous = int(force["previous"].item())
    assert (view.previous_unknown_ward_offences, view.previous_offences) == (69, previous)
    assert view.wards["previous_offences"].sum() + 69 == previous == 3286
    note = (
        "The wards' previous-period counts leave out 69 of that period's 3,286 offences: they "
        "had no ward recorded, or a ward with no boundary loaded."
    )
    assert note in view.map_notes
    assert note in view.top_wards_note

    quarter = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",))
    calderdale = geography.ward_geometry(demo_gateway, ("CD",))
    commissioner = demo_gateway.scoped(Access.for_role("x", Role.COMMISSIONER))
    shown = map_panels.hotspot_panel(commissioner, quarter, calderdale, "offences", True)
    assert shown.previous_unknown_ward_offences is None  # 1 offence of no ward: withheld
    assert "(how many is withheld)" in shown.previous_unknown_note
    assert shown.previous_unknown_note in shown.top_wards_note

    first = ProfileFilter(date(2018, 4, 1), date(2018, 6, 1), districts)  # none before it
    notes = map_panels.hotspot_panel(demo_gateway, first, geometry, "offences", True).map_notes
    assert not any("leave out" in note for note in notes)


def test_the_packs_ward_map_is_the_pages_in_publication_mode(demo_gateway: Gateway) -> None:
    """The meeting pack draws the page's ward map without protecting the previous period the
    page's top wards show (`ward_map`): the same wards withheld, the same picture, under both
    rules (Calderdale, September 2021: wards withheld)."""
    from stalking_profile.access import Access, Role
    from stalking_profile.linked_figures import WITHHELD_WARDS

    flt = ProfileFilter(date(2021, 9, 1), date(2021, 9, 1), ("CD",))
    geometry = geography.ward_geometry(demo_gateway, flt.districts)
    commissioner = Access.for_role("x", Role.COMMISSIONER)
    for access in (commissioner, commissioner.with_threshold(10, 5)):
        gateway = demo_gateway.scoped(access)
        page = map_panels.hotspot_panel(gateway, flt, geometry, "offences", True).map_figure
        pack = map_panels.ward_map(gateway, flt, geometry, "offences")
        assert pack.to_plotly_json() == page.to_plotly_json()
        assert any((trace.name or "").startswith(WITHHELD_WARDS) for trace in pack.data)
    exact = map_panels.ward_map(demo_gateway, flt, geometry, "offences")
    assert not any((trace.name or "").startswith(WITHHELD_WARDS) for trace in exact.data)
