"""End-to-end: every page in a real browser, filters that change the figures, downloads."""

from __future__ import annotations

import itertools
import re
import struct
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version as plotly_version

from bench.browser_pages import RENDERED
from stalking_profile import measures, queries
from stalking_profile.filters import ProfileFilter
from stalking_profile.ui import chart_element
from tests.browser.conftest import ARTIFACTS, guarded_page
from tests.test_excel import huge_dimension, zip_bomb

pytestmark = pytest.mark.browser  # this module's tests on one worker (tests/conftest.py)

# Trends first: on a freshly started server, a bookmarked page must work before "/" is visited.
PAGES = {
    "trends": (
        "Trends",
        ["Statistical process control", "This period against the previous equal period"],
    ),
    "": ("Overview", ["Offences", "DA offences", "Arrest rate", "Outcome 1-8 rate"]),
    "maps": ("Hotspot maps", ["Colour wards by", "Do hotspots line up?"]),
    "outcomes": ("Outcomes", ["Outcomes by district", "Home Office outcome groups"]),
    "risk": ("Risk & flags", ["DA against non-DA", "DASH risk level"]),
    "quality": (
        "Data quality",
        # a line of the chart's wrapped tick label "Non-DA stalking without a DASH"
        ["without a DASH", "Check the records behind an indicator"],
    ),
    "repeats": ("Repeat victims and suspects", ["In the period", "Serial perpetrators"]),
    "people": ("Victims and suspects", ["Age band", "Rates per 1,000 residents"]),
    "orders": (
        "Civil orders and breaches",
        ["Orders in the period", "Take-up per 100 offences", "Repeat suspects with no order"],
    ),
    "contact": ("Victim contact", ["Contact kept, by district"]),
    "prioritisation": (
        "Perpetrator prioritisation",
        ["Suspects ranked by recency, frequency, gravity and victims", "A suspect's history"],
    ),
    "data": ("Data", ["Check or import a file", "Templates"]),
    "definitions": ("Definitions", ["Data contract", "outcome_1_8_rate"]),
}


COMPARISON = "This period against the previous equal period"  # a tab of the Trends page


def _open_tab(page, name: str) -> None:
    """Click a lazy tab (its contents are sent by the run the click starts) and wait for the
    tab to say it is open; callers then wait on the element they need."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    from playwright.sync_api import expect

    expect(tab).to_have_attribute("aria-selected", "true", timeout=30_000)


# every chart's plot on the page (each drawn in its element's shadow root: ui/chart_element.py)
PLOTS = """[...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
    .map(c => c.shadowRoot?.querySelector('.js-plotly-plot')).filter(Boolean)"""


def _wait_for_page(page, title: str) -> float:
    """Wait until the page titled `title` is fully rendered, as the benchmark defines it (the
    script no longer running, nothing stale, every chart drawn). Streamlit shows its running
    indicator only after a delay, so its absence alone did not mean the run had finished: a
    file given to the uploader of a page still running was lost with the element."""
    started = time.perf_counter()
    page.wait_for_function(RENDERED, arg=title, timeout=60_000, polling=50)
    return time.perf_counter() - started


def _expect_metric(page, label: str, value: str) -> None:
    """Wait until the tile shows `value` (a page's old tiles stay on screen while it reruns,
    so the state is waited on, not read once)."""
    from playwright.sync_api import expect

    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    expect(tile.locator('[data-testid="stMetricValue"]')).to_have_text(value, timeout=60_000)


def _metric(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.fixture(scope="module")
def tour(browser, running_app):
    """One session that opens the first page by its address and moves to each of the others
    through the navigation, as a user does (a new session per page cost 2-3 s each)."""
    with guarded_page(browser, running_app) as tab:
        yield tab


@pytest.mark.parametrize("path", list(PAGES), ids=[title for title, _ in PAGES.values()])
def test_every_page_renders(tour, running_app, path: str) -> None:
    title, key_texts = PAGES[path]
    page = tour
    started = time.perf_counter()
    if path == next(iter(PAGES)):
        page.goto(f"{running_app.url}/{path}")
    else:
        # The page's own link, matched at the end of its name (the icon's text comes first, and
        # "Data" must not match "Data quality").
        name = re.compile(rf"(^|\W){re.escape(title)}$")
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
    _wait_for_page(page, title)
    assert page.url.rstrip("/") == f"{running_app.url}/{path}".rstrip("/")
    from playwright.sync_api import expect

    expect(page).to_have_title(f"{title} · Stalking Profile")  # each page its own (WCAG 2.4.2)
    # headings in order, none skipped (the pages went from their title, h1, to h3)
    levels = page.eval_on_selector_all(
        '[data-testid="stMain"] :is(h1, h2, h3, h4, h5, h6)',
        "hs => hs.filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))",
    )
    assert levels and levels[0] == 1, levels
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    print(f"\n[browser] render of {title}: {time.perf_counter() - started:.2f} s")
    for text in key_texts:
        page.get_by_text(text, exact=False).filter(visible=True).first.wait_for(timeout=30_000)

    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.get_by_text("Demonstration data").first.wait_for(timeout=30_000)
    _assert_tabs_fit_at_1280(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}.png"), full_page=True)
    if path in CHART_TABS:  # a chart, in the tab that draws one
        _open_tab(page, CHART_TABS[path])
    if path in ("", "trends", "risk", "outcomes", "maps", *CHART_TABS):
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0


# the page's tab bars, each with the width its labels need and the width it has
TAB_BARS = """() => [...document.querySelectorAll('[data-testid="stMain"] [role="tablist"]')]
    .map(bar => [bar.innerText.replace(/\\n+/g, ' | '), bar.scrollWidth, bar.clientWidth])"""


def _assert_tabs_fit_at_1280(page) -> None:
    """Every tab's label in view in a 1,280-pixel window with the sidebar open (helper 86:
    the Outcomes and Civil orders pages' last tab was cut off, behind a scroll)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": size["height"]})
    try:
        page.wait_for_function("() => window.innerWidth === 1280")  # reading lays it out
        bars = page.evaluate(TAB_BARS)
        assert all(needed <= has for _, needed, has in bars), bars
    finally:
        page.set_viewport_size(size)


# pages whose first tab has tables only: the tab with a chart
CHART_TABS = {
    "repeats": "Within 12 months",
    "people": "Rates per 1,000 residents",
    "contact": "Contact kept, by month",
    "orders": "Orders by month",
}


def test_the_start_command_loads_the_modules_before_the_server_answers(page, running_app) -> None:
    """scripts/start runs `python -m stalking_profile.ui.serve`: the pages' modules are loaded
    before the server answers its health check, so the first page waits for no import."""
    assert running_app.log is not None
    log = running_app.log.read_text()
    loaded = log.index("==> loaded in")
    assert log.index("==> loading the dashboard's modules") < loaded
    assert "You can now view your Streamlit app" in log[loaded:]
    page.goto(f"{running_app.url}/")
    _wait_for_page(page, "Overview")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_filters_change_the_figures_and_live_in_the_address(
    page, running_app, demo_gateway
) -> None:
    page.goto(f"{running_app.url}/?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Overview")
    _expect_metric(page, "Offences", "6,129")

    page.get_by_role("radio", name="Non-DA", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText.trim() === '460')",
        timeout=30_000,
    )
    for district in ("BD Bradford", "KD Kirklees", "LD Leeds", "WD Wakefield"):
        page.get_by_role("button", name=f"Remove {district}").click()
        # wait on the state itself: the chip gone and the rerun it started finished
        page.get_by_role("button", name=f"Remove {district}").wait_for(
            state="detached", timeout=30_000
        )
        _wait_for_page(page, "Overview")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText.trim() === '37')",
        timeout=30_000,
    )

    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("CD",), domestic="non_domestic")
    expected = measures.headline_indicators(
        queries.offence_counts(demo_gateway, flt),
        queries.offence_counts(demo_gateway, flt.previous()),
        "non_domestic",
    )
    values = {row["indicator"]: row for row in expected.iter_rows(named=True)}
    _expect_metric(page, "Offences", f"{int(values['offences']['value']):,}")
    _expect_metric(page, "Arrest rate", f"{values['arrest_rate']['value']:.1%}")
    _expect_metric(page, "DASH completion", f"{values['dash_completion_rate']['value']:.1%}")

    assert "da=Non-DA" in page.url and "district=CD" in page.url
    shared_address = page.url
    page.get_by_role("link", name="Trends").click()
    _wait_for_page(page, "Trends")
    page.get_by_text("Stalking, Non-DA, CD, Oct 2020 to Sep 2021").first.wait_for(timeout=30_000)

    page.goto(shared_address)
    _wait_for_page(page, "Overview")
    _expect_metric(page, "Offences", "37")


def test_a_one_month_address_reopens_as_that_month(page, running_app) -> None:
    """Feb 2021 to Feb 2021: From equal to its default was left out of the address, which
    became "?to=Feb+2021" and reopened as the 12 months to Feb 2021 (helper 53)."""
    page.goto(f"{running_app.url}/?period=From+...+to+...&from=Feb+2021&to=Feb+2021")
    _wait_for_page(page, "Overview")
    one_month = page.get_by_text("Stalking, DA and non-DA, BD, CD, KD, LD, WD, Feb 2021 ·")
    one_month.first.wait_for(timeout=30_000)
    assert "from=Feb+2021" in page.url
    page.goto(page.url)  # the address as left, opened again
    _wait_for_page(page, "Overview")
    one_month.first.wait_for(timeout=30_000)


def test_csv_and_chart_image_downloads(page, running_app) -> None:
    page.goto(f"{running_app.url}/?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Overview")
    _open_tab(page, "Headline figures")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").first.click()
    csv_path = csv_download.value.path()
    assert csv_download.value.suggested_filename.startswith(
        "overview-headline-figures_2020-10_2021-09_all-districts"
    )
    text = Path(csv_path).read_text(encoding="utf-8")
    provenance = [line for line in text.splitlines() if line.startswith("# ")]
    assert "# Filter: Stalking, DA and non-DA, BD, CD, KD, LD, WD, Oct 2020 to Sep 2021" in text
    assert "# Marking: OFFICIAL (synthetic demonstration data)" in provenance
    assert any(line.startswith("# Notice: SYNTHETIC DATA") for line in provenance)
    table = text.splitlines()[len(provenance)]
    assert table.startswith("Figure,Value,Offences counted,Out of")
    # numbers as a spreadsheet reads them: no thousands separators (helper 64)
    assert "Offences,6129,6129," in text
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Excel (.xlsx)").first.click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    workbook = Path(xlsx_download.value.path()).read_bytes()
    assert workbook[:2] == b"PK"  # a zip: an Office Open XML workbook

    _open_tab(page, "Monthly offences")
    with page.expect_download() as slide_download:
        page.get_by_role("button", name="Slide image (PNG)").first.click()
    slide = Path(slide_download.value.path()).read_bytes()
    assert slide[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", slide[16:24]) == (1600, 900)


def test_a_download_buttons_label_is_shown_whole(page, running_app) -> None:
    """The Trends page's "Download CSV (with p-values)" was cut to "Download CSV (with p-..."
    in a column sized for "Download CSV": no part of a download button may overflow it."""
    page.goto(f"{running_app.url}/trends?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Trends")
    _open_tab(page, COMPARISON)
    from playwright.sync_api import expect

    # the open tab is in the address, for a bookmark or a colleague's link
    expect(page).to_have_url(re.compile(r"[?&]tab=This(\+|%20)period"), timeout=30_000)
    button = page.get_by_role("button", name="Download CSV (with p-values)")
    button.wait_for(timeout=30_000)
    overflowing = button.evaluate(
        "b => [...b.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => `${e.tagName} ${e.scrollWidth} > ${e.clientWidth}`)"
    )
    assert overflowing == []


def test_a_tables_own_toolbar_offers_no_download(page, running_app) -> None:
    """Helper 49's trial: each table's own toolbar had "Download as CSV", so a file of records
    (the Data quality drill-down's crime references) left with no audit event and no
    OFFICIAL-SENSITIVE marking. The toolbar keeps search and full screen; the download buttons
    under each table, which mark and audit the file, are the way to take it."""
    # a link to the tab opens it
    page.goto(f"{running_app.url}/trends?from=Oct+2020&to=Sep+2021&tab={COMPARISON}")
    _wait_for_page(page, "Trends")
    from playwright.sync_api import expect

    expect(page.get_by_role("tab", name=COMPARISON)).to_have_attribute("aria-selected", "true")
    table = page.locator('[data-testid="stDataFrame"]:visible').first
    table.wait_for(timeout=30_000)
    table.hover()
    tables_tools = page.locator('[data-testid="stDataFrame"]:visible').first.locator(
        "xpath=ancestor::*[.//*[@data-testid='stElementToolbar']][1]"
    )
    buttons = tables_tools.locator('[data-testid="stElementToolbar"] button')
    buttons.first.wait_for(state="attached", timeout=10_000)
    labels = buttons.evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label') || b.innerText)"
    )
    assert "Search" in labels, labels  # the table's toolbar, drawn
    assert not any("CSV" in label or "Download" in label for label in labels), labels


def test_map_draws_ward_polygons_offline(page, running_app) -> None:
    page.goto(f"{running_app.url}/maps?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Hotspot maps")
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    page.wait_for_function(
        f"() => ({PLOTS})[0]?.querySelectorAll('.choroplethlocation').length > 0",
        timeout=60_000,
    )
    drawn = page.evaluate(f"() => ({PLOTS})[0].querySelectorAll('.choroplethlocation').length")
    assert drawn == 124, f"{drawn} ward polygons drawn"
    path_lengths = page.evaluate(
        f"""() => [...({PLOTS})[0].querySelectorAll('.choroplethlocation')]
              .map(p => (p.getAttribute('d') || '').length)"""
    )
    assert min(path_lengths) > 20, "every ward has a drawn outline"
    # coloured by their own values (sent as typed arrays): many shades, not one
    fills = page.evaluate(
        f"""() => new Set([...({PLOTS})[0].querySelectorAll('.choroplethlocation')]
              .map(p => getComputedStyle(p).fill)).size"""
    )
    assert fills > 20, f"{fills} shades over 124 wards"
    page.screenshot(path=str(ARTIFACTS / "maps-drawn.png"), full_page=True)


def test_a_filter_change_redraws_the_map_in_place_once(page, running_app) -> None:
    """Issue 14: a chart stays on the page when the filter changes and the new figure is
    drawn into the same element, once (Streamlit's own chart mounted a new element and drew
    it twice). Its toolbar keeps the PNG export and a fullscreen button, laid out by Plotly's
    own styles inside the element's shadow root."""
    page.goto(f"{running_app.url}/maps?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Hotspot maps")
    fills = f"""() => [...({PLOTS})[0].querySelectorAll('.choroplethlocation')]
        .map(p => getComputedStyle(p).fill).join()"""
    before = page.evaluate(fills)
    drawn = page.evaluate(
        f"""() => {{
            window.mapBefore = ({PLOTS})[0];
            window.draws = 0;
            window.mapBefore.on('plotly_afterplot', () => window.draws++);
            return window.mapBefore.dataset.drawn;
        }}"""
    )
    since = page.evaluate("performance.now()")
    page.get_by_role("radio", name="DA", exact=True).click()
    page.get_by_text("Stalking, DA, BD").first.wait_for(timeout=30_000)
    page.wait_for_function(RENDERED, arg=["Hotspot maps", since], timeout=60_000, polling=50)

    same, now, draws = page.evaluate(
        f"() => [({PLOTS})[0] === window.mapBefore, ({PLOTS})[0].dataset.drawn, window.draws]"
    )
    assert same and now != drawn and draws == 1, (same, now, drawn, draws)
    after = page.evaluate(fills)
    assert after.count("rgb") == 124 and after != before  # DA's rates, every ward
    toolbar = page.evaluate(
        f"""() => {{
            const plot = ({PLOTS})[0];
            return [getComputedStyle(plot.querySelector('.modebar-container')).position,
                    [...plot.querySelectorAll('.modebar-btn')].map(b => b.dataset.title),
                    getComputedStyle(plot.querySelector('.modebar-btn svg')).verticalAlign];
        }}"""
    )
    assert toolbar[0] == "absolute", toolbar  # Plotly's own styles reach the shadow root
    # no image export in the browser, unmarked and unaudited (helper 95): the slide images are
    assert "Fullscreen" in toolbar[1] and "Download plot as a PNG" not in toolbar[1], toolbar
    # the page's rule for icons, which the shadow root keeps out, is given it (helper 67: the
    # toolbar's icons sat 2.8 px higher without it)
    assert toolbar[2] == "middle", toolbar
    # the Plotly that drew it: the slide images' version, built with the dashboard's traces
    plotly = page.evaluate("() => [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces)]")
    assert plotly[0] == plotly_version() and set(plotly[1]) == chart_element.TRACES, plotly


def test_leaving_a_tab_of_maps_raises_no_error_in_the_page(page, running_app) -> None:
    """Helper 67: each chart of a tab left (six maps on "Do hotspots line up?") raised
    "Cannot read properties of undefined (reading 'width')": its element, on its way out of
    the page, was asked to draw again at its new width."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{running_app.url}/maps?from=Oct+2020&to=Sep+2021")
    _wait_for_page(page, "Hotspot maps")
    _open_tab(page, "Do hotspots line up?")
    page.wait_for_function(f"() => ({PLOTS}).length === 6", timeout=60_000)
    _wait_for_page(page, "Hotspot maps")
    _open_tab(page, "Top wards")
    page.wait_for_function(f"() => ({PLOTS}).length === 1", timeout=60_000)
    _wait_for_page(page, "Hotspot maps")
    # two more frames drawn: the elements' size observers have run (they run before a paint)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert errors == []


def _upload(page, path: Path, until=None, state: str = "visible") -> None:
    """Give the uploader a file and wait until `until` (by default the file's name in the
    uploader) is in `state`: the widget may attach its handler after the page first settles,
    so a file set too early is set again."""
    uploaded = until or page.locator('[data-testid="stFileUploader"]').first.get_by_text(path.name)
    for _ in range(3):
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))
        try:
            uploaded.wait_for(state=state, timeout=15_000)
            return
        except Exception:  # try again; the final wait below reports the failure
            continue
    page.screenshot(path=str(ARTIFACTS / "upload-failed.png"), full_page=True)
    uploaded.wait_for(state=state, timeout=15_000)


def test_data_page_checks_an_uploaded_file(page, running_app, tmp_path) -> None:
    extract = tmp_path / "extract.csv"
    template = Path(__file__).resolve().parents[2] / "data" / "templates" / "offences_template.csv"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1].replace("EX-0001", "EX-0003").replace("2021-10-04", "31/02/2021"))
    lines.append(lines[1].replace("EX-0001", "EX-0004").replace("2021-10-04", "=1+1"))
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.goto(f"{running_app.url}/data")
    _wait_for_page(page, "Data")
    _upload(page, extract)
    message = page.get_by_text("4 rows read = 2 would be accepted + 2 refused")
    try:
        message.wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "data-check-failed.png"), full_page=True)
        raise
    # some rows refused: a warning, never the green of a clean file
    assert page.locator('[data-testid="stAlertContentWarning"]', has_text="2 refused").count() == 1
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0
    page.get_by_text("synthetic demonstration force: records are not imported").first.wait_for(
        timeout=30_000
    )
    with page.expect_download() as refused_download:
        page.get_by_role("button", name="Download the refused rows with reasons").click()
    assert refused_download.value.suggested_filename == "refused-rows-extract.csv"
    refused = Path(refused_download.value.path()).read_text(encoding="utf-8")
    provenance = [line for line in refused.splitlines() if line.startswith("# ")]
    assert "# Marking: OFFICIAL (synthetic demonstration data)" in provenance
    # what the file is: it named the last import as its source and the sidebar's filter
    assert "# Source: the check of extract.csv (not imported); Stalking Profile" in provenance
    assert "# Filter: none: every row the check refused" in provenance
    assert refused.splitlines()[len(provenance)] == "Row,Column,Value,Reason refused"
    # issue 13, fault 7: a cell a spreadsheet would run as a formula is neutralised (OWASP)
    assert "5,Recorded,'=1+1," in refused or ",'=1+1," in refused


def test_narrow_window_keeps_the_year_and_the_title_clear(page, running_app) -> None:
    """Issue 10, fault 9: at 800 px wide the period boxes lost the year and legends overlapped
    chart titles."""
    page.set_viewport_size({"width": 800, "height": 1600})
    page.goto(f"{running_app.url}/?to=Sep+2021")
    _wait_for_page(page, "Overview")
    period = page.locator('[data-testid="stSelectbox"]', has_text="12 months to").first
    value, fits, visible = period.locator("input").evaluate(
        "e => [e.value, e.scrollWidth <= e.clientWidth + 1, e.getBoundingClientRect().width > 0]"
    )
    assert (value, fits, visible) == ("Sep 2021", True, True)
    page.locator(".js-plotly-plot .legend").first.wait_for(timeout=30_000)
    found = _legend_overlaps(page, ".gtitle")
    assert found and not any(found)
    # helper 86: at 1,280 px the legend lay on the month axis's title, "Month recorded"
    for width in (800, 1280):
        page.set_viewport_size({"width": width, "height": 1600})
        page.goto(f"{running_app.url}/?to=Sep+2021")
        _wait_for_page(page, "Overview")
        page.locator(".js-plotly-plot .legend").first.wait_for(timeout=30_000)
        found = _legend_overlaps(page, ".g-xtitle")
        assert found and not any(found), width


def _legend_overlaps(page, other: str) -> list[bool]:
    """For each chart on the page with a legend and `other` (".gtitle": its title;
    ".g-xtitle": its x-axis title), whether the two overlap."""
    return page.evaluate(
        f"""() => ({PLOTS}).flatMap(plot => {{
              const t = plot.querySelector('{other}'), l = plot.querySelector('.legend');
              if (!t || !l) return [];
              const a = t.getBoundingClientRect(), b = l.getBoundingClientRect();
              return [!(a.bottom <= b.top || b.bottom <= a.top || a.right <= b.left || b.right <= a.left)];
           }})"""
    )


@pytest.mark.parametrize("make", [huge_dimension, zip_bomb], ids=["huge-dimension", "zip-bomb"])
def test_a_hostile_workbook_is_refused_and_the_server_lives(
    page, running_app, tmp_path, make
) -> None:
    """Issue 13, fault 1: selecting such a file on the Data page took the server down."""
    hostile = make(tmp_path)
    page.goto(f"{running_app.url}/data")
    _wait_for_page(page, "Data")
    _upload(page, hostile)
    refusal = page.locator('[data-testid="stAlertContentError"]', has_text="cannot be imported")
    refusal.wait_for(timeout=60_000)
    assert "limit" in refusal.inner_text() or "zip bomb" in refusal.inner_text()
    with urllib.request.urlopen(f"{running_app.url}/_stcore/health", timeout=10) as response:
        assert response.read() == b"ok"


def test_an_oversized_upload_is_refused_and_the_server_lives(page, running_app, tmp_path) -> None:
    """A file over the upload limit (Streamlit's 200 MB default) is refused before it is sent;
    an upload request without a session is refused by the server."""
    oversized = tmp_path / "extract.csv"
    with oversized.open("wb") as handle:
        handle.truncate(201 * 1024 * 1024)  # sparse: the size without the disk
    page.goto(f"{running_app.url}/data")
    _wait_for_page(page, "Data")
    refusal = page.get_by_role("alert").filter(has_text="200.0MB or smaller").first
    _upload(page, oversized, until=refusal, state="attached")
    page.screenshot(path=str(ARTIFACTS / "oversized-upload.png"))
    print("\n[browser] oversized upload:", refusal.text_content())
    forged = urllib.request.Request(
        f"{running_app.url}/_stcore/upload_file/no-such-session/no-such-file",
        data=b"crime_ref\nX\n",
        method="PUT",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert 400 <= refused.value.code < 500
    with urllib.request.urlopen(f"{running_app.url}/_stcore/health", timeout=10) as response:
        assert response.read() == b"ok"


def test_a_reviewer_draws_a_dip_sample_and_records_an_answer(page, running_app) -> None:
    """Issue 18: the panel's work in the browser: draw a sample, answer a question for a case,
    see it counted in the summary."""
    page.goto(f"{running_app.url}/dip-samples")
    _wait_for_page(page, "Dip samples")
    size = page.get_by_label("Cases per district and DA group")
    size.fill("1")
    size.press("Tab")
    page.get_by_role("button", name="Draw the sample").click()
    page.get_by_text("Drew 10 cases").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Review cases").click()
    first_question = page.locator('[data-testid="stRadio"]').first
    first_question.get_by_text("yes", exact=True).click()
    page.get_by_role("button", name="Save the answers for this case").click()
    page.get_by_text("Saved 1 answer for ").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Summary").click()
    page.get_by_text("supports only wide intervals").wait_for()
