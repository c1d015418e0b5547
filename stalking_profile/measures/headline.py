"""The Overview's headline figures for a filter, each defined once here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from stalking_profile.filters import Domestic, apply_domestic, compares_per_day, month_label
from stalking_profile.measures.indicators import BY_KEY, shown_in
from stalking_profile.measures.rates import SMALL_DENOMINATOR, Rate
from stalking_profile.measures.volumes import offence_total, selection_change


def count_rate(
    counts: pl.DataFrame, column: str, small_denominator: int = SMALL_DENOMINATOR
) -> Rate:
    """The summed count column `column` (offences meeting a condition) over all offences in
    `counts` (a frame from queries.offence_counts)."""
    numerator = int(counts[column].sum()) if counts.height else 0
    return Rate(numerator, offence_total(counts), small_denominator)


def domestic_share(counts_all: pl.DataFrame, small_denominator: int = SMALL_DENOMINATOR) -> Rate:
    """DA share: domestic offences / all offences recorded in the period, for the filter's
    districts and offence types (shown only when DA and non-DA are both selected)."""
    return Rate(
        offence_total(counts_all.filter(pl.col("is_domestic"))),
        offence_total(counts_all),
        small_denominator,
    )


def domestic_offences(counts: pl.DataFrame) -> int:
    """DA offences: offences flagged domestic abuse recorded in the period, for the filter's
    districts and offence types."""
    return offence_total(counts.filter(pl.col("is_domestic")))


def non_domestic_offences(counts: pl.DataFrame) -> int:
    """Non-DA offences: offences not flagged domestic abuse recorded in the period, for the
    filter's districts and offence types."""
    return offence_total(counts.filter(~pl.col("is_domestic")))


SCHEMA = {
    "indicator": pl.String,
    "label": pl.String,
    "kind": pl.String,
    "value": pl.Float64,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "p_value": pl.Float64,
    "is_small": pl.Boolean,
    "definition": pl.String,
    # a change's months: the period's compared (like for like: only those with an earlier
    # twin in the data) and the earlier ones, first and last (null: not a change, or nothing
    # to compare); publication mode's protection reads its counts as these months' sums
    "compared_from": pl.Date,
    "compared_to": pl.Date,
    "earlier_from": pl.Date,
    "earlier_to": pl.Date,
}


def _count_row(key: str, label: str, value: int, definition: str) -> dict[str, object]:
    return {
        "indicator": key,
        "label": label,
        "kind": "count",
        "value": float(value),
        "numerator": value,
        "definition": " ".join(definition.split()),
        "is_small": False,
    }


def _rate_row(key: str, label: str, kind: str, rate: Rate, definition: str) -> dict[str, object]:
    lower, upper = rate.interval
    return {
        "indicator": key,
        "label": label,
        "kind": kind,
        "value": rate.value,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "lower": None if math.isnan(lower) else lower,
        "upper": None if math.isnan(upper) else upper,
        "is_small": rate.is_small,
        "definition": " ".join(definition.split()),
    }


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


@dataclass(frozen=True)
class YearEarlier:
    """The counts a change on the same months a year earlier compares (count frames with DA
    and non-DA rows): `current`, the filter's months that have a twin a year earlier in the
    data; `previous`, those twins (None: the data hold none of them); their `days` and
    `months` as `headline_indicators` takes."""

    current: pl.DataFrame
    previous: pl.DataFrame | None
    label: str
    days: tuple[int, int]
    months: tuple[list[date], list[date]] | None
    pairs: Sequence[tuple[date, date]] = ()  # a month against a month: volumes.borrowed_pairs


def headline_indicators(
    counts_all: pl.DataFrame,
    previous_all: pl.DataFrame | None,
    domestic: Domestic,
    small_denominator: int = SMALL_DENOMINATOR,
    change_current: pl.DataFrame | None = None,
    change_label: str = "Change on previous period",
    days: tuple[int, int] = (1, 1),
    months: tuple[list[date], list[date]] | None = None,
    year_earlier: YearEarlier | None = None,
    history: pl.DataFrame | None = None,
    pairs: Sequence[tuple[date, date]] = (),
    like_for_like: bool = False,
) -> pl.DataFrame:
    """Every headline figure for a filter, one row each (the registry's "headline" indicators,
    with the change and, under DA and non-DA together, the DA and non-DA counts and DA share).

    `counts_all` and `previous_all` are count frames for the filter's period and the equal
    period before it, with both DA and non-DA rows; the filter's DA choice is applied here.
    With one of DA or non-DA chosen the DA rows are left out, since the total already is that
    count and a share of one part would mean nothing. Columns: indicator, label, kind (count,
    change, share, rate), value, numerator, denominator, lower, upper (95% Wilson), p_value
    (change only), is_small, definition.

    The change compares `change_current` (default: `counts_all`; the like-for-like months when
    the data start inside the period before) with `previous_all`; with `previous_all` None
    there is nothing to compare with and the change has no value; `like_for_like` says it is
    those months (its definition says so). Its p-value and 95% interval
    (lower, upper, as fractions) are the comparison table's for the same selection
    (volumes.selection_change): quasi-Poisson where the `months` compared vary more than
    Poisson allows, else the exact test and Clopper-Pearson interval. A month against a month
    borrows phi from the month-to-month changes `pairs` (volumes.borrowed_pairs) of the count
    frame `history`, as the comparison table does.

    With `year_earlier` (a period shorter than 12 months), a second change row,
    "change_year_earlier", compares the same way with the same months a year before, so that
    a seasonal fall is not read as a fall.
    """
    current = apply_domestic(counts_all, domestic)
    now = offence_total(current)
    offences = BY_KEY["offences"]
    change_counts = counts_all if change_current is None else change_current
    rows: list[dict[str, object]] = [
        _count_row("offences", offences.label, now, offences.definition),
        _change_row(
            "change",
            change_label,
            change_counts,
            previous_all,
            domestic,
            small_denominator,
            days,
            months,
            history,
            pairs,
            like_for_like=like_for_like,
        ),
    ]
    if year_earlier is not None:
        rows.append(
            _change_row(
                "change_year_earlier",
                year_earlier.label,
                year_earlier.current,
                year_earlier.previous,
                domestic,
                small_denominator,
                year_earlier.days,
                year_earlier.months,
                history,
                year_earlier.pairs,
            )
        )
    if domestic == "all":
        rows += [
            _count_row(
                "da_offences",
                "DA offences",
                domestic_offences(current),
                domestic_offences.__doc__ or "",
            ),
            _count_row(
                "non_da_offences",
                "Non-DA offences",
                non_domestic_offences(current),
                non_domestic_offences.__doc__ or "",
            ),
            _rate_row(
                "domestic_share",
                "DA share",
                "share",
                domestic_share(current, small_denominator),
                domestic_share.__doc__ or "",
            ),
        ]
    rows += [
        _rate_row(
            ind.key,
            ind.label,
            "rate",
            count_rate(current, ind.column, small_denominator),
            ind.definition,
        )
        for ind in shown_in("headline")
        if ind.is_rate
    ]
    return pl.DataFrame(rows, schema=SCHEMA)


def _change_row(
    key: str,
    label: str,
    change_counts: pl.DataFrame,
    previous_all: pl.DataFrame | None,
    domestic: Domestic,
    small_denominator: int,
    days: tuple[int, int],
    months: tuple[list[date], list[date]] | None,
    history: pl.DataFrame | None = None,
    pairs: Sequence[tuple[date, date]] = (),
    like_for_like: bool = False,
) -> dict[str, object]:
    """One change row: `change_counts` against `previous_all` (None: nothing to compare);
    `like_for_like`, the months of the period the data hold a twin of only."""
    compared = offence_total(apply_domestic(change_counts, domestic))
    before = None if previous_all is None else offence_total(apply_domestic(previous_all, domestic))
    tested: dict = {}
    if previous_all is not None:
        tested = (
            selection_change(change_counts, previous_all, days, months, history, pairs)
            .filter(pl.col("category") == domestic)
            .row(0, named=True)
        )
    change = tested.get("change_pct")
    varying = (
        "the months compared"
        if tested.get("borrowed_pairs") is None
        # up to the month before the later one: for a month against the same month a year
        # earlier the changes lie between them ("before them" had said otherwise)
        else f"the {tested['borrowed_pairs']} month-to-month changes up to "
        f"{month_label(max(after for _, after in pairs))}"
    )
    method = (
        f"quasi-Poisson test and interval ({varying} vary {_times(tested['dispersion'])} "
        "times as much as Poisson allows)"
        if tested.get("dispersion") is not None
        else "exact conditional binomial test of equal rates and Clopper-Pearson interval"
    )
    one_month = months is not None and len(months[0]) == 1
    earlier = (
        f"the same {'month' if one_month else 'months'} a year earlier"
        if key == "change_year_earlier"
        else LIKE_FOR_LIKE
        if like_for_like
        else "the equal-length period before"
    )
    return {
        "indicator": key,
        "label": label,
        "kind": "change",
        "value": None if change is None else change / 100,
        "numerator": compared,
        "denominator": before,
        "lower": _fraction(tested.get("change_lower")),
        "upper": _fraction(tested.get("change_upper")),
        "p_value": tested.get("p_value"),
        "is_small": before is not None and before < small_denominator,
        "definition": _change_definition(
            method, days, earlier, months if previous_all is not None else None
        ),
        **_compared(months if previous_all is not None else None),
    }


def _compared(months: tuple[list[date], list[date]] | None) -> dict[str, date | None]:
    """A change row's months compared, first and last of each period (None: nothing)."""
    now, earlier = months or ([], [])
    return {
        "compared_from": min(now, default=None),
        "compared_to": max(now, default=None),
        "earlier_from": min(earlier, default=None),
        "earlier_to": max(earlier, default=None),
    }


def _times(dispersion: float) -> str:
    """Overdispersion phi as the change's definition writes it: to two decimals under 10
    (1.04 had read "1.0 times as much as Poisson allows", as if none), one above ('12.5').

    >>> _times(1.04), _times(3.316), _times(12.46)
    ('1.04', '3.32', '12.5')
    """
    return f"{dispersion:.2f}" if dispersion < 10 else f"{dispersion:.1f}"


LIKE_FOR_LIKE = (
    "like for like: the months of this period whose twins in the period before the data hold, "
    "against those twins"
)


def _span(months: list[date]) -> str:
    """Months compared, in words: 'Apr 2019' or 'Apr 2019 to Dec 2019'."""
    first, last = month_label(min(months)), month_label(max(months))
    return first if first == last else f"{first} to {last}"


def _change_definition(
    method: str,
    days: tuple[int, int],
    earlier: str,
    months: tuple[list[date], list[date]] | None = None,
) -> str:
    """The change's definition: of counts, or of offences per day where the periods' days
    differ by more than 1% (filters.compares_per_day), against `earlier` (the period
    compared with, in words), naming the `months` compared where known (a like-for-like
    change's definition, in a table downloaded, said "this period" of 9 of its 12 months,
    beside the period's offences of all 12: helper 78)."""
    if months and months[0] and months[1]:
        now_in, before, which = f"in {_span(months[0])}", _span(months[1]), f", {earlier}"
    else:
        now_in, before, which = "this period", earlier, ""
    if compares_per_day(days):
        return (
            f"(offences per day {now_in} / offences per day in {before}) - 1{which}, the "
            f"periods having {days[0]:,} and {days[1]:,} days; p-value and 95% interval: "
            f"{method}."
        )
    return (
        f"(offences {now_in} - offences in {before}) / offences in {before}{which}; p-value "
        f"and 95% interval: {method}."
    )
