"""The meeting pack (issue 15): a PowerPoint deck with native charts and a PDF of the same
content, key findings in words, and in publication mode no small number anywhere."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from stalking_profile import panels, queries
from stalking_profile.access import Access
from stalking_profile.disclosure import audit
from stalking_profile.filters import ProfileFilter
from stalking_profile.linked_protection import protect as protect_pack
from stalking_profile.linked_tables import published_counts
from stalking_profile.pack import findings
from stalking_profile.pack.build import build, pack_content, pack_filter
from stalking_profile.pack.charts import ROLLING_AVERAGE, pack_charts
from stalking_profile.pack.content import pack_tables

TITLES = [
    "Stalking problem profile: West Yorkshire demonstration force (synthetic)",
    "Headline figures",
    "Key findings",
    "Offences by month, DA and non-DA, with the average per month over 12 months (the rolling "
    "12-month total ÷ 12)",
    "Statistical process control: offences by month, Oct 2018 to Sep 2021",
    "Risk and flags: DA against non-DA",
    "Outcome groups: share of offences",
    "Offences by district: this period and the previous",
    "Offences by ward",
    "Data quality: read the figures with these in mind",
]
SMALL = re.compile(r"(?<![\w.,\-/:])([1-4])(?![\w.,%\-/:])")


@pytest.fixture(scope="module")
def force_pack(demo_gateway):
    flt, area = pack_filter(demo_gateway, "force", date(2020, 10, 1), date(2021, 9, 1))
    return build(demo_gateway, flt, area, Access.command_line()), flt


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (
            date(2017, 1, 1),
            date(2017, 12, 1),
        ),  # before the data: "the period ends before it starts"
        (date(2030, 1, 1), date(2030, 12, 1)),  # after them: a pack of zeros, as if none
        (date(2017, 1, 1), date(2019, 3, 1)),
    ],
)
def test_a_pack_for_months_the_data_do_not_cover_is_refused_and_says_why(demo_gateway, start, end):
    info = queries.dataset_info(demo_gateway)
    with pytest.raises(ValueError, match=r"the data run from April 2018 to \w+ \d{4}: choose"):
        pack_filter(demo_gateway, "CD", start, end)
    assert info.first_month == date(2018, 4, 1)


@pytest.fixture(scope="module")
def calderdale_publication_pack(demo_gateway):
    flt, area = pack_filter(demo_gateway, "CD", domestic="non_domestic")
    return build(demo_gateway, flt, area, Access.command_line().for_publication())


def _texts(deck, notes: bool = True) -> list[str]:
    """The text of every shape and table cell, and the speaker notes unless `notes` is off."""
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if notes:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return texts


def _series(deck) -> dict[str, dict[str, tuple]]:
    found = {}
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.CHART:
                found[slide.shapes.title.text] = {
                    s.name: s.values for s in shape.chart.plots[0].series
                }
    return found


def test_the_force_pack_has_its_slides_native_charts_and_notes(force_pack):
    pack, _ = force_pack
    deck = Presentation(io.BytesIO(pack.pptx))
    assert [slide.shapes.title.text for slide in deck.slides] == TITLES
    series = _series(deck)
    assert set(series) == set(TITLES[3:7])  # native, editable charts; the map is a picture
    spc = series[TITLES[4]]
    # the chart's own 36 months in its title, each segment's lines apart and the special
    # causes marked, as the Trends page draws them (helper 83: one line joined April 2020's
    # recalculation, under the pack's 12 months, with none of the page's signals)
    lines = ("Mean", "Upper process limit", "Lower process limit")
    assert set(spc) == {
        "Offences",
        *lines,
        *(f"{line} (to Mar 2020)" for line in lines),
        "Special cause: higher",
        "Special cause: lower",
    }
    assert spc["Mean (to Mar 2020)"][17] is not None and spc["Mean (to Mar 2020)"][18] is None
    assert spc["Mean"][17] is None and spc["Mean"][18] is not None  # April 2020 on
    marked = [v for v in spc["Special cause: higher"] if v is not None]
    assert 652 in marked and 831 in marked
    trend = series[TITLES[3]]
    assert sum(trend["DA"]) + sum(trend["Non-DA"]) == 6129
    # the line is the rolling total / 12, named so: the pack's 511 is not the dashboard's
    # rolling 12-month total (6,129 to September 2021) under the same name
    assert round(trend["Average per month over 12 months, all offences charted"][-1] * 12) == 6129
    notes = deck.slides[1].notes_slide.notes_text_frame.text
    assert "Definitions" in notes and "\nOutcome 16 rate: offences whose latest outcome" in notes
    assert "Offences: Offences:" not in notes  # each definition named once
    findings_text = " ".join(_texts(deck))
    assert "6,129 stalking offences were recorded from Oct 2020 to Sep 2021." in findings_text
    assert "That is a rise of 86.5% on the previous equal period (3,286)" in findings_text
    assert (
        "Sep 2021 (647 offences) is a special cause, higher than common-cause variation allows "
        "(process limits 286 to 683); 23 of the 36 months from Oct 2018 to Sep 2021 are "
        "special cause on the chart." in findings_text
    )
    # the previous period, Oct 2019 to Sep 2020, runs across April 2020's rule change: the pack
    # says so beside the rise, as the Overview and Trends pages do
    assert (
        "The change on the previous period straddles a counting-rule change (April 2020: "
        "Former-partner conduct recorded as stalking): part of it is the rule, not behaviour."
    ) in findings_text
    assert "SYNTHETIC DATA" in findings_text
    # the tables in the dashboard's words, counts with thousands separators
    headline = deck.slides[1].shapes[-1].table
    assert [cell.text for cell in headline.rows[0].cells] == [
        "Figure", "Value", "Offences counted", "Out of", "95% interval"
    ]  # fmt: skip
    quality = deck.slides[-1].shapes[-1].table
    header = [cell.text for cell in quality.rows[0].cells]
    assert header == ["Measure", "Offences counted", "Out of", "Rate"]
    counts = [row.cells[2].text for row in list(quality.rows)[1:]]
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", count) for count in counts), counts
    assert any("," in count for count in counts)


def test_the_pack_gives_the_trends_pages_district_table(force_pack, demo_gateway):
    """The problem profile's heart is its table of DA and non-DA offences by district against
    the previous period; a pack had only the force's figures. Its slide gives each district's
    and the force's, as the Trends page's table has them, and what they are compared with."""
    pack, flt = force_pack
    deck = Presentation(io.BytesIO(pack.pptx))
    rows = _tables_of(deck, "Offences by district")
    assert rows[0] == ["District", "DA", "Non-DA", "DA and non-DA", "Previous period", "Change"]
    table = panels.trends_comparison(demo_gateway, flt).table
    counts = {(r["district_code"], r["category"]): r for r in table.iter_rows(named=True)}
    areas = ["BD", "CD", "KD", "LD", "WD", "Force"]
    assert [row[0].split(" ")[0] for row in rows[1:]] == areas
    for area, row in zip(areas, rows[1:], strict=True):
        shown = [int(cell.replace(",", "")) for cell in row[1:5]]
        assert shown == [
            counts[area, "domestic"]["current"],
            counts[area, "non_domestic"]["current"],
            counts[area, "all"]["current"],
            counts[area, "all"]["previous"],
        ]
    assert rows[-1][1:] == ["5,669", "460", "6,129", "3,286", "+86.5%"]  # the Overview's
    assert rows[2][0] == "CD Calderdale"
    slide = next(s for s in deck.slides if s.shapes.title.text.startswith("Offences by district"))
    assert any(
        "Compared with the equal period before: Oct 2019 to Sep 2020" in t for t in _texts_of(slide)
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.pdf)).pages)
    assert "Offences by district" in text and "CD Calderdale" in text


def test_a_publication_packs_district_table_withholds_as_its_protection_says(demo_gateway):
    """The force's pack for September 2021 in publication mode: its districts' DA and non-DA
    counts are protected with the rest of the pack (the pages' and the pack's own step), so
    no count under 5 is shown, some are withheld, and a change beside a withheld count is
    withheld with it."""
    flt, area = pack_filter(demo_gateway, "force", date(2021, 9, 1), date(2021, 9, 1))
    pack = build(demo_gateway, flt, area, Access.command_line().for_publication())
    rows = _tables_of(Presentation(io.BytesIO(pack.pptx)), "Offences by district")
    cells = [cell for row in rows[1:] for cell in row[1:5]]
    assert "suppressed" in cells
    assert not [c for c in cells if c != "suppressed" and int(c.replace(",", "")) < 5]
    for row in rows[1:]:
        if "suppressed" in (row[3], row[4]):
            assert row[5] == "suppressed", row
    exact = panels.trends_comparison(demo_gateway, flt).table  # what the exact pack shows
    assert exact.filter((pl.col("current") < 5) | (pl.col("previous") < 5)).height  # to withhold


def test_the_pdf_holds_the_same_content_as_text(force_pack):
    pack, _ = force_pack
    reader = PdfReader(io.BytesIO(pack.pdf))
    assert len(reader.pages) >= 6
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Headline figures", "Key findings", "6,129", "Data quality", "Definitions"):
        assert expected in text
    assert "OFFICIAL (synthetic demonstration data)" in text


def test_the_pdf_reads_names_as_text_not_markup(force_pack, demo_gateway):
    """Helper 47's trial: a force name with "a<b" or an unclosed "<b>" stopped the pack (a
    reportlab parse error), "<Police>" vanished from the title, and `<img src="/etc/hostname">`
    made the server open that file (and drew a PNG from its disk into the PDF)."""
    from dataclasses import replace

    from stalking_profile.pack.build import pack_content
    from stalking_profile.pack.decks import pdf_bytes

    _, flt = force_pack
    content = pack_content(demo_gateway, flt, "force", Access.command_line())
    name = 'West Yorkshire <Police> & a<b <img src="/etc/hostname" width="9" height="9"/>'
    hostile = replace(content, title=name, charts=[], period=f"{content.period} <b>")
    pdf = PdfReader(io.BytesIO(pdf_bytes(hostile, None)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "West Yorkshire <Police> & a<b <img" in text
    assert all(not page.images for page in pdf.pages)


def test_a_calderdale_non_da_publication_pack_has_no_small_number_anywhere(
    calderdale_publication_pack,
):
    pack = calderdale_publication_pack
    assert pack.publication
    deck = Presentation(io.BytesIO(pack.pptx))
    texts = _texts(deck)
    assert any("Publication mode: non-zero counts under 5 are suppressed" in t for t in texts)
    small_in_text = [(t[:60], m) for t in texts for m in SMALL.findall(t)]
    assert small_in_text == []
    for title, series in _series(deck).items():
        for name, values in series.items():
            if name in ("Mean", "Upper process limit", "Lower process limit"):
                continue
            small = [v for v in values if v is not None and float(v).is_integer() and 1 <= v < 5]
            assert small == [], (title, name)
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.pdf)).pages)
    assert SMALL.findall(pdf_text) == []
    # the findings say which offences: "stalking offences" had read as all of Calderdale's
    assert any(" non-DA stalking offences were recorded from " in t for t in texts)


def test_a_publication_pack_counts_what_the_pages_protection_hid_in_it(demo_gateway):
    """Calderdale, non-DA, July to September 2021: the pages' protection hides seven of the
    pack's counts of 5 or more (DASH completion's 5 among them, and the same months a year
    earlier's 7, since publication mode gives the change on a year earlier; six before it did,
    ten before the counts that later suppressions made needless were shown again, eight
    before the non-DA months were read as the months for both less the DA ones) and the
    pack's own step none;
    the title slide had said secondary suppression "hid no further counts". The chart of DA
    against non-DA has nothing to draw for one choice, and its slide says so."""
    flt, area = pack_filter(demo_gateway, "CD", date(2021, 7, 1), date(2021, 9, 1), "non_domestic")
    shown = pack_content(demo_gateway, flt, area, Access.command_line().for_publication())
    truth = pack_content(demo_gateway, flt, area, Access.command_line())
    dash = {c.headline.filter(figure="DASH completion")["numerator"].item() for c in (truth, shown)}
    assert dash == {"5", "suppressed"}
    assert "then hid seven further counts" in shown.disclosure
    titles = [chart.title for chart in shown.charts]
    assert titles[0] == (
        "Offences by month, non-DA, with the average per month over 12 months (the rolling "
        "12-month total ÷ 12)"
    )
    risk = shown.charts[titles.index("Risk and flags: DA against non-DA")]
    assert risk.empty == (
        "Nothing to chart for this filter: a chart of DA against non-DA needs both in the filter."
    )
    assert [chart.title for chart in truth.charts if chart.empty] == [risk.title]
    deck = Presentation(io.BytesIO(build(demo_gateway, flt, area, Access.command_line()).pptx))
    slide = next(s for s in deck.slides if s.shapes.title.text == risk.title)
    assert any("Nothing to chart" in t for t in _texts_of(slide))


def test_a_packs_da_and_non_da_differ_by_more_than_colour(force_pack, demo_gateway):
    """Helper 52's audit (WCAG 1.4.1): the deck's native charts told DA from non-DA by
    PowerPoint's theme colours alone. Now its bars differ by a fill pattern and its lines by a
    dash and marker too, in the dashboard's colours; the PDF's Plotly charts alike."""
    from pptx.enum.chart import XL_MARKER_STYLE
    from pptx.enum.dml import MSO_FILL_TYPE, MSO_LINE_DASH_STYLE

    from stalking_profile.pack.charts import figure

    pack, flt = force_pack
    deck = Presentation(io.BytesIO(pack.pptx))
    charts = {
        slide.shapes.title.text: shape.chart
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.CHART
    }
    (trend,) = [c for title, c in charts.items() if title.startswith("Offences by month")]
    lines = {s.name: s for s in trend.plots[0].series}
    da, non_da = lines["DA"], lines["Non-DA"]
    assert da.format.line.dash_style != non_da.format.line.dash_style == MSO_LINE_DASH_STYLE.DASH
    assert (da.marker.style, non_da.marker.style) == (
        XL_MARKER_STYLE.CIRCLE,
        XL_MARKER_STYLE.SQUARE,
    )
    assert str(da.format.line.color.rgb) == "D55E00"  # the dashboard's DA colour
    bars = {s.name: s for s in charts["Risk and flags: DA against non-DA"].plots[0].series}
    assert bars["DA"].format.fill.type == MSO_FILL_TYPE.SOLID
    assert bars["Non-DA"].format.fill.type == MSO_FILL_TYPE.PATTERNED
    _, area = pack_filter(demo_gateway, "force", flt.start_month, flt.end_month)
    content = pack_content(demo_gateway, flt, area, Access.command_line())
    drawn = 0
    for chart in content.charts:  # what the PDF draws
        traces = {trace.name: trace for trace in figure(chart).data}
        if not {"DA", "Non-DA"} <= traces.keys():
            continue
        da_trace, non_da_trace = traces["DA"], traces["Non-DA"]
        drawn += 1
        if chart.kind == "bar":
            assert da_trace.marker.pattern.shape != non_da_trace.marker.pattern.shape
        else:
            assert da_trace.line.dash != non_da_trace.line.dash
    assert drawn >= 3


def _texts_of(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_the_scan_finds_small_numbers_when_they_are_there(demo_gateway):
    """The same Calderdale non-DA pack without publication mode has them (the scan can fail)."""
    flt, area = pack_filter(demo_gateway, "CD", domestic="non_domestic")
    pack = build(demo_gateway, flt, area, Access.command_line())
    deck = Presentation(io.BytesIO(pack.pptx))
    values = [
        v
        for series in _series(deck).values()
        for name, vs in series.items()
        if name == "Offences"
        for v in vs
    ]
    assert any(v is not None and 1 <= v < 5 for v in values)


def _tables_of(deck, title: str) -> list[list[str]]:
    slide = next(slide for slide in deck.slides if slide.shapes.title.text.startswith(title))
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_a_pack_writes_no_rate_as_suppressed_or_blank_that_is_not_and_no_limit_below_zero(
    demo_gateway,
):
    """A helper agent's trial. An internal pack for a filter with no offences (Calderdale,
    non-DA, December 2019) wrote every rate "suppressed" beside "no disclosure control
    applied" (the dashboard: "no data"), and its SPC chart a lower limit of -2.8 offences (the
    scorecard: 0.0); a publication pack's Data quality slide left its withheld counts blank,
    where the page writes "suppressed"."""
    flt, area = pack_filter(
        demo_gateway, "CD", date(2019, 12, 1), date(2019, 12, 1), "non_domestic"
    )
    deck = Presentation(io.BytesIO(build(demo_gateway, flt, area, Access.command_line()).pptx))
    headline = {row[0]: row for row in _tables_of(deck, "Headline")}
    assert headline["Arrest rate"][1:4] == ["no data", "0", "0"]
    quality = _tables_of(deck, "Data quality")
    assert {row[3] for row in quality[1:]} == {"no data"}
    assert "suppressed" not in " ".join(_texts(deck))
    spc = next(s for t, s in _series(deck).items() if t.startswith("Statistical process"))
    lower = [v for name, vs in spc.items() if name.startswith("Lower") for v in vs]
    assert min(v for v in lower if v is not None) == 0.0
    flt, area = pack_filter(demo_gateway, "CD", date(2021, 7, 1), date(2021, 9, 1), "non_domestic")
    published = build(demo_gateway, flt, area, Access.command_line().for_publication())
    rows = _tables_of(Presentation(io.BytesIO(published.pptx)), "Data quality")[1:]
    assert any(row[1] == "suppressed" for row in rows)
    assert all(cell for row in rows for cell in row)


def _headline(change: float, p: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": ["offences", "change"],
            "value": [120.0, change],
            "numerator": [120, 120],
            "denominator": [None, 100],
            "lower": [None, None],
            "upper": [None, None],
            "p_value": [None, p],
        }
    )


def test_a_change_is_more_than_chance_only_when_its_test_says_so():
    """A helper agent's trial: a change its test could not tell from chance read "It is little
    changed on the previous equal period (5; -60.0%, which could be chance)", and the same
    beside -100.0%, in a paper's key findings: the figure stands, and the test's verdict."""
    rise = findings.volume(_headline(0.2, 0.01), "in 2021", "stalking")
    assert rise[1].text.startswith("That is a rise of 20.0% on the previous equal period (100)")
    assert "more than chance would give (p = 0.010)" in rise[1].text
    same = findings.volume(_headline(-0.6, 0.2), "in 2021", "stalking")
    assert same[1].text == (
        "That is a fall of 60.0% on the previous equal period (100), which chance could give "
        "(p = 0.200): not evidence of a change."
    )
    assert "little changed" not in same[1].text and "more than chance" not in same[1].text
    level = findings.volume(_headline(0.0, 1.0), "in 2021", "stalking")
    assert level[1].text.startswith("That is no change on the previous equal period (100)")
    fall = findings.volume(_headline(-0.3, 0.0001), "in 2021", "stalking")
    assert "fall of 30.0%" in fall[1].text and "p < 0.001" in fall[1].text


def test_a_change_is_called_more_than_chance_only_where_the_trends_page_marks_it(demo_gateway):
    """A helper agent's trial: the force's fall of 28.4%, October to December 2021 (p = 0.021),
    was "more than chance" in the pack, though the Trends page's table, which controls the
    false discovery rate over its tests of every district, leaves it unmarked (q = 0.086)."""
    flt, area = pack_filter(demo_gateway, "force", date(2021, 10, 1), date(2021, 12, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[1] == (
        "That is a fall of 28.4% on the previous equal period (1,990): p = 0.021 on its own, "
        "but beside the Trends page's tests of every district within what chance gives "
        "(q = 0.086), so not clear evidence of a change."
    )
    trends = panels.trends_comparison(demo_gateway, flt).table.filter(
        district_code="Force", category="all"
    )
    assert trends["significant"].to_list() == [False]  # the page's verdict the pack now gives
    marked = findings.volume(_headline(0.2, 0.01), "in 2021", "stalking", q_value=0.04)
    assert "more than chance would give (p = 0.010)" in marked[1].text


def test_a_packs_short_period_is_also_put_beside_the_same_months_a_year_earlier(demo_gateway):
    """Helper 53: November 2021 to January 2022 read as a fall on the period before, which is
    seasonal: on the same months a year earlier it is a rise. The pack's findings now say both,
    each with its own test; like for like where the data start inside the year earlier."""
    flt, area = pack_filter(demo_gateway, "force", date(2021, 11, 1), date(2022, 1, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[1].startswith("That is a fall of 27.5% on the previous equal period (1,930)")
    assert texts[2] == (
        "On the same months a year earlier (1,060), that is a rise of 32.1%, which chance could "
        "give (p = 0.058): not evidence of a change."
    )
    flt, area = pack_filter(demo_gateway, "force", date(2018, 10, 1), date(2019, 6, 1), "domestic")
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[2].startswith(
        "On the same months a year earlier, like for like (215 from Apr 2019 to Jun 2019 against "
        "215 from Apr 2018 to Jun 2018, the months the data hold in both years), that is no change"
    )
    flt, area = pack_filter(demo_gateway, "force", date(2020, 10, 1), date(2021, 9, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert not any("a year earlier" in text for text in texts)  # its period before is one
    flt, area = pack_filter(demo_gateway, "force", date(2021, 11, 1), date(2021, 11, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert any(text.startswith("On the same month a year earlier (") for text in texts)
    # one month compared like for like (helper 55: "21 from Apr 2019 to Apr 2019")
    flt, area = pack_filter(
        demo_gateway, "force", date(2019, 3, 1), date(2019, 4, 1), "non_domestic"
    )
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert any(
        re.match(
            r"On the same month a year earlier, like for like \([0-9]+ in Apr 2019 against "
            r"[0-9]+ in Apr 2018, the months the data hold in both years\)",
            text,
        )
        for text in texts
    ), texts


def test_the_packs_words_count_one_and_none_and_say_small_numbers(demo_gateway):
    """A helper agent's trial: "1 non-DA stalking offences were recorded in May 2021"; its
    outcome 16 rate of 100% on that one offence, and the data-quality rates, said nothing of
    small numbers (the risk finding did); and the data-quality findings were the first three
    of 10% or more in the table's order, not the largest."""
    flt, area = pack_filter(demo_gateway, "WD", date(2021, 5, 1), date(2021, 5, 1), "non_domestic")
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[0] == "1 non-DA stalking offence was recorded in May 2021."
    assert any(
        t.startswith("In 100% of offences (95% interval 21% to 100%; 1 of 1: small") for t in texts
    )
    quality = [t for t in texts if t.startswith("Data quality")]
    assert quality and all("(1 of 1: small numbers)" in t for t in quality)
    none = findings.volume(
        _headline(0.2, 0.01).with_columns(pl.lit(0).alias("numerator")), "in 2021", "stalking"
    )
    assert none[0].text == "No stalking offences were recorded in 2021."
    force, area = pack_filter(demo_gateway, "force", date(2020, 10, 1), date(2021, 9, 1))
    rates = [
        float(t.rsplit(" - ", 1)[1].split("%")[0])
        for t in (
            f.text for f in pack_content(demo_gateway, force, area, Access.command_line()).findings
        )
        if t.startswith("Data quality")
    ]
    assert rates == sorted(rates, reverse=True) and 17 in rates  # still open: 17%, left out before


def test_a_change_from_no_offences_reads_none_before_not_no_data(demo_gateway):
    """A helper agent's trial: Calderdale's non-DA offences of April 2019 (1) against March's
    (none) read "Change on previous period, per day: no data", as if March were missing."""
    flt = ProfileFilter(date(2019, 4, 1), date(2019, 4, 1), ("CD",), "non_domestic")
    table = panels.overview(demo_gateway, flt, 30, 6).headline_table
    change = table.filter(pl.col("figure").str.starts_with("Change on previous period"))
    assert change["value"].to_list() == ["none before"]


def test_a_change_whose_test_is_withheld_is_not_called_chance():
    """Publication mode withholds a quasi-Poisson test whose monthly counts are withheld; a
    p-value of None read as "could be chance"."""
    withheld = findings.volume(
        _headline(0.2, 0.01).with_columns(pl.lit(None, pl.Float64).alias("p_value")),
        "in 2021",
        "stalking",
    )
    assert withheld[1].text.startswith("That is +20.0% on the previous equal period (100)")
    assert "not published" in withheld[1].text and "chance" in withheld[1].text
    assert "could be chance" not in withheld[1].text


def test_a_suppressed_count_is_never_put_in_words():
    """A user trial: a small count read "Fewer than 5 ... offences", one hidden to protect it
    "A number withheld (it would give a smaller one away)": the words told which was small.
    Both read "suppressed", as in the tables."""
    suppressed = _headline(0.2, 0.01).with_columns(pl.lit(None, pl.Int64).alias("numerator"))
    text = findings.volume(suppressed, "in 2021", "stalking")[0].text
    assert text == "The number of stalking offences recorded in 2021 is suppressed."


def test_the_pack_command_writes_both_files_and_logs_them(tmp_path, demo_db_path):
    import shutil

    from stalking_profile.operational import audit, open_store
    from tests.conftest import run_cli

    database = tmp_path / "profile.duckdb"
    shutil.copy(demo_db_path, database)
    result = run_cli(
        "pack",
        "force",
        "--from",
        "2020-10",
        "--to",
        "2021-09",
        "--out",
        tmp_path / "force-pack",
        "--db",
        database,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "force-pack.pptx").stat().st_size > 50_000
    assert (tmp_path / "force-pack.pdf").read_bytes()[:5] == b"%PDF-"
    store = open_store(f"sqlite:///{tmp_path / 'profile.operational.sqlite'}")
    trail = audit.events(store, Access.command_line())
    assert trail["action"].to_list() == ["pack", "pack"]
    assert "sha256" in trail["detail"][0] and "internal" in trail["detail"][0]
    refused = run_cli("pack", "ZZ", "--out", tmp_path / "x", "--db", database)
    assert refused.returncode == 2 and "no district 'ZZ'" in refused.stderr
    # for publication, the force's pack only: a district's beside the force's for the same
    # period gives withheld counts back (publication.unpublishable)
    district = run_cli("pack", "CD", "--publication", "--out", tmp_path / "cd", "--db", database)
    assert district.returncode == 2
    assert "a pack for publication covers the whole force, not one district (CD)" in (
        district.stderr
    )
    assert not (tmp_path / "cd.pptx").exists()


def test_a_publication_pack_is_the_forces(app_test, demo_gateway):
    """Publication mode shows the whole force: the Export page offers the force's pack only,
    and the package refuses a district's for publication (a district's pages beside the
    force's gave withheld counts back: helper 42)."""
    at = app_test(role="commissioner", require_login=True).run()
    at.switch_page("app_pages/export.py").run()
    area = at.selectbox(key="pack_area")
    assert area.options == ["Force"] and area.value == "force"
    lead = app_test(role="strategic", require_login=True).run()
    lead.switch_page("app_pages/export.py").run()
    assert len(lead.selectbox(key="pack_area").options) == 6  # the force and five districts
    with pytest.raises(ValueError, match="covers the whole force"):
        pack_filter(demo_gateway, "CD", publication=True)
    force = queries.dataset_info(demo_gateway).force_name
    assert pack_filter(demo_gateway, "force", publication=True)[1] == force


def test_the_export_page_says_a_pack_counts_stalking_only(app_test):
    """With harassment in the sidebar's filter the pack was still a stalking profile, and the
    page did not say so."""
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}, type="Harassment").run()
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    assert any("stalking offences only" in info.value for info in at.info)


def test_the_export_page_builds_a_pack(app_test):
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}).run()
    at.switch_page("app_pages/export.py").run()
    assert not at.exception and at.title[0].value == "Meeting pack"
    assert not any("stalking offences only" in info.value for info in at.info)
    at.selectbox(key="pack_area").set_value("CD")
    at.button(key="pack_build").click().run(timeout=120)
    assert not at.exception
    assert any("Stalking problem profile: Calderdale: built in" in s.value for s in at.success)
    labels = [button.label for button in at.get("download_button")]
    assert "Download the pack (PPTX)" in labels and "Download the pack (PDF)" in labels
    # the files named for the area, period and DA choice (a download's key holds its name)
    names = {b.proto.id.rsplit("-pack-", 1)[-1] for b in at.get("download_button")}
    stem = "stalking-problem-profile-calderdale_2020-10_2021-09_CD_da-and-non-da_stalking"
    assert {f"{stem}.pptx", f"{stem}.pdf"} <= names
    # publication mode switched on: the pack built without it is not offered (helper 49: it
    # was, unsuppressed, under "small numbers are withheld in every figure")
    at.toggle(key="publication_mode").set_value(True).run()
    assert not [b for b in at.get("download_button") if "pack" in b.label]
    assert any("is not offered: build the pack again" in info.value for info in at.info)
    # and built in publication mode, its files say so (helper 84: the same names as the
    # unsuppressed pack's, which could go out by mistake)
    at.button(key="pack_build").click().run(timeout=180)
    names = {b.proto.id.rsplit("-pack-", 1)[-1] for b in at.get("download_button")}
    stem = "stalking-problem-profile-west-yorkshire-demonstration-force-(synthetic)_2020-10_2021-09"
    assert f"{stem}_all-districts_da-and-non-da_stalking_publication.pdf" in names


def test_the_export_page_builds_the_sidebars_district_unless_told_otherwise(app_test):
    """With Calderdale alone in the sidebar the pack's Area said "Force", and the files were
    named for all districts: a pack of the wrong area for a meeting about Calderdale."""
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}, district="CD Calderdale").run()
    at.switch_page("app_pages/export.py").run()
    assert at.selectbox(key="pack_area").value == "CD"
    assert not any("districts; a pack covers" in info.value for info in at.info)
    at.selectbox(key="pack_area").set_value("force").run()
    assert at.selectbox(key="pack_area").value == "force"  # a choice made here stays
    two = app_test(
        **{"from": "Oct 2020", "to": "Sep 2021"}, district=["CD Calderdale", "KD Kirklees"]
    ).run()
    two.switch_page("app_pages/export.py").run()
    assert two.selectbox(key="pack_area").value == "force"
    assert any(
        "The sidebar selects 2 districts; a pack covers the force or one district" in info.value
        for info in two.info
    )


def test_the_export_page_says_why_a_pack_could_not_be_built(app_test, monkeypatch):
    from stalking_profile import images

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setattr(images, "_RENDERER", images._Renderer())
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}).run()
    at.switch_page("app_pages/export.py").run()
    at.button(key="pack_build").click().run(timeout=120)
    assert not at.exception and not at.success
    assert [e.value for e in at.error] == [
        "The pack could not be built: Chromium was not found on the server (chromium on the "
        "PATH, or BROWSER_PATH). The server draws its charts with Chromium, which `bash scripts/start` installs."
    ]


def test_the_pack_carries_the_recommendations_tracker(demo_gateway, tmp_path):
    from stalking_profile.operational import open_store
    from stalking_profile.scrutiny import tracker

    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    assert tracker.tracker(store, example=False).is_empty()  # never loaded into a force store
    flt, area = pack_filter(demo_gateway, "force")
    pack = build(
        demo_gateway, flt, area, Access.command_line(), tracker.tracker(store, example=True)
    )
    deck = Presentation(io.BytesIO(pack.pptx))
    last = deck.slides[-1]
    assert last.shapes.title.text == "Recommendations: latest status as stated"
    table = next(shape.table for shape in last.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    # 16 rows and the header, above the note (18 ran under it: helper 83), the rest said
    assert len(rows) == 17 and rows[0] == [
        "No.",
        "Theme",
        "Owner",
        "Latest update",
        "Status as stated",
    ]
    assert ["9", "Data", "force", "2024-06-01", "not stated"] in rows
    table_shape = next(shape for shape in last.shapes if shape.has_table)
    note = next(s for s in last.shapes if s.has_text_frame and "And 2 more" in s.text_frame.text)
    assert table_shape.top + sum(row.height for row in table.rows) <= note.top
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.pdf)).pages)
    assert "Recommendations: latest status as stated" in pdf_text
    # the shipped example says whose it is (helper 46: a real review's 18 recommendations
    # under the demo force's title, unattributed); a force's own tracker needs no such line
    attribution = "Dyfed-Powys Police and Crime Commissioner's review of July 2023"
    assert any(attribution in text for text in _texts(deck, notes=False))
    assert attribution in " ".join(pdf_text.split())
    own = tracker.tracker(store).with_columns(pl.col("text") + " (ours)")
    assert tracker.whose(own) == ""


def test_a_pack_flags_small_numbers_and_signals_as_the_pages_are_set_to(demo_gateway, monkeypatch):
    """A pack was built with a small-number flag under 30 offences and an SPC run of 6
    whatever the deployment set; the pages take STALKING_PROFILE_SMALL_DENOMINATOR and
    STALKING_PROFILE_SPC_RUN, and the pack is now built as they are."""
    flt, _ = pack_filter(demo_gateway, "force")
    default = pack_tables(demo_gateway, flt)
    assert not default.risk["is_small"].all()
    monkeypatch.setenv("STALKING_PROFILE_SMALL_DENOMINATOR", "1000000")
    monkeypatch.setenv("STALKING_PROFILE_SPC_RUN", "9")
    changed = pack_tables(demo_gateway, flt)
    assert changed.risk["is_small"].all() and changed.quality["is_small"].all()
    assert changed.spc.equals(panels.trends_page(demo_gateway, flt, 9, True).control.chart)
    assert not changed.spc.equals(default.spc)


def _publication_tables(demo_gateway, area, domestic="all"):
    gateway = demo_gateway.scoped(Access.command_line().for_publication())
    flt, _ = pack_filter(demo_gateway, area, domestic=domestic)
    return pack_tables(gateway, flt)


@pytest.mark.parametrize("area", ["CD", "WD", "KD"])
def test_the_pages_a_pack_is_built_from_give_no_small_count_back_before_its_own_step(
    demo_gateway, area
):
    """The pack's tables come from the pages. When each page's tables were protected on their
    own, the force's arrests for all (headline) less those for DA (Risk page) pinned a non-DA
    count across the pack. The pages are now protected together, so the tables the pack takes
    from them already keep every small count at least 5 wide."""
    tables = _publication_tables(demo_gateway, area)
    flt, _ = pack_filter(demo_gateway, area, domestic="all")
    truth = pack_tables(demo_gateway.scoped(Access.command_line()), flt)
    true_values = published_counts(truth.named(), "all").values
    small = {key for key, value in true_values.items() if value is not None and 1 <= value < 5}
    assert small
    system = published_counts(tables.named(), "all").system()
    intervals = audit(system, set(), only=small)
    assert intervals and min(high - low + 1 for low, high in intervals.values()) >= 5


@pytest.mark.parametrize(("area", "domestic"), [("force", "all"), ("CD", "all"), ("WD", "all")])
def test_an_attacker_with_the_whole_pack_cannot_narrow_a_suppressed_count(
    demo_gateway, area, domestic
):
    """After it: the audit is rerun from what the pack publishes (its protected tables, read
    afresh), and every count primary suppression hid keeps an interval at least 5 wide (a
    count hidden only to protect another may be recoverable: it is not small)."""
    tables = _publication_tables(demo_gateway, area, domestic)
    protected = protect_pack(tables.named(), domestic, 5)
    assert protected.fewest_values >= 5
    system = published_counts(protected.tables, domestic).system()
    hidden = {key for key, value in system.values.items() if value is None}
    assert hidden >= set(protected.suppressed) | protected.hidden
    intervals = audit(system, set(), only=set(protected.suppressed))
    assert min(high - low + 1 for low, high in intervals.values()) >= 5


def _outcome_1_8_groups() -> set[str]:
    """The outcome groups whose offences the outcome 1-8 count is, from the shipped framework
    alone: every type of them counted in it, and every type it counts in one of them."""
    from stalking_profile import contract

    rows = contract.outcome_type_rows()
    counted = {row["group_short"] for row in rows if row["counts_in_outcome_1_8"]}
    assert all(row["counts_in_outcome_1_8"] for row in rows if row["group_short"] in counted)
    return counted


def test_a_publication_packs_statement_holds_against_its_outcome_chart_and_headline(
    demo_gateway,
):
    """Helper 91: the force's publication pack said no suppressed count could be narrowed to
    fewer than 22 values, but the headline's outcome 1-8 count (160) is the sum of four outcome
    groups on its chart: 160 less those shown narrowed the informal out-of-court outcome's
    withheld 1 to 0-12. An attacker written here from the pack's chart and headline alone
    (groups add up to each DA choice's offences, DA and non-DA to both, a group with no row is
    0, outcome 1-8 is its groups) finds no small count narrower than the statement says."""
    from stalking_profile.disclosure import LinearSystem

    tables = _publication_tables(demo_gateway, "force")
    protected = protect_pack(tables.named(), "all", 5)
    shown, headline = protected.tables["outcomes"], protected.tables["headline"]
    flt, _ = pack_filter(demo_gateway, "force")
    truth = pack_tables(demo_gateway.scoped(Access.command_line()), flt).outcomes
    groups = sorted(set(truth["group_short"]))
    categories = ("all", "domestic", "non_domestic")
    values: dict = {}
    for category in categories:
        rows = shown.filter(pl.col("category") == category)
        given = dict(zip(rows["group_short"], rows["offences"], strict=True))
        for group in groups:
            values[(group, category)] = given.get(group, 0)
        values[("total", category)] = rows["category_total"][0]
    fixed = {
        (g, c)
        for g in groups
        for c in categories
        if g not in set(shown.filter(pl.col("category") == c)["group_short"])
    }
    sums = [(tuple((g, c) for g in groups), ("total", c)) for c in categories]
    sums += [(((g, "domestic"), (g, "non_domestic")), (g, "all")) for g in [*groups, "total"]]
    one_to_eight = headline.filter(pl.col("indicator") == "outcome_1_8_rate")["numerator"][0]
    values[("outcome 1-8", "all")] = one_to_eight
    sums.append((tuple((g, "all") for g in sorted(_outcome_1_8_groups())), ("outcome 1-8", "all")))
    small = {
        (row["group_short"], row["category"])
        for row in truth.iter_rows(named=True)
        if 1 <= row["offences"] < 5
    }
    assert small and all(values[key] is None for key in small)
    intervals = audit(LinearSystem(values, sums, fixed=frozenset(fixed)), set(), only=small)
    narrowest = min(high - low + 1 for low, high in intervals.values())
    assert narrowest >= protected.fewest_values >= 5


def test_a_headline_hidden_by_the_pages_protection_is_not_called_small(demo_gateway):
    """Calderdale, September 2021: the pages' shared protection hid the month's 46 offences to
    protect non-DA's 2, and the pack's findings said "Fewer than 5 stalking offences were
    recorded", which is false (and told a reader the size of what was hidden)."""
    from datetime import date

    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2021, 9, 1), date(2021, 9, 1), ("CD",))
    shown = pack_content(demo_gateway, flt, "Calderdale", Access.command_line().for_publication())
    truth = pack_content(demo_gateway, flt, "Calderdale", Access.command_line())
    assert truth.headline.filter(figure="Offences")["value"].item() == "46"
    assert shown.headline.filter(figure="Offences")["value"].item() in ("46", "suppressed")
    volume = next(f.text for f in shown.findings if "offences" in f.text and "recorded" in f.text)
    assert not volume.startswith("Fewer than") and "withheld" not in volume, volume


def test_a_count_hidden_to_protect_another_is_not_called_small(demo_gateway):
    """Calderdale's monthly non-DA counts are small, so its monthly DA counts go too (else the
    month's total less DA gives them back): blank in the deck's chart although each is 5 or
    more, and the pack says a secondary step was applied."""
    flt, area = pack_filter(demo_gateway, "CD")
    shown = pack_content(demo_gateway, flt, area, Access.command_line().for_publication())
    truth = pack_content(demo_gateway, flt, area, Access.command_line())
    withheld = shown.trend["domestic"].is_null()
    assert withheld.any()
    assert truth.trend.filter(withheld)["domestic"].min() >= 5
    chart = next(c for c in shown.charts if c.title.startswith("Offences by month"))
    assert [v is None for v in chart.series["DA"]] == withheld.to_list()
    assert "Secondary suppression across the whole pack" in shown.disclosure


def test_the_packs_spc_chart_is_the_trends_pages_as_drawn_by_default(demo_gateway):
    """The pack's SPC slide drew one mean (337.8) across February 2019 to January 2022, while
    the Trends page and the Overview's scorecard recalculate the limits at April 2020 by default
    (means 106.1 and 485.2): a slide that contradicted the dashboard."""
    from stalking_profile import panels
    from stalking_profile.pack.content import pack_tables

    flt, _ = pack_filter(demo_gateway, "force")
    spc = pack_tables(demo_gateway, flt).spc
    page = panels.trends_page(demo_gateway, flt, 6, True).control.chart
    assert spc["month"].to_list() == page["month"].to_list()
    assert spc["mean"].to_list() == page["mean"].to_list()
    assert spc["mean"].n_unique() == 2


def test_an_spc_chart_keeps_its_months_in_publication_mode(demo_gateway):
    """The partition number and moving range are not counts: a partition 1 or a range of 3
    once blanked whole months of the force's SPC chart."""
    tables = _publication_tables(demo_gateway, "force")
    assert tables.spc["value"].null_count() == 0
    assert tables.spc.height >= 24


def test_rounding_in_the_ons_style():
    from stalking_profile.publication import rounded

    assert [rounded(v, 5) for v in (10, 12, 13, 15, 0, 1233)] == [10, 10, 15, 15, 0, 1235]
    assert rounded("1,233", 5) == "1,235" and rounded("20.6%", 5) == "20.6%"
    assert rounded(12.0, 5) == 10.0 and rounded(12.5, 5) == 12.5  # not a count: unchanged


def test_an_ons_style_pack_has_no_count_under_10_and_every_count_in_fives(demo_gateway):
    """Suppress under 10, round the rest to 5: nothing from 1 to 9 anywhere in the deck (text
    included), every count in its tables a multiple of 5, and the pack says so."""
    flt, area = pack_filter(demo_gateway, "CD", domestic="non_domestic")
    access = Access.command_line().for_publication().with_threshold(10, 5)
    pack = build(demo_gateway, flt, area, access)
    deck = Presentation(io.BytesIO(pack.pptx))
    texts = _texts(deck, notes=False)  # the notes' definitions name outcome types 1 to 8
    assert any("rounded to the nearest five (the ONS style)" in t for t in texts)
    under_ten = re.compile(r"(?<![\w.,\-/:])([1-9])(?![\w.,%\-/:])")
    assert [(t[:60], m) for t in texts for m in under_ten.findall(t)] == []
    headline = next(s for s in deck.slides if s.shapes.title.text == "Headline figures")
    table = next(shape.table for shape in headline.shapes if shape.has_table)
    counts = [
        int(cell.text.replace(",", ""))
        for row in list(table.rows)[1:]
        for cell in list(row.cells)[2:4]
        if cell.text.replace(",", "").isdigit()
    ]
    assert counts and all(count % 5 == 0 for count in counts), counts
    for title, series in _series(deck).items():
        for name, values in series.items():
            if name in ("Mean", "Upper process limit", "Lower process limit"):
                continue
            whole = [v for v in values if v is not None and float(v).is_integer()]
            assert all(v == 0 or (v >= 10 and v % 5 == 0) for v in whole), (title, name, whole)


def test_a_risk_slide_with_every_rate_withheld_says_so_not_that_both_are_needed(demo_gateway):
    """Calderdale, October 2020 to September 2021, DA and non-DA: the Risk slide was empty
    (the pack took the force's row of a table that holds the selection's only) and said "a
    chart of DA against non-DA needs both in the filter", with both in it. It now draws what
    publication mode leaves, the DA rates the Risk page publishes (the DA arrest rate, 27.5%,
    since the Outcomes page gives its rates for DA and non-DA together too); with every rate
    withheld, it says that."""
    flt, area = pack_filter(demo_gateway, "CD", date(2020, 10, 1), date(2021, 9, 1), "all")
    shown = pack_content(demo_gateway, flt, area, Access.command_line().for_publication())
    risk = next(c for c in shown.charts if c.title == "Risk and flags: DA against non-DA")
    assert risk.empty is None
    drawn = dict(zip(risk.categories, risk.series["DA"], strict=True))
    published = dict(shown.risk.filter(category="domestic").select("label", "rate").iter_rows())
    assert drawn == published and drawn["Arrest rate"] == pytest.approx(145 / 528)
    withheld = pack_charts(
        shown.trend,
        shown.spc,
        shown.risk.with_columns(pl.lit(None, dtype=pl.Float64).alias("rate")),
        shown.outcome_groups,
        "all",
    )
    empty = next(c for c in withheld if c.title == risk.title).empty
    assert empty == (
        "Nothing to chart for this filter: every rate is withheld (publication mode) or there "
        "is none."
    )


def test_key_findings_say_a_like_for_like_change_and_a_districts_risk(demo_gateway):
    """An audit: the force's pack for October 2018 to September 2019 (the data start in April
    2018) read "1,148 stalking offences were recorded ... That is a rise of 7.7% on the
    previous equal period (574)", a doubling on its face: the change was April to September
    2019 (618) against April to September 2018. And a district's pack had no DASH or arrest
    finding: the findings kept the rows named "Force", and a district's pack has its own."""
    flt, area = pack_filter(demo_gateway, "force", date(2018, 10, 1), date(2019, 9, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[0] == "1,148 stalking offences were recorded from Oct 2018 to Sep 2019."
    assert texts[1].startswith(
        "That is a rise of 7.7% like for like (618 from Apr 2019 to Sep 2019 against 574 from "
        "Apr 2018 to Sep 2018, the months the data hold in both periods)"
    )
    flt, area = pack_filter(demo_gateway, "CD", date(2020, 10, 1), date(2021, 9, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    # each with what the Risk page's test says (helper 83: 27% against 16% read as a gap the
    # page says chance could explain)
    assert (
        "A DASH risk assessment was recorded for 94% of DA offences and 24% of non-DA offences: "
        "a difference more than chance (q < 0.001)." in texts
    )
    assert (
        "An arrest was recorded for 27% of DA offences and 16% of non-DA offences: a difference "
        "chance could explain (q = 0.135)." in texts
    )


def test_a_risk_finding_with_no_test_to_cite_says_no_verdict():
    """The risk finding's q-value, withheld or absent, was formatted as a number (a TypeError
    for None): the finding then gives the two rates alone."""
    selection = pl.DataFrame(
        {
            "flag": ["arrest_made"] * 2,
            "category": ["domestic", "non_domestic"],
            "rate": [0.2, 0.1],
            "is_small": [False, False],
            "numerator": [200, 10],
            "denominator": [1000, 100],
        }
    )
    withheld = pl.DataFrame(
        {"flag": ["arrest_made"], "q_value": [None]},
        schema={"flag": pl.String, "q_value": pl.Float64},
    )
    for tests in (None, withheld):
        (finding,) = findings.risk(selection, tests)
        assert finding.text == (
            "An arrest was recorded for 20% of DA offences and 10% of non-DA offences."
        )


def test_a_one_month_packs_findings_name_the_month_once(demo_gateway):
    """A user trial: "... were recorded from Sep 2021 to Sep 2021"."""
    flt, area = pack_filter(demo_gateway, "CD", date(2021, 9, 1), date(2021, 9, 1))
    texts = [f.text for f in pack_content(demo_gateway, flt, area, Access.command_line()).findings]
    assert texts[0] == "46 stalking offences were recorded in Sep 2021."


def test_a_per_day_change_reads_as_offences_a_day():
    """A user trial: "That is +8.7% per day on the previous equal period (172)" read as growth
    of 8.7% every day, beside a count of offences."""
    from stalking_profile.filters import ProfileFilter

    february = ProfileFilter(date(2020, 2, 1), date(2020, 2, 1), ("CD",))
    compared = february.comparison(date(2018, 4, 1))
    text = findings.volume(_headline(0.2, 0.01), "in Feb 2020", "stalking", None, compared)[1]
    assert text.text.startswith(
        "That is a rise of 20.0% in offences a day on the previous equal period (100)"
    )


def test_a_deck_is_laid_out_for_its_16_9_slides(demo_gateway):
    """A user trial: the title slide's subtitle kept the 4:3 template's box (7 x 1.9 in at 32
    pt), so the disclosure statement ran off the slide; line charts had no markers, so a month
    between two withheld ones (or a one-month pack's) drew nothing; a gap read as a zero."""
    from pptx.enum.chart import XL_CHART_TYPE

    from stalking_profile.pack.charts import GAP_NOTE

    flt, area = pack_filter(demo_gateway, "CD", date(2021, 7, 1), date(2021, 9, 1))
    access = Access.command_line().for_publication()
    deck = Presentation(io.BytesIO(build(demo_gateway, flt, area, access).pptx))
    subtitle = deck.slides[0].placeholders[1]
    assert subtitle.left + subtitle.width <= deck.slide_width
    assert subtitle.top + subtitle.height <= deck.slide_height
    assert subtitle.width > deck.slide_width * 0.8  # room for the disclosure statement
    assert "Disclosure control: Publication mode" in subtitle.text_frame.text
    lines = [
        shape.chart
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart and shape.chart.chart_type != XL_CHART_TYPE.BAR_CLUSTERED
    ]
    assert lines and all(c.chart_type == XL_CHART_TYPE.LINE_MARKERS for c in lines)
    trend = next(s for s in deck.slides if s.shapes.title.text.startswith("Offences by month"))
    assert GAP_NOTE in _texts_of(trend)


def test_the_pdf_keeps_its_findings_together_and_its_disclosure_statement_last(demo_gateway):
    """Helper 84: the publication pack's PDF opened with ten lines of disclosure control before
    its headline figures, and its key findings' heading and first bullet sat at the foot of
    page 1, the rest over the page. One line says it first; the whole statement ends it."""
    flt, area = pack_filter(demo_gateway, "force")
    pack = build(demo_gateway, flt, area, Access.command_line().for_publication())
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pack.pdf)).pages]
    assert "Disclosure control: Publication mode: counts under 5 suppressed" in pages[0]
    statement = "Publication mode gives the whole force"  # in the whole statement
    assert statement not in pages[0] and statement in pages[-1]
    (holding,) = [i for i, text in enumerate(pages) if "Key findings" in text]
    assert "Data quality:" in pages[holding]  # the last finding, with the heading


def test_every_slides_text_and_chart_end_above_its_footer(demo_gateway):
    """Helper 83: a publication pack's note under the outcome groups ran 37 inches in one line
    off the slide; 11 key findings (February to July 2020, two rule changes) ran over the
    footer at 18 pt; a recommendations table ran under its note; a chart of counts under 5
    read "0, 0, 0, 1, 1, 1" on its axis."""
    from stalking_profile.pack.decks import FOOTER_TOP, text_inches

    published = Access.command_line().for_publication()
    packs = [
        build(demo_gateway, *pack_filter(demo_gateway, "force"), published).pptx,
        build(
            demo_gateway,
            *pack_filter(demo_gateway, "force", date(2020, 2, 1), date(2020, 7, 1)),
            Access.command_line(),
        ).pptx,
    ]
    sizes = []
    for pptx in packs:
        for slide in list(Presentation(io.BytesIO(pptx)).slides)[1:]:
            shapes = [s for s in slide.shapes if s != slide.shapes.title]
            footer = max(shapes, key=lambda s: s.top)
            for shape in shapes:
                if shape is not footer:
                    assert (shape.top + shape.height) / 914400 <= FOOTER_TOP + 0.01, (
                        slide.shapes.title.text
                    )
                if shape.has_text_frame and shape.text_frame.text:
                    assert shape.text_frame.word_wrap, shape.text_frame.text[:40]
            if slide.shapes.title.text == "Key findings":
                box = next(s for s in shapes if s is not footer)
                paragraphs = [p.text for p in box.text_frame.paragraphs]
                size = box.text_frame.paragraphs[0].font.size.pt
                assert text_inches(paragraphs, size, box.width / 914400, 8) <= (box.height / 914400)
                sizes.append(size)
    assert max(sizes) < 18  # these two would not fit at 18 pt
    flt, area = pack_filter(demo_gateway, "CD", date(2018, 8, 1), date(2018, 8, 1), "non_domestic")
    deck = Presentation(io.BytesIO(build(demo_gateway, flt, area, Access.command_line()).pptx))
    trend = next(s for s in deck.slides if s.shapes.title.text.startswith("Offences by month"))
    chart = next(shape.chart for shape in trend.shapes if shape.has_chart)
    assert chart.value_axis.major_unit == 1
    findings = next(s for s in deck.slides if s.shapes.title.text == "Key findings")
    box = next(s for s in findings.shapes if s.has_text_frame and "•" in s.text_frame.text)
    assert box.text_frame.paragraphs[0].font.size.pt == 18  # a few findings: 18 pt


def test_a_finding_on_few_offences_says_so_and_every_slide_names_its_filter(demo_gateway):
    """A user trial: Wakefield, June 2021, "An arrest was recorded for ... 25% of non-DA
    offences" (1 of 4) without the dashboard's small-numbers caution; and a slide lifted out of
    the deck did not say what area, period or DA choice it showed, nor the pack who made it."""
    flt, area = pack_filter(demo_gateway, "WD", date(2021, 6, 1), date(2021, 6, 1))
    content = pack_content(demo_gateway, flt, area, Access.command_line())
    risk = [f.text for f in content.findings if f.text.startswith(("An arrest", "A DASH"))]
    assert risk and all("small numbers)" in text for text in risk), risk
    deck = Presentation(io.BytesIO(build(demo_gateway, flt, area, Access.command_line()).pptx))
    for slide in list(deck.slides)[1:]:
        assert any(content.period in text for text in _texts_of(slide)), slide.shapes.title.text
    assert "Exported " in deck.slides[0].placeholders[1].text_frame.text


def test_a_group_with_no_offences_is_drawn_as_zero_and_a_withheld_share_as_a_gap():
    """A user trial: an outcome group with no non-DA offence (no row) was a gap in the deck's
    bars, as a withheld share is, beside a title slide saying zeros are shown."""
    from stalking_profile.pack.charts import _category_bars

    groups = pl.DataFrame(
        {
            "group_short": ["Charged", "Charged", "Informal", "Evidential"],
            "category": ["domestic", "non_domestic", "domestic", "non_domestic"],
            "share": [0.2, None, 0.1, 0.5],
        }
    )
    chart = _category_bars("Outcome groups", groups, "group_short", "share")
    drawn = {
        name: dict(zip(chart.categories, values, strict=True))
        for name, values in chart.series.items()
    }
    assert drawn["Non-DA"] == {"Charged": None, "Informal": 0.0, "Evidential": 0.5}
    assert drawn["DA"] == {"Charged": 0.2, "Informal": 0.1, "Evidential": 0.0}
    # a bar withheld looks like a bar at 0: the note under the chart names it
    assert chart.withheld_note == (
        "Suppressed (publication mode), so drawn with no bar: Charged (Non-DA). "
        "Every other missing bar is 0."
    )


def test_a_publication_pack_is_a_document_of_its_own_that_says_what_it_leaves_out(demo_gateway):
    """Helper 51, a commissioner's office reading the force's publication pack: the deck's
    properties were python-pptx's template (its author's name as "last modified by", January
    2013, no title); the map was "image.png" to a screen reader and the charts had no text;
    the title slide named who exported it; the area read "BD, CD, KD, LD, WD"; withheld
    outcome groups were bars missing like a 0, and the PDF said nothing of them."""
    from stalking_profile.exports import DEMO_MARKING

    flt, area = pack_filter(demo_gateway, "force", publication=True)
    access = Access.command_line("ana").for_publication()
    pack = build(demo_gateway, flt, area, access)
    deck = Presentation(io.BytesIO(pack.pptx))
    properties = deck.core_properties
    assert properties.last_modified_by == properties.author == "Stalking Profile"
    assert properties.title == pack.title and properties.subject == DEMO_MARKING
    assert properties.created.year >= 2026 and properties.comments == ""
    described = {
        shape.shape_type: shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr")
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart or shape.shape_type == 13  # MSO_SHAPE_TYPE.PICTURE
    }
    assert described and all(described.values()), described
    cover = deck.slides[0].placeholders[1].text_frame.text
    assert "all districts" in cover and "BD, CD" not in cover
    assert "by ana" not in cover and "(who: in the audit trail)" in cover
    groups = next(s for s in deck.slides if s.shapes.title.text.startswith("Outcome groups"))
    note = "Suppressed (publication mode), so drawn with no bar: "
    assert any(text.startswith(note) for text in _texts_of(groups))
    pdf = PdfReader(io.BytesIO(pack.pdf))
    assert note.split(",")[0] in " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert pdf.metadata.subject == DEMO_MARKING  # the demo's marking


def test_a_gap_with_no_value_is_not_called_withheld(demo_gateway):
    """Helper 71: an analyst's pack of Calderdale's non-DA offences, January 2019, said its
    blank 12-month average and process limits (under 12 months of data; too few months) were
    values withheld in publication mode, though it withheld nothing. A publication pack says
    which of its gaps are withheld, and which have no value."""
    from stalking_profile.pack.charts import NO_VALUE_NOTE

    flt, area = pack_filter(
        demo_gateway, "CD", date(2019, 1, 1), date(2019, 1, 1), domestic="non_domestic"
    )
    internal = pack_content(demo_gateway, flt, area, Access.command_line())
    trend, control = internal.charts[0], internal.charts[1]
    assert trend.series[ROLLING_AVERAGE] == [None]  # 10 months of data before it
    assert trend.withheld_note == NO_VALUE_NOTE
    # too few months for limits: none listed (helper 91), and its title says why
    assert set(control.series) == {"Offences", "Mean"} and control.withheld_note == ""
    assert control.title.endswith("(too few months for process limits: the series and its mean)")
    # the force's first year of harassment in a publication pack: its gaps are the average's
    # first 11 months and the limits of a run chart, none withheld (the deck test has withheld
    # ones; two months of stalking's first year are withheld since the headline counts are
    # spared)
    flt, area = pack_filter(demo_gateway, "force", date(2018, 4, 1), date(2019, 3, 1))
    flt = replace(flt, offence_types=("harassment",))
    published = pack_content(demo_gateway, flt, area, Access.command_line().for_publication())
    trend, control = published.charts[0], published.charts[1]
    assert trend.series[ROLLING_AVERAGE].count(None) == 11
    assert trend.withheld_note == NO_VALUE_NOTE
    assert "(too few months for process limits" in control.title
    assert control.withheld_note == ""  # no limit line, so no gap in one to explain


def test_the_outcome_finding_says_open_offences_count_in_its_denominator():
    """Helper 71: the pack said "In 43% of offences ... the victim did not support further
    action; 2.4% ended in a charge" for periods with up to half the offences still open, and
    said nothing of it (the Overview does, beside the same rates)."""
    headline = pl.DataFrame(
        {
            "indicator": ["outcome_16_rate", "outcome_1_8_rate"],
            "value": [0.43, 0.024],
            "lower": [0.41, 0.02],
            "upper": [0.45, 0.03],
            "numerator": [2847, 159],
            "denominator": [6620, 6620],
            "is_small": [False, False],
        }
    )
    (finding,) = findings.outcomes(headline)
    assert finding.text.startswith("In 43% of offences")
    assert finding.text.endswith(findings.OPEN_CASES_CAVEAT)
    # helper 83: an outcome 1-8 rate of 1 offence read "100.0%" with no caution
    one = headline.with_columns(
        value=pl.Series([0.0, 1.0]),
        numerator=pl.Series([0, 1]),
        denominator=pl.Series([1, 1]),
        is_small=pl.Series([True, True]),
    )
    (finding,) = findings.outcomes(one)
    assert "; 100.0% (1 of 1: small numbers) ended in a charge" in finding.text


def test_a_pack_of_the_datas_first_months_says_no_data_before_them_not_suppressed(demo_gateway):
    """Helper 91: an internal pack of April to May 2018, the data's first months, read
    "suppressed" in every Previous period and Change cell of its district table, Force's 174
    offences too, under a cover saying no disclosure control was applied."""
    flt, area = pack_filter(demo_gateway, "force", date(2018, 4, 1), date(2018, 5, 1))
    content = pack_content(demo_gateway, flt, area, Access.command_line())
    table = content.districts
    assert table["Previous period"].to_list() == ["no data"] * table.height
    assert table["Change"].to_list() == ["no data"] * table.height
    assert table.filter(pl.col("District") == "Force")["DA and non-DA"].to_list() == ["174"]
    later, _ = pack_filter(demo_gateway, "force", date(2018, 6, 1), date(2018, 7, 1))
    shown = pack_content(demo_gateway, later, area, Access.command_line()).districts
    assert "no data" not in shown["Previous period"].to_list()


def test_a_pack_of_too_few_months_lists_no_process_limits_it_cannot_draw():
    """A one-month pack's SPC slide listed "Upper process limit" and "Lower process limit" in
    its legend with no line drawn (helper 91): too few months for limits, so no such series."""
    from stalking_profile.pack.charts import _control

    spc = pl.DataFrame(
        {
            "month": [date(2021, 9, 1)],
            "value": [531],
            "mean": [531.0],
            "upper_limit": [None],
            "lower_limit": [None],
            "partition": [0],
        },
        schema_overrides={"upper_limit": pl.Float64, "lower_limit": pl.Float64},
    )
    assert set(_control(spc).series) == {"Offences", "Mean"}
