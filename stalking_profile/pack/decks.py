"""Writing a pack: a PowerPoint deck (python-pptx; native, editable charts for bars and lines,
SPC limits and means as line series; the ward map as a picture) and a PDF of the same content
(reportlab, text extractable), each marked and sourced on every page."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

import polars as pl
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from stalking_profile import images
from stalking_profile.exports import new_deck
from stalking_profile.pack.charts import (
    SERIES_CHOICE,
    SERIES_COLOURS,
    SPC_LINES,
    SPECIAL_HIGH,
    SPECIAL_LOW,
    PackChart,
    figure,
    line_of,
)
from stalking_profile.pack.content import PackContent
from stalking_profile.rounding import half_up_expr
from stalking_profile.tables import NO_DATA, SUPPRESSED, column_for, python_values

WIDE, TALL = Inches(13.333), Inches(7.5)


def _notes(content: PackContent) -> str:
    definitions = "\n".join(f"{label}: {text}" for label, text in content.definitions)
    return f"{content.disclosure}\n\nDefinitions\n{definitions}"


def _footer(content: PackContent) -> str:
    """Each slide's provenance, so a slide lifted into a paper still says what it shows: the
    filter, the data and the marking."""
    fields = dict(content.provenance.fields())
    text = f"{content.period} · {fields['Data']} · {fields['Marking']}"
    return text + (" · SYNTHETIC DATA" if content.provenance.synthetic else "")


def _coverage(content: PackContent) -> list[str]:
    """The extract's coverage warning as the title page's line, where there is one."""
    coverage = content.provenance.coverage
    return [f"Coverage: {coverage}"] if coverage else []


def _place(shape, left: float, top: float, width, height: float) -> None:
    """Put a shape where a 16:9 slide wants it (the default template's boxes are for 4:3)."""
    shape.left, shape.top, shape.width, shape.height = (
        Inches(left),
        Inches(top),
        width,
        Inches(height),
    )


def _slide(deck, content: PackContent, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = title
    _place(slide.shapes.title, 0.5, 0.25, WIDE - Inches(1), 1.1)
    slide.shapes.title.text_frame.word_wrap = True
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(26 if len(title) > 60 else 30)
    footer = slide.shapes.add_textbox(
        Inches(0.5), TALL - Inches(0.55), WIDE - Inches(1), Inches(0.4)
    )
    footer.text_frame.word_wrap = True  # a long force or district name: two lines, not off
    footer.text_frame.text = _footer(content)
    footer.text_frame.paragraphs[0].font.size = Pt(11)
    slide.notes_slide.notes_text_frame.text = _notes(content)
    return slide


TEXT_TOP, FOOTER_TOP = 1.5, 6.95  # inches: under a slide's title; its footer
TEXT_WIDTH = Emu(WIDE - Inches(1.2)).inches  # a slide's text and charts, 0.6 inch each side
DISTRICTS_TITLE = "Offences by district: this period and the previous"
RECOMMENDATION_ROWS = 16  # 0.28 inch each, with the header, end at 6.3 inches: above its note
# Calibri's characters an inch, at 1 pt (about 0.5 em each on average), and a line's height
CHARACTERS_PER_INCH_PT, LINE_EM = 72 / 0.5, 1.2


def text_inches(paragraphs: Sequence[str], size: float, width: float, after: float = 0) -> float:
    """How tall `paragraphs` of `size`-point text wrap to in a box `width` inches wide (each
    followed by `after` points).

    >>> round(text_inches(["x" * 100], 18, 12.1), 2), round(text_inches(["a", "b"], 12, 6), 2)
    (0.6, 0.4)
    """
    per_line = max(1, int(width * CHARACTERS_PER_INCH_PT / size))
    lines = sum(max(1, math.ceil(len(text) / per_line)) for text in paragraphs)
    return (lines * size * LINE_EM + len(paragraphs) * after) / 72


def _text(slide, *paragraphs: str) -> None:
    """Paragraphs of text filling the slide under its title, at 18 pt, or smaller where they
    would not fit above its footer (11 findings of a period across two rule changes ran over
    the footer and off the slide at 18 pt: helper 83)."""
    room = FOOTER_TOP - 0.1 - TEXT_TOP
    fits = (s for s in (18, 16, 14, 12) if text_inches(paragraphs, s, TEXT_WIDTH, 8) <= room)
    size = next(fits, 11)
    box = slide.shapes.add_textbox(Inches(0.6), Inches(TEXT_TOP), WIDE - Inches(1.2), Inches(room))
    box.text_frame.word_wrap = True
    for index, text in enumerate(paragraphs):
        paragraph = box.text_frame.paragraphs[0] if index == 0 else box.text_frame.add_paragraph()
        paragraph.text = text
        paragraph.font.size = Pt(size)
        paragraph.space_after = Pt(8)


def _note_inches(text: str) -> float:
    """How tall a slide's note under its chart is (12 pt, wrapped)."""
    return text_inches([text], 12, TEXT_WIDTH) + 0.1


def _note(slide, text: str) -> None:
    """Lines under the slide's chart or table, above its footer, wrapped (one line, it ran 37
    inches off a 13-inch slide: the withheld bars of a publication pack's outcome groups)."""
    height = _note_inches(text)
    note = slide.shapes.add_textbox(
        Inches(0.6), Inches(FOOTER_TOP - height), WIDE - Inches(1.2), Inches(height)
    )
    note.text_frame.word_wrap = True
    note.text_frame.text = text
    note.text_frame.paragraphs[0].font.size = Pt(12)


def _chart(slide, shown: PackChart):
    """A native chart under the slide's title; where a value is withheld, a line under it
    says what is left out (PackChart.withheld_note: a gap read as a zero, or as nothing)."""
    note = shown.withheld_note
    if note:
        _note(slide, note)
    data = CategoryChartData(number_format="0%" if shown.percent else "#,##0")
    data.categories = list(shown.categories)
    series = shown.series
    for name, values in series.items():
        data.add_series(name, values)
    # markers: a month between two withheld ones, or a one-month pack's, is a point
    kind = XL_CHART_TYPE.BAR_CLUSTERED if shown.kind == "bar" else XL_CHART_TYPE.LINE_MARKERS
    bottom = FOOTER_TOP - (_note_inches(note) if note else 0.0) - 0.05
    frame = slide.shapes.add_chart(
        kind, Inches(0.6), Inches(TEXT_TOP), WIDE - Inches(1.2), Inches(bottom - TEXT_TOP), data
    )
    _described(frame, f"{slide.shapes.title.text}: chart of {', '.join(series)}")
    chart = frame.chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    chart.font.size = Pt(14)
    if not shown.percent and shown.largest < 5:  # whole counts: 0, 1, 2 ..., not 0.2 steps
        chart.value_axis.major_unit = 1
        chart.value_axis.tick_labels.number_format = "#,##0"
        chart.value_axis.tick_labels.number_format_is_linked = False
    _styled(chart, shown.kind)
    return chart


# A native series' look beside its colour, by DA choice (charts.PATTERNS, DASHES, SYMBOLS): DA
# and non-DA had differed by PowerPoint's theme colours alone (WCAG 1.4.1).
_PATTERN = {"non_domestic": MSO_PATTERN.WIDE_UPWARD_DIAGONAL, "all": MSO_PATTERN.SMALL_CONFETTI}
_DASH = {"non_domestic": MSO_LINE_DASH_STYLE.DASH, "all": MSO_LINE_DASH_STYLE.ROUND_DOT}
_MARKER = {
    "domestic": XL_MARKER_STYLE.CIRCLE,
    "non_domestic": XL_MARKER_STYLE.SQUARE,
    "all": XL_MARKER_STYLE.DIAMOND,
}


def _styled(chart, kind: str) -> None:
    """Each series in the dashboard's colour, and DA, non-DA and both told apart by a bar's
    pattern or a line's dash and marker too; the SPC mean and limits dashed, as the PDF draws
    them."""
    for series in chart.plots[0].series:
        rgb = _rgb(SERIES_COLOURS.get(series.name))
        choice = SERIES_CHOICE.get(series.name, "")
        if kind == "bar":
            fill = series.format.fill
            if choice in _PATTERN:
                fill.patterned()
                fill.pattern = _PATTERN[choice]
                fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            else:
                fill.solid()
            if rgb is not None:
                fill.fore_color.rgb = rgb
            continue
        line = series.format.line
        rgb = rgb or _rgb(SERIES_COLOURS.get(line_of(series.name)))
        if rgb is not None:
            line.color.rgb = rgb
        if series.name in (SPECIAL_HIGH, SPECIAL_LOW):  # markers alone, as the page draws them
            line.fill.background()
            series.marker.style = XL_MARKER_STYLE.TRIANGLE
            series.marker.size = 11
            series.marker.format.fill.solid()
            if rgb is not None:
                series.marker.format.fill.fore_color.rgb = rgb
            continue
        if line_of(series.name) in SPC_LINES:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
        elif choice in _DASH:
            line.dash_style = _DASH[choice]
        if choice in _MARKER:  # the others keep PowerPoint's (a line chart with markers)
            series.marker.style = _MARKER[choice]


def _rgb(colour: str | None) -> RGBColor | None:
    return RGBColor.from_string(colour.lstrip("#")) if colour else None


def _described(shape, text: str) -> None:
    """A picture's or chart's alternative text, for a screen reader (a map was "image.png")."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def _table(slide, frame: pl.DataFrame, widths: Sequence[float]) -> None:
    rows, columns = frame.height + 1, frame.width
    shape = slide.shapes.add_table(
        rows, columns, Inches(0.6), Inches(1.5), Inches(sum(widths)), Inches(0.4) * rows
    )
    table = shape.table
    for column, (name, width) in enumerate(zip(frame.columns, widths, strict=True)):
        table.columns[column].width = Inches(width)
        table.cell(0, column).text = name
        for row, value in enumerate(frame[name].to_list(), start=1):
            table.cell(row, column).text = "" if value is None else str(value)
            table.cell(row, column).text_frame.paragraphs[0].font.size = Pt(14)


def _percent_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Rates as percentages: "no data" where there is nothing to divide by (a filter with no
    offences read "suppressed" in an internal pack), "suppressed" where withheld."""
    return frame.with_columns(
        pl.when(pl.col("rate").is_not_null())
        .then(half_up_expr(pl.col("rate") * 100, 1).cast(pl.String) + "%")
        .when(pl.col("denominator") == 0)
        .then(pl.lit(NO_DATA))
        .otherwise(pl.lit(SUPPRESSED))
        .alias("rate")
    )


def _for_slide(frame: pl.DataFrame) -> pl.DataFrame:
    """A pack table in the dashboard's words: its columns under their labels (tables.COLUMNS;
    a rate already written as a percentage is "Rate"), whole numbers with thousands
    separators, nothing left as None."""
    counts = [name for name, dtype in frame.schema.items() if dtype.is_integer()]
    shown = frame.with_columns(  # a count is missing only where publication mode withheld it
        python_values(frame[name], "{:,}".format, pl.String).fill_null(SUPPRESSED)
        for name in counts
    )
    labels = {name: "Rate" if name == "rate" else column_for(name).label for name in frame.columns}
    return shown.fill_null("").rename(labels)


def map_picture(content: PackContent) -> bytes | None:
    """The ward map as a slide-sized PNG with its provenance (None: the pack has no map).
    Rendered once for both files: drawing every ward in the browser is the slowest image."""
    if content.map_figure is None:
        return None
    return images.render(images.for_slide(content.map_figure, content.provenance), "png")


def pptx_bytes(content: PackContent, map_png: bytes | None) -> bytes:
    """The pack as a PowerPoint deck (16:9); `map_png`: map_picture's."""
    deck = new_deck(content.title, content.provenance.marking)
    deck.slide_width, deck.slide_height = WIDE, TALL
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = content.title
    _place(title.shapes.title, 0.6, 0.5, WIDE - Inches(1.2), 1.6)
    title.shapes.title.text_frame.word_wrap = True
    title.shapes.title.text_frame.paragraphs[0].font.size = Pt(36)
    # the template's subtitle (7 x 1.9 in at 32 pt) cut the disclosure statement off the slide
    subtitle = title.placeholders[1]
    _place(subtitle, 0.6, 2.3, WIDE - Inches(1.2), 4.6)
    subtitle.text_frame.word_wrap = True
    lines = [
        (content.period, 24),
        (_footer(content), 16),
        (f"Exported {dict(content.provenance.fields())['Exported']}", 14),
        *((line, 14) for line in _coverage(content)),
        (f"Disclosure control: {content.disclosure}", 12),
    ]
    for index, (text, size) in enumerate(lines):
        paragraph = (
            subtitle.text_frame.paragraphs[0] if index == 0 else subtitle.text_frame.add_paragraph()
        )
        paragraph.text = text
        paragraph.font.size = Pt(size)
        paragraph.alignment = PP_ALIGN.LEFT
    title.notes_slide.notes_text_frame.text = _notes(content)

    slide = _slide(deck, content, "Headline figures")
    _table(slide, _for_slide(content.headline), [3.4, 1.6, 1.8, 1.6, 3.0])

    slide = _slide(deck, content, "Key findings")
    _text(slide, *(f"• {finding.text}" for finding in content.findings))

    for chart in content.charts:
        slide = _slide(deck, content, chart.title)
        if chart.empty:
            _text(slide, chart.empty)
            continue
        _chart(slide, chart)

    if content.districts is not None and content.districts.height:
        slide = _slide(deck, content, DISTRICTS_TITLE)
        first = 3.2 if content.districts.width > 4 else 4.4
        rest = (WIDE / Inches(1) - 1.2 - first) / (content.districts.width - 1)
        _table(slide, content.districts, [first, *[rest] * (content.districts.width - 1)])
        _note(slide, content.districts_note)

    if map_png is not None:
        slide = _slide(deck, content, "Offences by ward")
        picture = slide.shapes.add_picture(
            io.BytesIO(map_png), Inches(1.4), Inches(1.2), height=TALL - Inches(1.9)
        )
        _described(picture, f"Map of offences by ward: {content.period}")

    slide = _slide(deck, content, "Data quality: read the figures with these in mind")
    _table(slide, _for_slide(_percent_table(content.quality)), [6.0, 1.8, 1.8, 1.6])

    if content.recommendations is not None and content.recommendations.height:
        slide = _slide(deck, content, "Recommendations: latest status as stated")
        # the rows that end above the note (18 ran under it)
        _table(slide, content.recommendations.head(RECOMMENDATION_ROWS), [0.7, 2.6, 2.2, 1.6, 2.4])
        for row in slide.shapes[-1].table.rows:
            row.height = Inches(0.28)
            for cell in row.cells:
                cell.text_frame.paragraphs[0].font.size = Pt(10)
        notes = [content.recommendations_source]
        if content.recommendations.height > RECOMMENDATION_ROWS:  # said, not cut in silence
            more = content.recommendations.height - RECOMMENDATION_ROWS
            notes.append(f"And {more:,} more: every recommendation is in the PDF.")
        if any(notes):
            _note(slide, " ".join(note for note in notes if note))

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def pdf_bytes(content: PackContent, map_png: bytes | None) -> bytes:
    """The same content as a PDF (A4 landscape; the charts as images, the text extractable);
    `map_png`: map_picture's."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=content.title,
        author="Stalking Profile",
        subject=content.provenance.marking,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.5 * cm,
    )
    footer = _footer(content)

    def mark(canvas, _document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(1.5 * cm, 0.8 * cm, footer)
        canvas.restoreState()

    def table(frame: pl.DataFrame) -> Table:
        rows = [frame.columns, *[["" if v is None else str(v) for v in r] for r in frame.rows()]]
        shown = Table(rows, repeatRows=1)
        shown.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                ]
            )
        )
        return shown

    def picture(png: bytes) -> Image:
        return Image(io.BytesIO(png), width=24 * cm, height=13.5 * cm)

    def chart(figure) -> Image:
        drawn = images.for_slide(figure, content.provenance)
        # the page's heading above it is its title: each chart's title was on its page twice
        # (helper 91)
        drawn.update_layout(title_text=None, margin_t=40)
        return picture(images.render(drawn, "png"))

    def words(text: str, style: str = "Normal") -> Paragraph:
        """A paragraph of plain text: reportlab reads a paragraph as markup, so a force name
        with "<b" in it stopped the pack, and an <img> in one drew a file from the server."""
        return Paragraph(escape(text), styles[style])

    # the first page says in one line what disclosure control was applied, the whole
    # statement closing the document: ten lines of it came before the headline figures, the
    # first thing a public paper's reader saw (helper 84)
    below = content.provenance.suppressed_below
    control = (
        f"Publication mode: counts under {below} suppressed, and others withheld so that none "
        "can be worked out; the whole statement is on the last page."
        if below
        else content.disclosure
    )
    story = [
        words(content.title, "Title"),
        words(content.period, "Heading2"),
        words(footer),
        *[words(line) for line in _coverage(content)],
        words(f"Disclosure control: {control}"),
        Spacer(1, 0.4 * cm),
        words("Headline figures", "Heading2"),
        table(_for_slide(content.headline)),
        # the findings together, on a page of their own where they do not fit under the
        # table (a heading and one bullet sat at a page's foot, the rest over the page)
        KeepTogether(
            [
                words("Key findings", "Heading2"),
                *[words(f"• {finding.text}") for finding in content.findings],
            ]
        ),
    ]
    for shown in content.charts:
        drawn = [words(shown.empty)] if shown.empty else [chart(figure(shown))]
        if shown.withheld_note and not shown.empty:  # the PDF's readers saw withheld bars as 0
            drawn.append(words(shown.withheld_note))
        story += [PageBreak(), words(shown.title, "Heading2"), *drawn]
    if content.districts is not None and content.districts.height:
        story += [
            PageBreak(),
            words(DISTRICTS_TITLE, "Heading2"),
            table(content.districts),
            Spacer(1, 0.3 * cm),
            words(content.districts_note),
        ]
    if map_png is not None:
        story += [PageBreak(), words("Offences by ward", "Heading2"), picture(map_png)]
    story += [
        PageBreak(),
        words("Data quality", "Heading2"),
        table(_for_slide(_percent_table(content.quality))),
        *(
            [
                words("Recommendations: latest status as stated", "Heading2"),
                *(
                    [words(content.recommendations_source)]
                    if content.recommendations_source
                    else []
                ),
                table(content.recommendations),
            ]
            if content.recommendations is not None and content.recommendations.height
            else []
        ),
        words("Definitions", "Heading2"),
        *[
            Paragraph(f"<b>{escape(label)}</b>: {escape(text)}", styles["Normal"])
            for label, text in content.definitions
        ],
        *([words("Disclosure control", "Heading2"), words(content.disclosure)] if below else []),
    ]
    document.build(story, onFirstPage=mark, onLaterPages=mark)
    return out.getvalue()
