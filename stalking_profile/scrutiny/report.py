"""The panel report as a PowerPoint deck and a PDF, in the shape of the seeds' reports:
overview, cases reviewed, the summary by question, and observations with the force's
responses (record level: for those who record reviews)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

import polars as pl
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from stalking_profile.exports import FORCE_MARKING, new_deck
from stalking_profile.formatting import shortened
from stalking_profile.rounding import percent_text
from stalking_profile.scrutiny.questions import QuestionSet
from stalking_profile.scrutiny.reviews import (
    PARTLY_NOTE,
    WIDE_INTERVAL_NOTE,
    DipSample,
    by_case,
    coverage,
    observations,
    offence_of,
    reviewed_cases,
    summary,
)

# A table's rows go on a slide while they fit above TABLE_BOTTOM, each as tall as its longest
# cell's text: 15 rows to a slide at a fixed 0.35 inch ran notes 20 inches down a 7.5-inch
# slide (PowerPoint grows a row to its text; helper 80). 11 pt text, about 13 characters an
# inch, 0.19 inch a line, 0.12 inch of cell margins; the rest go on further slides.
TABLE_WIDTH, TABLE_BOTTOM = 12.0, 7.1
UNDER_TITLE, UNDER_NOTES = 1.4, 2.6  # inches: where a slide's table starts, without and with notes
CHARACTERS_PER_INCH, LINE_INCHES, CELL_INCHES = 13, 0.19, 0.12


def row_inches(row: list[str], width: float) -> float:
    """How tall a table row of cells `width` inches wide is, its text wrapped.

    >>> row_inches(["a", "b"], 6.0), round(row_inches(["x" * 200, ""], 3.0), 2)
    (0.31, 1.26)
    """
    per_line = max(1, int((width - 0.2) * CHARACTERS_PER_INCH))
    lines = max(
        (
            sum(max(1, math.ceil(len(line) / per_line)) for line in (cell.splitlines() or [""]))
            for cell in row
        ),
        default=1,
    )
    return CELL_INCHES + LINE_INCHES * lines


def slide_parts(
    header: list[str], body: list[list[str]], tops: tuple[float, float]
) -> list[list[list[str]]]:
    """The rows of each slide a table takes (at least one row each), the first slide's table
    from `tops[0]` inches, the rest from `tops[1]`, each under its header."""
    width = TABLE_WIDTH / max(len(header), 1)
    parts: list[list[list[str]]] = [[]]
    room = TABLE_BOTTOM - tops[0] - row_inches(header, width)
    for row in body:
        height = row_inches(row, width)
        if parts[-1] and height > room:
            parts.append([])
            room = TABLE_BOTTOM - tops[1] - row_inches(header, width)
        parts[-1].append(row)
        room -= height
    return parts


def _whole(text: str, characters: int) -> str:
    """`text` whole, as the PDF gives the panel's words (`shortened`'s signature)."""
    return text


def _sections(
    sample: DipSample,
    question_set: QuestionSet,
    recorded: pl.DataFrame,
    recommendations: dict[int, str] | None = None,
    cut: Callable[[str, int], str] = shortened,
) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, paragraphs, table rows with a header row) for each part of the report; the
    panel's words `cut` to fit a slide (the PDF gives them whole: it cut a case's notes at
    300 characters, and three of its four were lost: helper 80)."""
    recorded = by_case(recorded, sample, question_set)
    overview = [
        f"Population: {sample.filter_text} ({sample.population:,} offences).",
        coverage(sample, recorded),
        f"Questions: {question_set.name}.",
    ]
    cases = [["Case", "District", "DA", "Offence", "Reviewed"]] + [
        [
            row["crime_ref"],
            row["district_code"],
            "DA" if row["is_domestic"] else "non-DA",
            offence_of(row),
            "yes" if row["reviewed"] else "not yet",
        ]
        for row in reviewed_cases(sample, recorded).iter_rows(named=True)
    ]
    shares = summary(sample, recorded, question_set)
    by_question = [["Question", "Yes", "Partly", "Answered", "Share (95% interval)"]] + [
        [
            shortened(row["label"], 90),
            str(row["numerator"]),
            str(row["partly"]),
            str(row["denominator"]),
            f"{percent_text(row['rate'], 0)} ({percent_text(row['lower'], 0)} to {percent_text(row['upper'], 0)})"
            if row["denominator"]
            else "no answers",
        ]
        for row in shares.iter_rows(named=True)
    ]
    in_words = {q.key: q.text for q in question_set.questions if q.answer == "free_text"}
    words = recorded.filter(pl.col("question_key").is_in(list(in_words)) & (pl.col("answer") != ""))
    answers_in_words = [["Case", "Question", "Answer"]] + [
        [
            row["crime_ref"],
            shortened(in_words[row["question_key"]], 90),
            cut(row["answer"], 400),
        ]
        for row in words.iter_rows(named=True)
    ]
    # each case's answers, as the seeds' reports give them (the deck and the PDF had the
    # shares alone: helper 65)
    chosen = {q.key: q.text for q in question_set.questions if q.answer != "free_text"}
    findings = [["Case", "Question", "Answer", "Note"]] + [
        [
            row["crime_ref"],
            shortened(chosen[row["question_key"]], 90),
            row["answer"],
            cut(row["note"], 300),
        ]
        for row in recorded.iter_rows(named=True)
        if row["question_key"] in chosen
    ]
    seen = observations(sample, question_set, recorded, recommendations)
    observed = [["Case", "Observations", "Recommendation", "Force response"]] + [
        [
            row["case"],
            cut(row["observations"], 400),
            cut(row["recommendations"], 120),
            cut(row["response"], 400),
        ]
        for row in seen
    ]
    return [
        ("Overview", overview, []),
        ("Cases drawn", [], cases),
        ("Summary by question", [WIDE_INTERVAL_NOTE, PARTLY_NOTE], by_question),
        *([("Findings by case", [], findings)] if len(findings) > 1 else []),
        *([("Answers in words", [], answers_in_words)] if words.height else []),
        ("Observations and the force's responses", [], observed),
    ]


def _marked(slide, marking: str) -> None:
    """The report's marking at the foot of a slide, under its table (TABLE_BOTTOM)."""
    box = slide.shapes.add_textbox(
        Inches(0.6), Inches(TABLE_BOTTOM), Inches(TABLE_WIDTH), Inches(0.3)
    )
    box.text_frame.text = marking
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    paragraph.font.size, paragraph.font.bold = Pt(10), True


def pptx_bytes(
    sample: DipSample,
    question_set: QuestionSet,
    recorded: pl.DataFrame,
    recommendations: dict[int, str] | None = None,
    marking: str = FORCE_MARKING,
) -> bytes:
    """The panel report as a deck, `marking` (exports.report_marking) on every slide."""
    deck = new_deck(f"{sample.name}: panel report", marking)
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = sample.name
    title.placeholders[1].text = f"Dip-sample panel report · {question_set.name}"
    _marked(title, marking)
    for heading, paragraphs, rows in _sections(sample, question_set, recorded, recommendations):
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        # every row shown: a long table goes on over further slides, its header on each
        parts = slide_parts(header, body, (UNDER_NOTES if paragraphs else UNDER_TITLE, UNDER_TITLE))
        for number, part in enumerate(parts, start=1):
            slide = deck.slides.add_slide(deck.slide_layouts[5])
            slide.shapes.title.text = (
                heading if len(parts) == 1 else f"{heading} ({number} of {len(parts)})"
            )
            _marked(slide, marking)
            top = Inches(UNDER_TITLE)
            if paragraphs and number == 1:
                box = slide.shapes.add_textbox(
                    Inches(0.6), top, Inches(TABLE_WIDTH), Inches(UNDER_NOTES - UNDER_TITLE)
                )
                box.text_frame.word_wrap = True
                box.text_frame.text = "\n".join(paragraphs)
                for paragraph in box.text_frame.paragraphs:  # 18 pt ran into the table below
                    paragraph.font.size = Pt(12)
                top = Inches(UNDER_NOTES) if part else top
            if part:
                shown = [header, *part]
                heights = [row_inches(row, TABLE_WIDTH / len(header)) for row in shown]
                table = slide.shapes.add_table(
                    len(shown),
                    len(header),
                    Inches(0.6),
                    top,
                    Inches(TABLE_WIDTH),
                    Inches(sum(heights)),
                ).table
                for i, row in enumerate(shown):
                    table.rows[i].height = Inches(heights[i])
                    for j, value in enumerate(row):
                        table.cell(i, j).text = value
                        for paragraph in table.cell(i, j).text_frame.paragraphs:  # each line
                            paragraph.font.size = Pt(11)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def pdf_bytes(
    sample: DipSample,
    question_set: QuestionSet,
    recorded: pl.DataFrame,
    recommendations: dict[int, str] | None = None,
    marking: str = FORCE_MARKING,
) -> bytes:
    """The panel report as a PDF, `marking` (exports.report_marking) at the head and foot of
    every page."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=sample.name,
        author="Stalking Profile",
        subject=marking,
    )

    def marked(canvas, page) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        width, height = page.pagesize
        for y in (height - 1.2 * cm, 1.0 * cm):
            canvas.drawCentredString(width / 2, y, marking)
        canvas.restoreState()

    # reportlab reads a paragraph as markup: every text is escaped ("R&D" read as "R&D;", and
    # a "<b>" in a note stopped the PDF)
    story = [Paragraph(escape(sample.name), styles["Title"])]
    sections = _sections(sample, question_set, recorded, recommendations, _whole)
    for heading, paragraphs, rows in sections:
        story.append(Paragraph(escape(heading), styles["Heading2"]))
        story += [Paragraph(escape(text), styles["Normal"]) for text in paragraphs]
        if len(rows) > 1:
            body = [[Paragraph(escape(cell), styles["Normal"]) for cell in row] for row in rows]
            table = Table(body, repeatRows=1, splitInRow=1)  # a row taller than a page splits
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, "grey")]))
            story.append(table)
        story.append(Spacer(1, 0.4 * cm))
    document.build(story, onFirstPage=marked, onLaterPages=marked)
    return out.getvalue()
