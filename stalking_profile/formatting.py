"""Plain-text formatting of figures, shared by pages, tables and exports."""

from __future__ import annotations

import html
import math
import re

import polars as pl

from stalking_profile.filters import DOMESTIC_CHOICES
from stalking_profile.measures.indicators import OUTCOME_INDICATORS
from stalking_profile.measures.spc import MINIMUM_POINTS
from stalking_profile.rounding import percent_text
from stalking_profile.tables import SPC_VARIATION_WITHHELD, SUPPRESSED

MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark
SMALL_NUMBERS = "Small numbers: treat with caution."  # said beside a figure on few numbers


def literal(text: str) -> str:
    r"""Text from a user's file (a file or column name, a refused value) as Streamlit's
    Markdown shows it: as written, never a link, an image that loads from elsewhere, or
    formatting (every ASCII punctuation mark escaped, line breaks as spaces).

    >>> print(literal("![x](http://host/b.png) **bold**"))
    \!\[x\]\(http\:\/\/host\/b\.png\) \*\*bold\*\*
    """
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.splitlines()))


def literal_lines(text: str) -> str:
    r"""`literal`, line by line: text a user typed over several lines (a tracker's progress)
    shown as written, each line its own.

    >>> literal_lines("- Funded\n![b](x)").split("  \n")
    ['\\- Funded', '\\!\\[b\\]\\(x\\)']
    """
    return "  \n".join(literal(line) for line in text.splitlines())


def drawn_literal(text: str) -> str:
    """Text from a user's file (a district's code, a ward's name, a tracker's status) as a
    chart draws it: as written. Plotly reads tags in any text it draws (an `<a href>` in a
    district code became a link on the axis, `<b>` bold), and entities too, so `&`, `<` and
    `>` are given as entities, which it draws as the characters.

    >>> drawn_literal('<a href="http://host">BD</a> & CD')
    '&lt;a href="http://host"&gt;BD&lt;/a&gt; &amp; CD'
    """
    return html.escape(text, quote=False)


def shortened(text: str, characters: int) -> str:
    """`text` whole, or cut to `characters` with an ellipsis saying so.

    >>> shortened("Recommendation 12", 10)
    'Recommend…'
    """
    return text if len(text) <= characters else text[: characters - 1].rstrip() + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 row', '2 rows' ('1 offence was', '2 offences were' with `many` given)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def percent(value: float | None, decimals: int = 1) -> str:
    """0.0272 -> '2.7%' (a half rounded away from zero: rounding.half_up); None or NaN ->
    'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    return percent_text(value, decimals)


def signed_percent(value: float | None, decimals: int = 1) -> str:
    """0.865 -> '+86.5%'; no change, as rounded, unsigned ('0.0%', not '+0.0%' for 6 against
    6); None -> 'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    text = percent_text(value, decimals, signed=True)
    return text[1:] if float(text[1:-1]) == 0 else text


def count(value: int | float | None) -> str:
    """6129 -> '6,129'."""
    return "no data" if value is None else f"{int(value):,}"


def interval(
    lower: float | None, upper: float | None, decimals: int = 1, signed: bool = False
) -> str:
    """'95% CI 2.3% to 3.2%' or '' when there is no interval; `signed`, a change's, with its
    signs ('-78.2% to +780.9%': '-78.2% to 780.9%' had read as a span of rates)."""
    if lower is None or upper is None:
        return ""
    shown = signed_percent if signed else percent
    return f"95% CI {shown(lower, decimals)} to {shown(upper, decimals)}"


def p_value(value: float | None) -> str:
    """'p < 0.001', 'p = 0.03'; '' when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


WITHHELD_WHY = (
    "Withheld in publication mode: its count is small, or, beside the figures published on "
    "this and the other pages, it would let a small count be worked out. So it need not be "
    "small itself."
)


def headline_help(
    row: dict,
    change: dict | None = None,
    share: dict | None = None,
    year_earlier: dict | None = None,
) -> str:
    """The tooltip of a headline tile: definition, counts, interval, small-number warning;
    with `change`, the change on the previous period (the offences tile), and with
    `year_earlier` the change on the same months a year earlier; with `share`, a share of the
    offences (the DA offences tile)."""
    parts = [str(row["definition"])]
    no_offences = row["kind"] in ("rate", "share") and row["denominator"] == 0
    if no_offences:
        parts.append("No offences in the period, so no rate.")
    elif row["kind"] in ("rate", "share") and row["numerator"] is None:  # "suppressed of 6,620"
        parts.append(f"Of {_shown(row['denominator'])} offences: the number {SUPPRESSED}.")
        parts.append(interval(row["lower"], row["upper"]))
        if row["value"] is None:
            parts.append(WITHHELD_WHY)
    elif row["kind"] in ("rate", "share"):
        parts.append(f"{_shown(row['numerator'])} of {_shown(row['denominator'])}.")
        parts.append(interval(row["lower"], row["upper"]))
        if row["value"] is None:  # the tile read "suppressed", and nothing said why (helper 64)
            parts.append(WITHHELD_WHY)
    if share is not None and share["value"] is not None:
        parts.append(
            f"{share['label']}: {_shown(share['numerator'])} of {_shown(share['denominator'])} "
            f"offences ({percent(share['value'])}, {interval(share['lower'], share['upper'])})."
        )
    if change is not None and change["denominator"] is None:
        parts.append(
            "There is no previous period in the data to compare with."
            if _not_in_data(change)
            else f"The change is {SUPPRESSED}: a count it compares is withheld."
        )
    elif change is not None:
        parts.append(
            _change_help(change)
            + " This is one comparison on its own: the Trends page's table of districts calls "
            "a change more than chance only where its q-value, which allows for the table's "
            "many comparisons, is under 0.05."
        )
    if year_earlier is not None and year_earlier["denominator"] is None:
        parts.append(
            "The data hold none of the same months a year earlier to compare with."
            if _not_in_data(year_earlier)
            else f"The change on a year earlier is {SUPPRESSED}: a count it compares is withheld."
        )
    elif year_earlier is not None:
        parts.append(_change_help(year_earlier) + " Seasons aside, as the months are the same.")
    if row["is_small"] and not no_offences:  # 0 of 0 is no data, not a small number
        parts.append(SMALL_NUMBERS)
    return " ".join(part for part in parts if part)


def _not_in_data(change: dict) -> bool:
    """Whether a change has nothing to compare with because the data hold no earlier period
    (its label says so: Comparison.change_label), not because its earlier count is withheld."""
    return str(change["label"]).endswith("in the data")


def _change_help(change: dict) -> str:
    """A change row in words: its counts, value, interval, p-value and method; a change from
    none as such (2 against 0 had read "no data (, p = 0.500)")."""
    like = " (like for like: the same months of each period that the data cover)"
    method = change["definition"].split("; ", 1)[-1]
    value = (
        "a change from none has no percentage"
        if change["value"] is None and change["denominator"] == 0
        # both counts there and no change: publication mode withheld it ("no data" had said)
        else SUPPRESSED
        if change["value"] is None
        else signed_percent(change["value"])
    )
    figures = ", ".join(
        part
        for part in (
            interval(change["lower"], change["upper"], signed=True),
            p_value(change["p_value"]),
        )
        if part
    )
    return (
        f"{change['label']}: {_shown(change['numerator'])} against "
        f"{_shown(change['denominator'])}"
        + (like if "like for like" in change["label"] else "")
        + f": {value}"
        + (f" ({figures})" if figures else "")
        + "."
        # withheld with the test, the definition is "suppressed" ("Suppressed Seasons aside")
        + ("" if method == SUPPRESSED else f" {method[:1].upper()}{method[1:]}")
    )


def _shown(value: int | float | None) -> str:
    """A count behind a headline figure: a count that has one is never missing but withheld
    in publication mode ("no data of 11" had read as if nothing was recorded)."""
    return SUPPRESSED if value is None else count(value)


NO_OUTCOMES = "no outcomes loaded"


def headline_value(row: dict, outcomes_loaded: bool = True) -> str:
    """The big number of a headline tile: 'suppressed' where publication mode withheld it (a
    count, or a rate of offences there were: "no data" had read as if nothing was recorded),
    'no data' for a rate of no offences, 'no outcomes loaded' for an outcome rate where the
    database holds no outcome (it read 0.0%: no offence charged)."""
    if not outcomes_loaded and row.get("indicator") in OUTCOME_INDICATORS:
        return NO_OUTCOMES
    if row["value"] is None and (row["kind"] == "count" or row.get("denominator") != 0):
        return SUPPRESSED
    return count(row["value"]) if row["kind"] == "count" else percent(row["value"])


def without_outcomes(
    headline: pl.DataFrame, table: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The headline and its table where the database holds no outcome: each outcome rate's
    value, interval and count blank, and the table saying 'no outcomes loaded' (the pack's
    findings then leave outcomes out, as for a rate withheld)."""
    rows = pl.col("indicator").is_in(sorted(OUTCOME_INDICATORS))
    labels = headline.filter(rows)["label"].implode()
    shown = pl.col("figure").is_in(labels)
    return (
        headline.with_columns(
            pl.when(rows).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "numerator", "lower", "upper")
        ),
        table.with_columns(
            pl.when(shown).then(pl.lit(NO_OUTCOMES)).otherwise(pl.col("value")).alias("value"),
            *(
                pl.when(shown).then(pl.lit("")).otherwise(pl.col(c)).alias(c)
                for c in ("numerator", "interval")
            ),
        ),
    )


def headline_tiles(headline: pl.DataFrame) -> pl.DataFrame:
    """The headline rows shown as tiles: every count and rate (the change goes into the
    offences tile, the DA share into the DA offences tile's explanation)."""
    return headline.filter(pl.col("kind").is_in(["count", "rate"]))


NONE_BEFORE = "none before"  # a change on a previous period with no offences: no percentage


def change_value(row: dict) -> str:
    """The change on the previous period as a table writes it: '+86.5%'; 'none before' where
    the previous period had no offences (a change from none has no percentage: "no data" read
    as if the month were missing from the data); 'no data' where there is nothing to compare."""
    if row["value"] is None and row.get("denominator") == 0:
        return NONE_BEFORE
    return signed_percent(row["value"])


def headline_table(headline: pl.DataFrame) -> pl.DataFrame:
    """The headline indicators as a readable table, one row per figure (a handful of rows):
    the value as shown on its tile, the counts behind it, its 95% interval in words. A
    change's previous count says it is the period before's: under "Out of" alone, the change
    row read "6,620 out of 4,295" ("4,295 before", short enough not to be cut off; "a year
    before" for the change on the same months a year earlier)."""
    before = {"change": " before", "change_year_earlier": " a year before"}
    suffixes = [before.get(key, "") for key in headline["indicator"]]
    shown = [
        change_value(row) if row["kind"] == "change" else headline_value(row)
        for row in headline.select("kind", "value", "denominator").iter_rows(named=True)
    ]
    intervals = [
        interval(row["lower"], row["upper"], signed=row["kind"] == "change").removeprefix("95% CI ")
        for row in headline.select("kind", "lower", "upper").iter_rows(named=True)
    ]
    return headline.select(
        pl.col("label").alias("figure"),
        pl.Series("value", shown, dtype=pl.String),
        pl.Series("numerator", [count(v) for v in headline["numerator"]], dtype=pl.String),
        pl.Series(
            "denominator",
            [
                "" if v is None else count(v) + suffix
                for v, suffix in zip(headline["denominator"], suffixes, strict=True)
            ],
            dtype=pl.String,
        ),
        pl.Series("interval", intervals, dtype=pl.String),
        "p_value",
        "is_small",
        "definition",
    )


def period_table_display(
    table: pl.DataFrame, categories: tuple[str, ...] = ("all", "domestic", "non_domestic")
) -> pl.DataFrame:
    """The period comparison in the problem profile's shape, as text: rows are this period,
    the previous period and the % change for each of `categories` (all, DA, non-DA); columns
    are the districts and the roll-up areas. A change marked * is more than chance: its
    q-value (the p-value corrected for the districts tested together) under 0.05. A change
    from none reads "none before" (it read "no data" beside "previous period 0": helper 78)."""
    districts = table["district_code"].unique(maintain_order=True).to_list()
    names = DOMESTIC_CHOICES
    lines: list[dict[str, str]] = []
    for category, name in ((c, names[c]) for c in categories):
        cells = {
            row["district_code"]: row
            for row in table.filter(pl.col("category") == category).iter_rows(named=True)
        }
        lines.append(
            {
                "Offences": f"{name}: this period",
                **{d: count(cells[d]["current"]) for d in districts},
            }
        )
        lines.append(
            {
                "Offences": f"{name}: previous period",
                **{d: count(cells[d]["previous"]) for d in districts},
            }
        )
        lines.append(
            {
                "Offences": f"{name}: change",
                **{
                    d: change_value(  # "none before" from none, as the Overview says
                        {
                            "value": None
                            if cells[d]["change_pct"] is None
                            else cells[d]["change_pct"] / 100,
                            "denominator": cells[d]["previous"],
                        }
                    )
                    + ("*" if cells[d]["significant"] else "")
                    for d in districts
                },
            }
        )
    return pl.DataFrame(lines)


VARIATION_ICONS: dict[str, str] = {
    "common cause": "○ common cause",
    "special cause - improving": "● special cause: improving",
    "special cause - concerning": "▲ special cause: concerning",
    "special cause - high": "↑ special cause: higher",
    "special cause - low": "↓ special cause: lower",
    "too few points": "too few points",
}


def scorecard_display(card: pl.DataFrame, icons: dict[str, str] = VARIATION_ICONS) -> pl.DataFrame:
    """The scorecard as text: latest month and value, mean, process limits, variation.

    Counts show as whole numbers and their mean and limits to one decimal place, so a latest
    value of 4 beyond an upper limit of 3.8 never reads "limits 2 to 4"; rates are percentages
    with limits clipped to 0-100%, counts' lower limits to 0.
    """

    def shown(value: float | None, is_rate: bool, decimals: int, missing: str = "no data") -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return missing
        return percent(value) if is_rate else f"{value:,.{decimals}f}"

    rows = []
    for row in card.iter_rows(named=True):
        is_rate = row["is_rate"]
        # publication mode: a withheld month takes the limits with it, and a count's latest
        # value is missing only when withheld ("no data" read as nothing recorded)
        series_withheld = row["variation"] == SPC_VARIATION_WITHHELD
        latest_missing = SUPPRESSED if series_withheld or not is_rate else "no data"
        limits_missing = "withheld" if series_withheld else "no data"
        ceiling = 1.0 if is_rate else math.inf
        lower = None if row["lower_limit"] is None else max(row["lower_limit"], 0.0)
        upper = None if row["upper_limit"] is None else min(row["upper_limit"], ceiling)
        rows.append(
            {
                "indicator": row["label"],
                "latest month": row["latest_month"].strftime("%b %Y"),
                "latest": shown(row["latest_value"], is_rate, 0, latest_missing),
                # withheld with the limits (it read "no data" beside "withheld": helper 71)
                "mean": shown(row["mean"], is_rate, 1, limits_missing),
                "process limits": (
                    f"none: {row['months']} of the {MINIMUM_POINTS} points needed"
                    if row["months"] < MINIMUM_POINTS
                    else "none: limits are recalculated from this month"
                    if row["upper_limit"] is None and not series_withheld
                    else limits_missing
                    if lower is None and upper is None
                    else f"{shown(lower, is_rate, 1, limits_missing)} to "
                    f"{shown(upper, is_rate, 1, limits_missing)}"
                ),
                "variation": icons.get(row["variation"], row["variation"]),
                "better when": {"up": "higher", "down": "lower", "neither": "—"}[
                    row["improvement"]
                ],
                "assurance": row["assurance"],
            }
        )
    frame = pl.DataFrame(rows)
    return frame.rename({name: name.capitalize() for name in frame.columns})
