"""Tables as users read them: every column named in their words, one precision per column,
p-values as "< 0.001" and significance in words.

One registry (`COLUMNS`) maps the measures' column names to a label and a kind; `for_display`
turns any measure frame into the table a page shows and a download holds, so the two are the
same and no raw name (`ward_name`, `da_rate`, `is_small`) reaches a user. Rates are shown as
percentages to one decimal place ("Rate (%)"), ward rates per 1,000 residents to two.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import polars as pl

from stalking_profile.filters import DOMESTIC_CHOICES
from stalking_profile.rounding import half_up_expr

Kind = Literal[
    "text",
    "count",
    "signed_count",
    "percent",
    "percent_points",
    "signed_percent_points",
    "per_1000",
    "decimal",
    "decimal2",
    "p_value",
    "significance",
    "yes_no",
    "small",
    "month",
    "date",
    "category",
    "district",
]

# A table's row for every district the filter selects is "All" in the measures (the civil
# orders' take-up, the victim contact by district); other pages call the same thing "Selected
# districts" and the force's every district "Force", and "All" read as the force.
SELECTED_DISTRICTS = "Selected districts"


@dataclass(frozen=True)
class Column:
    """How one measure column is shown: its label and its kind (which fixes the precision)."""

    label: str
    kind: Kind = "text"


COLUMNS: dict[str, Column] = {
    # the scrutiny pages' and the users' lists (helper 65: "name", "seed", "at" on screen)
    "name": Column("Name"),
    "seed": Column("Seed"),  # a number to type again, not a count: no thousands separators
    "position": Column("Case", "count"),
    "username": Column("User"),
    "role": Column("Role"),
    "disabled": Column("Disabled"),
    "at": Column("When"),
    "result": Column("Result"),  # an audit event's: ok, refused, started
    "filter": Column("Filter"),
    # periods and places
    "recorded_month": Column("Month recorded", "month"),
    "month": Column("Month recorded", "month"),
    "latest_month": Column("Latest month", "month"),
    "recorded_date": Column("Recorded", "date"),
    "outcome_date": Column("Outcome date", "date"),
    "district_code": Column("District", "district"),
    "ward_code": Column("Ward code"),
    "ward_name": Column("Ward"),
    "category": Column("DA / non-DA", "category"),
    "label": Column("Measure"),
    "figure": Column("Figure"),
    "value": Column("Value"),
    "definition": Column("Definition"),
    "description": Column("What it counts"),
    # counts
    "offences": Column("Offences", "count"),
    "domestic": Column("DA offences", "count"),
    "non_domestic": Column("Non-DA offences", "count"),
    "offences_total": Column("All offences", "count"),
    "rolling_12m_total": Column("Rolling 12-month total", "count"),
    "rolling_12m_average": Column("Rolling 12-month average per month", "decimal"),
    "current": Column("This period", "count"),
    "previous": Column("Previous period", "count"),
    "previous_offences": Column("Previous period", "count"),
    "change": Column("Change", "signed_count"),
    "change_pct": Column("Change (%)", "signed_percent_points"),
    "change_lower": Column("Change 95% interval from (%)", "signed_percent_points"),
    "change_upper": Column("Change 95% interval to (%)", "signed_percent_points"),
    "numerator": Column("Offences counted", "count"),
    "denominator": Column("Out of", "count"),
    "category_total": Column("All offences in the category", "count"),
    "population": Column("Residents", "count"),  # the population loaded (the demo: mid-2019)
    "rank": Column("Rank", "count"),
    "median_days": Column("Median days to outcome", "count"),
    "median_lower": Column("Median 95% interval from (days)", "count"),
    "median_upper": Column("Median 95% interval to (days)", "count"),
    "followed_share": Column("Offences followed up that long (%)", "percent"),
    "recorded": Column("Offences recorded", "count"),
    "note": Column("Note"),
    "offences_with_outcome": Column("Offences with an outcome", "count"),
    "offences_in_span": Column("Offences over the quarters", "count"),
    "periods_hot": Column("Quarters hot", "count"),
    "periods_cold": Column("Quarters cold", "count"),
    "rows_read": Column("Rows read", "count"),
    "rows_accepted": Column("Rows accepted", "count"),
    "rows_rejected": Column("Rows refused", "count"),
    "rows_refused": Column("Rows refused", "count"),
    "row_number": Column("Row", "count"),
    "da_numerator": Column("DA offences counted", "count"),
    "da_denominator": Column("DA offences", "count"),
    "non_da_numerator": Column("Non-DA offences counted", "count"),
    "non_da_denominator": Column("Non-DA offences", "count"),
    # rates
    "rate": Column("Rate (%)", "percent"),
    "share": Column("Share (%)", "percent"),
    "lower": Column("95% interval from (%)", "percent"),
    "upper": Column("95% interval to (%)", "percent"),
    # a dip sample's share answered yes, beside the records' (scrutiny.reviews)
    "sample_rate": Column("Sample (%)", "percent"),
    "sample_lower": Column("Sample 95% from (%)", "percent"),
    "sample_upper": Column("Sample 95% to (%)", "percent"),
    "sample_numerator": Column("Sample: yes", "count"),
    "sample_denominator": Column("Sample: answered", "count"),
    "group_offences": Column("All offences of the groups and offence types answered", "count"),
    "da_rate": Column("DA rate (%)", "percent"),
    "non_da_rate": Column("Non-DA rate (%)", "percent"),
    "difference_points": Column("Difference (percentage points)", "signed_percent_points"),
    "difference_lower": Column("Difference 95% interval from (points)", "signed_percent_points"),
    "difference_upper": Column("Difference 95% interval to (points)", "signed_percent_points"),
    "rate_per_1000": Column("Offences per 1,000 residents", "per_1000"),
    "rate_lower": Column("95% interval from (per 1,000)", "per_1000"),
    "rate_upper": Column("95% interval to (per 1,000)", "per_1000"),
    "funnel": Column("On the funnel plot"),
    "interval": Column("95% interval"),
    # statistics
    "p_value": Column("p-value", "p_value"),
    "q_value": Column("q-value (false discovery rate)", "p_value"),
    "test": Column("Test"),
    "gi_z": Column("Gi* z-score", "decimal2"),
    "gi_p": Column("Gi* p-value", "p_value"),
    "trend_tau": Column("Trend (Mann-Kendall tau)", "decimal2"),
    "trend_p": Column("Trend p-value", "p_value"),
    "significant": Column("More than chance? (q < 0.05)", "significance"),
    "dispersion": Column("Overdispersion (phi; blank: Poisson)", "decimal2"),
    "borrowed_pairs": Column(
        "Phi from month-to-month changes up to the later month (blank: from the months compared)",
        "count",
    ),
    "is_small": Column("Small numbers", "small"),
    "hotspot": Column("Hot or cold spot"),
    "emerging_category": Column("Emerging hotspot category"),
    # statistical process control
    "mean": Column("Mean", "decimal"),
    "upper_limit": Column("Upper process limit", "decimal"),
    "lower_limit": Column("Lower process limit", "decimal"),
    "special_cause": Column("Special cause", "yes_no"),
    "beyond_limits": Column("Beyond a process limit", "yes_no"),
    "two_of_three": Column("Two of three beyond two sigma", "yes_no"),
    "shift": Column("In a shift (a run on one side of the mean)", "yes_no"),
    "trend": Column("In a trend (a run rising or falling)", "yes_no"),
    "side": Column("Special cause side"),
    "trial_limits": Column("Trial limits (fewer than 12 points)", "yes_no"),
    # outcomes
    "outcome_code": Column("Outcome type"),
    "outcome_group": Column("Outcome group"),
    "outcome_group_in_full": Column("Outcome group (Home Office wording)"),
    "dash_risk": Column("DASH risk level"),
    # records (the quality drill-down, the import log, the quarantine)
    "crime_ref": Column("Crime reference"),
    "offence_type": Column("Offence type"),
    "is_domestic": Column("DA", "yes_no"),
    "dash_completed": Column("DASH completed", "yes_no"),
    "sash_completed": Column("Stalking screening (SASH or S-DASH) completed", "yes_no"),
    "is_cyber": Column("Cyber-enabled", "yes_no"),
    "stalking_screen_negative": Column("Stalking screening negative", "yes_no"),
    "victim_age": Column("Victim's age"),
    "suspect_age": Column("Suspect's age"),
    "outcome_key": Column("Outcome"),
    "imported_at": Column("Imported"),
    "file_name": Column("File"),
    "kind": Column("Holds"),
    "column_name": Column("Column"),
    "reason": Column("Reason refused"),
    "raw_row": Column("The row as read"),
    # counting-rule changes
    "date": Column("From", "date"),
    "what_changed": Column("What changed"),
    "effect_on_series": Column("Effect on the series"),
    "breaks_series": Column("Breaks the series", "yes_no"),
    "moves_between_types": Column("Moves offences between the types", "yes_no"),
    "source": Column("Source"),
    "confidence": Column("Confidence"),
    # civil orders and breaches
    "order_type": Column("Order type"),
    "orders": Column("Orders", "count"),
    "applied": Column("Applied for", "count"),
    "interim": Column("Interim orders made", "count"),
    "granted": Column("Full orders made", "count"),
    "refused": Column("Refused", "count"),
    "withdrawn": Column("Withdrawn", "count"),
    "in_force_end": Column("Full orders in force at the end", "count"),
    "interim_in_force_end": Column("On an interim order at the end", "count"),
    "in_force": Column("Full orders in force at month end", "count"),
    "expired": Column("Expired", "count"),
    "discharged": Column("Discharged", "count"),
    "applications": Column("Applications", "count"),
    "per_100": Column("Applications per 100 offences", "decimal2"),
    "per_100_lower": Column("95% interval from (per 100)", "decimal2"),
    "per_100_upper": Column("95% interval to (per 100)", "decimal2"),
    "pending": Column("Awaiting a decision", "count"),
    "interim_days_n": Column("Interim orders", "count"),
    "interim_days_median": Column("Days to interim order (median)", "decimal"),
    "interim_days_q1": Column("Days to interim: lower quartile", "decimal"),
    "interim_days_q3": Column("Days to interim: upper quartile", "decimal"),
    "full_days_n": Column("Full orders", "count"),
    "full_days_median": Column("Days to full order (median)", "decimal"),
    "full_days_q1": Column("Days to full order: lower quartile", "decimal"),
    "full_days_q3": Column("Days to full order: upper quartile", "decimal"),
    "orders_in_force": Column("Orders in force in the period", "count"),
    "orders_breached": Column("Orders breached", "count"),
    "breaches": Column("Breaches", "count"),
    "breaches_per_order": Column("Breaches per order in force", "decimal2"),
    "breached": Column("Breached by the extract date", "count"),
    "median_days_to_breach": Column("Days to first breach (median, of those breached)", "decimal"),
    "within_30": Column("Breached within 30 days (%)", "percent"),
    "within_90": Column("Breached within 90 days (%)", "percent"),
    "within_180": Column("Breached within 180 days (%)", "percent"),
    "within_365": Column("Breached within 365 days (%)", "percent"),
    "breach_outcome": Column("Outcome of the breach"),
    "repeat_suspect_offences": Column("Offences with a repeat suspect", "count"),
    "without_order": Column("Of which no order applied for", "count"),
    "suspects_without_order": Column("Repeat suspects with no order", "count"),
    # a suspect's history
    "suspect_id": Column("Suspect"),
    "score": Column("Score (0-100)", "decimal"),
    "last_offence": Column("Last offence", "date"),
    "days_since": Column("Days since", "count"),
    "gravity_points": Column("Gravity points", "decimal"),
    "recency": Column("Recency (0-100)", "decimal"),
    "frequency": Column("Frequency (0-100)", "decimal"),
    "gravity": Column("Gravity (0-100)", "decimal"),
    "victims_points": Column("Victims (0-100)", "decimal"),
    "why": Column("Why"),
    "victims": Column("Victims", "count"),
    "event_date": Column("Date", "date"),
    "event": Column("What happened"),
    "reference": Column("Reference"),
    "detail": Column("Detail"),
    # repeat victims and suspects, serial perpetrators
    "suspects": Column("Suspects", "count"),
    "offences_with_victim": Column("Offences with a victim recorded", "count"),
    "repeat_victims": Column("Repeat victims", "count"),
    "repeat_suspects": Column("Repeat suspects", "count"),
    "repeat_victim_share": Column("Repeat victim share (%)", "percent"),
    "repeat_suspect_share": Column("Repeat suspect share (%)", "percent"),
    "offences_repeat_victim": Column("Offences against a repeat victim", "count"),
    "offences_repeat_suspect": Column("Offences by a repeat suspect", "count"),
    "offences_with_suspect": Column("Offences with a suspect identified", "count"),
    "repeat_victim_12m": Column("Offences with a repeat victim (12 months)", "count"),
    "repeat_suspect_12m": Column("Offences with a repeat suspect (12 months)", "count"),
    "with_suspect": Column("Offences with a suspect identified", "count"),
    "full_lookback": Column("Full 12 months of data before", "yes_no"),
    "gaps": Column("Intervals between a suspect's offences", "count"),
    "lower_quartile_days": Column("Lower quartile (days)", "count"),  # as the median shows
    "upper_quartile_days": Column("Upper quartile (days)", "count"),
    "serial_suspects": Column("Serial perpetrators", "count"),
    "offences_by_serial": Column("Offences by serial perpetrators", "count"),
    "serial_share": Column("Offences by serial perpetrators (%)", "percent"),
    "window_start": Column("Window from", "month"),
    "full_window": Column("Whole window within the data", "yes_no"),
    # victims and suspects
    "person": Column("Who"),
    "sex": Column("Sex"),
    "age_band": Column("Age band"),
    "characteristic": Column("Characteristic"),
    "group": Column("Group"),
    # victim contact
    "agreements": Column("Offences with a contact agreement", "count"),
    "kept": Column("Contact kept as agreed", "count"),
    "agreement_share": Column("Offences with an agreement (%)", "percent"),
    "updates_due": Column("Final updates due", "count"),
    "told": Column("Told the outcome within the interval", "count"),
    "told_rate": Column("Told the outcome (%)", "percent"),
    "told_lower": Column("Told: 95% interval from (%)", "percent"),
    "told_upper": Column("Told: 95% interval to (%)", "percent"),
    "told_is_small": Column("Told: small numbers", "small"),
}

# Columns that are keys for code, never for people (dropped from every shown table).
HIDDEN: frozenset[str] = frozenset(
    {
        "indicator",
        "flag",
        "outcome",
        "group_short",
        "population_unknown",
        "partition",
        "moving_range",
        "upper_two_sigma",
        "lower_two_sigma",
        "import_id",
        "sha256",
        "file_hash",
        "is_rate",
        "improvement",
        "rolling_12m_complete",
        "previous_complete",
        "none_counted",  # a row's own words for a denominator of 0 (quality.QualityIndicator)
    }
)
# An XmR chart's lines that a withheld series withholds in every month (mark_suppressed)
SPC_LINES = frozenset({"mean", "upper_limit", "lower_limit"})
# Rates whose denominators a table shows beside them under other names than "denominator"
RATE_DENOMINATORS: dict[str, str] = {
    "da_rate": "da_denominator",
    "non_da_rate": "non_da_denominator",
}
# A column whose blanks are no value, not withheld, in the rows where a column of the table
# says so: the rolling 12-month total and average before 12 months of data (helper 71:
# publication mode wrote "suppressed" there, beside totals that were withheld)
APPLIES: dict[str, str] = {
    "rolling_12m_total": "rolling_12m_complete",
    "rolling_12m_average": "rolling_12m_complete",
    # and the Top wards' previous period where it is not wholly in the data
    "previous_offences": "previous_complete",
    "change_pct": "previous_complete",
}

NUMBER_FORMATS: dict[str, str] = {
    "count": "localized",
    "signed_count": "%+d",
    "percent": "%.1f",
    "percent_points": "%.1f",
    "signed_percent_points": "%+.1f",
    "per_1000": "%.2f",
    "decimal": "%.1f",
    "decimal2": "%.2f",
    "month": "MMM YYYY",
    "date": "D MMM YYYY",
}


def python_values(
    column: pl.Series, function: Callable[[Any], Any], dtype: pl.DataType | type[pl.DataType]
) -> pl.Series:
    """`function` of each value of `column` (nulls stay null), run here in the caller's
    thread. Never `map_elements`: Polars runs that on its thread pool, whose workers then need
    the GIL, and with several sessions at once a thread holding the GIL while it waits for that
    pool (`to_pandas`, for a table on a page) deadlocks the dashboard's server."""
    return pl.Series(
        column.name, [None if v is None else function(v) for v in column.to_list()], dtype=dtype
    )


def p_value_text(value: float | None) -> str:
    """A p-value as people read it: '< 0.001', '0.034', '' when there is no test.

    >>> p_value_text(1.8e-20), p_value_text(0.0344), p_value_text(None)
    ('< 0.001', '0.034', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def column_for(name: str) -> Column:
    """The registered column, or a readable fallback for names that are already words
    (district codes, "Force", a label chosen by a panel)."""
    if name in COLUMNS:
        return COLUMNS[name]
    return Column(name.replace("_", " ").capitalize() if "_" in name else name)


def _shown(name: str, dtype: pl.DataType, kind: Kind) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Null:  # every value withheld (publication mode) or missing: nothing to round
        return column
    if kind == "percent":
        return half_up_expr(column * 100, 1)
    if kind in ("percent_points", "signed_percent_points", "decimal"):
        return half_up_expr(column, 1)
    if kind in ("per_1000", "decimal2"):
        return half_up_expr(column, 2)
    if kind == "p_value":  # written as text by for_display before the select
        return column.fill_null("")
    if kind == "significance":
        return (
            pl.when(column.is_null())
            .then(pl.lit("no test"))
            .when(column)
            .then(pl.lit("yes: more than chance"))
            .otherwise(pl.lit("no: could be chance"))
        )
    if kind == "small":
        return pl.when(column).then(pl.lit("yes: treat with caution")).otherwise(pl.lit(""))
    if kind == "yes_no" and dtype == pl.Boolean:
        return (
            pl.when(column.is_null())
            .then(pl.lit(""))
            .when(column)
            .then(pl.lit("yes"))
            .otherwise(pl.lit("no"))
        )
    if kind == "category":
        return column.replace(DOMESTIC_CHOICES)
    if kind == "district":
        return column.replace({"All": SELECTED_DISTRICTS})
    if dtype.is_float():
        return half_up_expr(column, 1)
    return column


def for_display(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """The frame as a page shows it and a download holds it: code-only columns dropped,
    values at their column's precision, columns renamed to their labels (`labels` overrides
    the registry's, e.g. {"label": "Outcome"})."""
    labels = labels or {}
    kept = [name for name in frame.columns if name not in HIDDEN]
    p_values = [name for name in kept if column_for(name).kind == "p_value"]
    if p_values:
        frame = frame.with_columns(
            python_values(frame[name], p_value_text, pl.String) for name in p_values
        )
    expressions = []
    schema = frame.schema  # built anew on each access
    for name in kept:
        column = column_for(name)
        shown = _shown(name, schema[name], column.kind)
        counted = _small_flags_count(name, schema) if column.kind == "small" else None
        if counted is not None:  # 0 of 0: no rate, not a small number
            of, none = counted
            said = pl.lit(none)
            if of == "denominator" and "none_counted" in schema:  # a row's own words, if any
                said = pl.coalesce(pl.col("none_counted"), said)
            shown = pl.when(pl.col(of) == 0).then(said).otherwise(shown)
            if (
                of == "denominator" and "followed_share" in schema
            ):  # a rate among offences followed up long enough
                shown = (
                    pl.when((pl.col("denominator") == 0) & (pl.col("followed_share") == 0))
                    .then(pl.lit(NONE_FOLLOWED))
                    .otherwise(shown)
                )
        expressions.append(shown.alias(labels.get(name, column.label)))
    return frame.select(expressions)


NO_OFFENCES = "no offences: no rate"  # a small-numbers cell of a rate of 0 offences
# What each small-numbers flag counts (the rate's denominator, the first a table has), and what
# its cell says where that is 0: the Civil orders, Victim contact and repeat-suspect tables
# name their denominators, and their 0 of 0 had read "yes: treat with caution" (helper 70).
SMALL_FLAG_COUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "is_small": (
        ("denominator", NO_OFFENCES),
        ("orders_in_force", "no orders in force: no rate"),
        ("agreements", "no contact agreements: no rate"),
        ("repeat_suspect_offences", "no offences by a repeat suspect: no rate"),
    ),
    "told_is_small": (("updates_due", "no final updates due: no rate"),),
}


def _small_flags_count(name: str, schema: pl.Schema) -> tuple[str, str] | None:
    """The count a small-numbers flag column is about, as a column of the table, and what
    its cell says where that count is 0; None if the table has none of them."""
    for of, none in SMALL_FLAG_COUNTS.get(name, ()):
        if of in schema and schema[of].is_numeric():
            return of, none
    return None


# ... of a rate among offences followed up long enough, where the period has offences but none
# yet followed up (January 2022 alone, within 90 days: 528 offences read "no offences")
NONE_FOLLOWED = "none followed up long enough yet: no rate"


def display_formats(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> dict[str, str]:
    """For a frame before display: the shown label of each numeric or date column and its
    format (printf-style for numbers, moment.js-style for dates), so every value of a column
    shows at one precision."""
    labels = labels or {}
    formats: dict[str, str] = {}
    schema = frame.schema  # built anew on each access
    for name in frame.columns:
        if name in HIDDEN:
            continue
        column = column_for(name)
        label = labels.get(name, column.label)
        if column.kind in NUMBER_FORMATS:
            formats[label] = NUMBER_FORMATS[column.kind]
        elif column.kind == "text" and schema[name].is_float():
            formats[label] = "%.1f"
        elif column.kind == "text" and schema[name].is_integer():
            formats[label] = "localized"
    return formats


LONGEST_SHOWN = 1_000  # characters of a text cell sent to the browser (clipped)


def clipped(frame: pl.DataFrame, limit: int = LONGEST_SHOWN) -> pl.DataFrame:
    """Text cells longer than `limit` characters cut to their first `limit`, with their
    length: a refused 2,000,000-character value went to the browser whole, twice (as the value
    and in its raw row), in the Data page's check and quarantine tables. Downloads keep it.

    >>> clipped(pl.DataFrame({"value": ["ok", "X" * 5000]}), 4)["value"].to_list()
    ['ok', 'XXXX… (5,000 characters)']
    """
    out = frame
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        long = (frame[name].str.len_chars() > limit).fill_null(False).arg_true()
        if long.len():
            cut = [
                f"{text[:limit]}… ({len(text):,} characters)" for text in frame[name].gather(long)
            ]
            out = out.with_columns(out[name].scatter(long, cut))
    return out


TEXT_WIDTH = 240  # pixels: the widest a text column is drawn, about 30 characters
CHARACTER_WIDTH = 7  # pixels a character of the grid's font takes, near enough
CELL_PADDING = 20  # pixels of a cell's padding


def text_widths(shown: pl.DataFrame) -> dict[str, int]:
    """The text columns of a table as shown (`for_display`) whose longest value is longer
    than their label -> the width to draw each at: that value's, at CHARACTER_WIDTH a
    character, and at most TEXT_WIDTH (the others the grid sizes to their label). Sized by the
    grid, a long text (a definition, a note, an outcome in
    full) pushed the numbers beside it off the table's right edge at 1,280 px, where a number
    cut at the edge reads as a smaller one ("Offences with an outcome" read "2,86" for 2,868,
    helper 86), and a text the grid measured short was cut ("Out of" read "4,295 be" for
    "4,295 before"). A narrowed cell ends in "…" and reads whole when opened; downloads are
    unchanged.

    >>> text_widths(pl.DataFrame({"Out of": ["", "4,295 before"], "Definition": ["x" * 40, ""]}))
    {'Out of': 104, 'Definition': 240}
    """
    text = [name for name, dtype in shown.schema.items() if dtype == pl.String]
    longest = shown.select(pl.col(text).str.len_chars().max().fill_null(0)).row(0) if text else ()
    return {
        name: min(TEXT_WIDTH, CHARACTER_WIDTH * most + CELL_PADDING)
        for name, most in zip(text, longest, strict=True)
        if most > len(name)
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"^[+-]?[0-9][0-9,]*(\.[0-9]+)?%?\*?$"  # "+86.5%*", "-12": a number, never a formula


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell that a spreadsheet would run as a formula (starting
    with =, +, -, @, a tab or a carriage return) prefixed with a single quote, the OWASP rule
    for CSV injection; signed numbers such as "+86.5%" stay as they are. For downloads only:
    stored values stay exactly as imported.

    >>> cells = ["=HYPERLINK(x)", "ok", "-2", "+86.5%*", "-2+3+cmd|' /C calc'!A0", None]
    >>> spreadsheet_safe(pl.DataFrame({"v": cells}))["v"].to_list()
    ["'=HYPERLINK(x)", 'ok', '-2', '+86.5%*', "'-2+3+cmd|' /C calc'!A0", None]
    """
    safe = _safe_cells(frame)
    # the column names too: a table by district names a column by each district's code
    return safe.rename(dict(zip(safe.columns, spreadsheet_safe_text(safe.columns), strict=True)))


def _safe_cells(frame: pl.DataFrame) -> pl.DataFrame:
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(_starts_with_any(pl.col(name)))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def spreadsheet_safe_text(values: list[str]) -> list[str]:
    """`spreadsheet_safe` for a list of texts (column names, a download's provenance).

    >>> spreadsheet_safe_text(["=1+2", "Force", "-5"])
    ["'=1+2", 'Force', '-5']
    """
    frame = pl.DataFrame({"text": values}, schema={"text": pl.String})
    return _safe_cells(frame)["text"].to_list()


def _starts_with_any(column: pl.Expr) -> pl.Expr:
    """True where a cell starts like a formula and is not a plain (signed) number."""
    starts = pl.any_horizontal(*[column.str.starts_with(start) for start in FORMULA_STARTS])
    return (starts & ~column.str.contains(PLAIN_NUMBER)).fill_null(False)


SUPPRESSED = "suppressed"
NO_DATA = "no data"  # a rate with nothing to divide by, written in words (tiles, packs)
# An SPC series's variation where a month of it is withheld (linked_protection.withhold_spc_detail)
SPC_VARIATION_WITHHELD = (
    "not published (a month is withheld, and the limits and special-cause rules would narrow it)"
)
# On screen a cell with no value (a rate with nothing to divide by) is left blank, as in the
# CSV; Streamlit's grid would write "None".
NO_VALUE = ""


def mark_suppressed(
    frame: pl.DataFrame, shown: pl.DataFrame, labels: dict[str, str] | None = None
) -> tuple[pl.DataFrame, set[str]]:
    """For publication mode: `shown` (for_display of `frame`) with every count column that
    holds a withheld count (null) written as text, the counts with thousands separators and
    the withheld ones as "suppressed", so no reader takes a blank for none; the same for the
    rates, shares, averages and test verdicts withheld in a row with a withheld count (a blank
    rate elsewhere has nothing to divide by, and stays blank; a verdict there, "no test"); and
    the labels of the columns changed."""
    labels = labels or {}
    changed: set[str] = set()
    schema = frame.schema  # built anew on each access
    # a column named by its area (a district's code, "Force") holds counts, or their shares
    by_area = [name for name in frame.columns if name not in HIDDEN and name not in COLUMNS]
    spc_counts = ["value"] if "moving_range" in frame.columns else []  # an XmR chart's months
    counts = [
        name
        for name in frame.columns
        if name not in HIDDEN
        and (column_for(name).kind == "count" or name in by_area or name in spc_counts)
        and schema[name].is_integer()
    ]
    shares = [n for n in by_area if schema[n].is_float()]
    shown = _shares_withheld(frame, shown, shares, labels, changed)
    divided = [(r, d) for r, d in RATE_DENOMINATORS.items() if {r, d} <= set(frame.columns)]
    if not counts and not divided:
        return shown, changed
    no_value = {  # the blanks that are no value (APPLIES), by column
        name: frame.select(pl.col(APPLIES[name]).not_().fill_null(False)).to_series()
        if APPLIES.get(name) in frame.columns
        else pl.repeat(False, frame.height, eager=True)
        for name in frame.columns
    }
    withheld_row = frame.select(
        pl.any_horizontal(
            *(pl.col(name).is_null() & pl.lit(no_value[name]).not_() for name in counts),
            # a rate with something to divide by, blank: withheld (the DA against non-DA table
            # shows its denominators, and said "no test" beside rates it withheld: helper 71)
            *(pl.col(rate).is_null() & (pl.col(of) > 0) for rate, of in divided),
            pl.lit(False),
        )
    ).to_series()
    if not withheld_row.any():
        return shown, changed
    # an XmR chart's mean and limits are worked out whatever its months, so one blank
    # throughout is withheld for the series (the limits where a month is withheld, the mean
    # where protection hid it): withheld in every month, not only in those whose count is
    # (helper 71: "suppressed" on 4 months, blank on the other 17)
    whole_series = {
        name
        for name in SPC_LINES
        if spc_counts and name in frame.columns and frame[name].null_count() == frame.height
    }
    everywhere = pl.repeat(True, frame.height, eager=True)
    for name in frame.columns:
        if name in HIDDEN:
            continue
        kind = column_for(name).kind
        label = labels.get(name, column_for(name).label)
        row_withheld = everywhere if name in whole_series else withheld_row
        if name in counts and frame[name].null_count():
            text = python_values(shown[label], lambda v: f"{v:,}", pl.String)
            shown = shown.with_columns(
                pl.when(text.is_not_null())
                .then(text)
                .when(pl.lit(no_value[name]))
                .then(pl.lit(NO_VALUE))
                .otherwise(pl.lit(SUPPRESSED))
                .alias(label)
            )
        elif kind in WITHHELD_WITH_COUNTS and schema[name].is_numeric():
            if not (frame[name].is_null() & row_withheld).any():
                continue
            text = python_values(shown[label], partial(_printf, NUMBER_FORMATS[kind]), pl.String)
            shown = shown.with_columns(
                pl.when(text.is_not_null())
                .then(text)
                .when(pl.lit(no_value[name]))
                .then(pl.lit(NO_VALUE))
                .when(row_withheld)
                .then(pl.lit(SUPPRESSED))
                .otherwise(pl.lit(NO_VALUE))
                .alias(label)
            )
        elif kind == "significance" and (frame[name].is_null() & withheld_row).any():
            withheld = frame[name].is_null() & withheld_row
            shown = shown.with_columns(
                pl.when(withheld).then(pl.lit(SUPPRESSED)).otherwise(pl.col(label)).alias(label)
            )
        else:
            continue
        changed.add(label)
    return shown, changed


def _shares_withheld(
    frame: pl.DataFrame,
    shown: pl.DataFrame,
    names: list[str],
    labels: dict[str, str],
    changed: set[str],
) -> pl.DataFrame:
    """Shares by area (the Outcomes page's % of each district's offences) written as text,
    "suppressed" where withheld with their count: a blank in a column with values. A column
    with none is a column of no offences (nothing to divide by), and stays blank."""
    for name in names:
        if not frame[name].null_count() or frame[name].null_count() == frame.height:
            continue
        label = labels.get(name, column_for(name).label)
        text = python_values(shown[label], partial(_printf, "%.1f"), pl.String)
        shown = shown.with_columns(text.fill_null(SUPPRESSED).alias(label))
        changed.add(label)
    return shown


def _printf(fmt: str, value: float) -> str:
    return fmt % value


# Columns worked out from counts, withheld with them in publication mode.
WITHHELD_WITH_COUNTS = (
    *("percent", "percent_points", "signed_percent_points"),
    *("per_1000", "decimal", "decimal2"),
)
