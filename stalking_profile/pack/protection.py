"""Secondary suppression across the tables of one meeting pack.

Each table of a pack passes primary suppression on its own (publication.py); published together
they add up: DA + non-DA = all (headline, monthly trend, outcome groups, risk flags), the months
of the period = the period's count, a rolling 12-month total = its twelve months (some before
the period, and unpublished), the twelve months before = the previous period's count, an SPC
mean x its months = their sum, the outcome groups of a category = its offences, offences without
a DASH + offences with one = offences. `published_counts` writes every count the pack shows, and
where, as a `disclosure.LinearSystem`; `protect` hides the further counts `protect_system`
chooses (and the rates, shares and averages that would give them back) until the attacker's
audit leaves every hidden count an interval at least the threshold wide.

Not modelled (stated in the pack): differences between published figures that are not
themselves published counts (for example outcome 14 as an outcome group less outcome 16),
the SPC limits (they give the mean moving range, which is not linear in the counts), and the
ward map, whose colours do not give exact counts and which never colours a suppressed ward.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import date

import polars as pl

from stalking_profile.disclosure import Key, LinearSystem, audit, protect_system
from stalking_profile.filters import Domestic, add_months
from stalking_profile.measures.indicators import BY_KEY

SUPPRESSED = "suppressed"
CATEGORIES = ("domestic", "non_domestic")


@dataclass(frozen=True)
class PackTables:
    """The frames a pack shows, in full (before columns are chosen for the slides)."""

    headline: pl.DataFrame  # headline_indicators: indicator, value, numerator, denominator, ...
    headline_text: pl.DataFrame  # the same rows as text (formatting.headline_table)
    trend: pl.DataFrame  # recorded_month, domestic, non_domestic, offences_total, rolling_12m_*
    spc: pl.DataFrame  # month, value, partition, mean, upper_limit, lower_limit
    risk: pl.DataFrame  # the force rows: category, flag, numerator, denominator, rate, ...
    outcomes: pl.DataFrame  # category, group_short, offences, category_total, share
    quality: pl.DataFrame  # indicator, numerator, denominator, rate, lower, upper


@dataclass(frozen=True)
class Place:
    """Where a count is shown, and what in its row goes with it when it is hidden."""

    table: str
    row: int
    column: str
    derived: tuple[str, ...] = ()


# What goes with a hidden count, by table and column.
DERIVED = {
    ("headline", "numerator"): ("value", "lower", "upper", "p_value"),
    ("headline", "denominator"): ("value", "lower", "upper", "p_value"),
    ("trend", "rolling_12m_total"): ("rolling_12m_average",),
    ("spc", "mean"): ("upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma"),
    ("risk", "numerator"): ("rate", "lower", "upper"),
    ("risk", "denominator"): ("rate", "lower", "upper"),
    ("outcomes", "offences"): ("share",),
    ("outcomes", "category_total"): ("share",),
    ("quality", "numerator"): ("rate", "lower", "upper"),
    ("quality", "denominator"): ("rate", "lower", "upper"),
}
TEXT_DERIVED = ("value", "interval")


class Published:
    """Counts as a pack shows them, where each is shown, and the sums between them."""

    def __init__(self) -> None:
        self.values: dict[Key, int | None] = {}
        self.places: defaultdict[Key, list[Place]] = defaultdict(list)
        self.sums: list[tuple[tuple[Key, ...], Key]] = []

    def count(self, key: Key, table: str, row: int, column: str, value: float | None) -> Key:
        """Record a shown count under `key`; a different value already under that key means
        the two are not the same count after all, so it is kept apart (no sum is claimed)."""
        shown = None if value is None else round(value)
        if (
            key in self.values
            and None not in (shown, self.values[key])
            and self.values[key] != shown
        ):
            key = (key, table, column, row)
        if key not in self.values or self.values[key] is None:
            self.values[key] = shown
        self.places[key].append(Place(table, row, column, DERIVED.get((table, column), ())))
        return key

    def zero(self, key: Key) -> None:
        """A count the pack shows as nothing (a group with no offences)."""
        self.values.setdefault(key, 0)

    def add(self, parts: list[Key], total: Key) -> None:
        self.sums.append((tuple(parts), total))

    def system(self) -> LinearSystem:
        return LinearSystem(dict(self.values), list(self.sums))


def _months(first: date, count: int) -> list[date]:
    return [add_months(first, k) for k in range(count)]


def published_counts(tables: PackTables, domestic: Domestic) -> Published:
    """Every count the pack shows, keyed so that the same count shown twice is one key, and
    the sums an attacker knows between them."""
    out = Published()
    chosen = domestic
    split = domestic == "all"
    both = (*CATEGORIES, "all") if split else (chosen,)

    headline = {row["indicator"]: row for row in tables.headline.iter_rows(named=True)}
    for i, row in enumerate(tables.headline.iter_rows(named=True)):
        key = row["indicator"]
        if key == "offences":
            out.count(("period", chosen), "headline", i, "numerator", row["numerator"])
        elif key == "change":
            now = headline["offences"]["numerator"] if "offences" in headline else None
            same = row["numerator"] is None or now is None or row["numerator"] == now
            out.count(
                ("period", chosen) if same else ("change", chosen),
                "headline",
                i,
                "numerator",
                row["numerator"],
            )
            out.count(("previous", chosen), "headline", i, "denominator", row["denominator"])
        elif key in ("da_offences", "non_da_offences"):
            category = "domestic" if key == "da_offences" else "non_domestic"
            out.count(("period", category), "headline", i, "numerator", row["numerator"])
        elif key == "domestic_share":
            out.count(("period", "domestic"), "headline", i, "numerator", row["numerator"])
            out.count(("period", "all"), "headline", i, "denominator", row["denominator"])
        elif row["kind"] == "rate":
            column = BY_KEY[key].column if key in BY_KEY else key
            out.count(("flag", column, chosen), "headline", i, "numerator", row["numerator"])
            out.count(("period", chosen), "headline", i, "denominator", row["denominator"])

    months = tables.trend["recorded_month"].to_list()
    for i, row in enumerate(tables.trend.iter_rows(named=True)):
        month = row["recorded_month"]
        for column in (*CATEGORIES, "offences_total"):
            if column in row:
                category = chosen if column == "offences_total" else column
                out.count(("month", month, category), "trend", i, column, row[column])
        if split:
            out.add([("month", month, c) for c in CATEGORIES], ("month", month, "all"))
        out.count(("rolling", month), "trend", i, "rolling_12m_total", row["rolling_12m_total"])
        out.add(
            [("month", m, chosen) for m in _months(add_months(month, -11), 12)], ("rolling", month)
        )
    if months:
        for category in both:
            out.add([("month", m, category) for m in months], ("period", category))
        before = _months(add_months(months[0], -len(months)), len(months))
        out.add([("month", m, chosen) for m in before], ("previous", chosen))

    partitions: defaultdict[int, list[date]] = defaultdict(list)
    for i, row in enumerate(tables.spc.iter_rows(named=True)):
        out.count(("month", row["month"], chosen), "spc", i, "value", row["value"])
        partitions[row["partition"]].append(row["month"])
    for partition, in_it in partitions.items():
        rows = tables.spc.with_row_index("i").filter(pl.col("partition") == partition)
        mean = rows["mean"][0]
        key = ("spc mean", partition)
        for i in rows["i"].to_list():
            out.count(key, "spc", i, "mean", None if mean is None else mean * len(in_it))
        out.add([("month", m, chosen) for m in in_it], key)

    flags = set()
    for i, row in enumerate(tables.risk.iter_rows(named=True)):
        flags.add(row["flag"])
        out.count(("flag", row["flag"], row["category"]), "risk", i, "numerator", row["numerator"])
        out.count(("period", row["category"]), "risk", i, "denominator", row["denominator"])
    if split:
        for flag in flags:
            out.add([("flag", flag, c) for c in CATEGORIES], ("flag", flag, "all"))

    groups = tables.outcomes["group_short"].unique(maintain_order=True).to_list()
    categories = tables.outcomes["category"].unique(maintain_order=True).to_list()
    for i, row in enumerate(tables.outcomes.iter_rows(named=True)):
        key = ("outcome", row["group_short"], row["category"])
        out.count(key, "outcomes", i, "offences", row["offences"])
        out.count(
            ("period", row["category"]), "outcomes", i, "category_total", row["category_total"]
        )
    for category in categories:
        for group in groups:
            out.zero(("outcome", group, category))
        out.add([("outcome", g, category) for g in groups], ("period", category))
    if split and set(categories) >= {*CATEGORIES, "all"}:
        for group in groups:
            out.add([("outcome", group, c) for c in CATEGORIES], ("outcome", group, "all"))

    without = {
        "da_stalking_without_dash": ("dash_completed", "domestic"),
        "non_da_stalking_without_dash": ("dash_completed", "non_domestic"),
        "stalking_without_sash": ("sash_completed", chosen),
    }
    for i, row in enumerate(tables.quality.iter_rows(named=True)):
        indicator = row["indicator"]
        key = out.count(("quality", indicator), "quality", i, "numerator", row["numerator"])
        if indicator in without:
            flag, category = without[indicator]
            total = out.count(("period", category), "quality", i, "denominator", row["denominator"])
            out.add([key, ("flag", flag, category)], total)
        elif indicator == "contradictory_screen":
            out.count(
                ("flag", "dash_completed", chosen), "quality", i, "denominator", row["denominator"]
            )
        elif indicator in ("missing_ward", "unknown_ward"):
            out.count(("period", chosen), "quality", i, "denominator", row["denominator"])
        else:
            out.count(("quality total", indicator), "quality", i, "denominator", row["denominator"])
    return out


@dataclass(frozen=True)
class Protected:
    tables: PackTables
    hidden: set[Key]  # the secondary suppressions this step made
    places: dict[Key, list[Place]]
    intervals: dict[Key, tuple[float, float]]  # the attacker's audit after it
    suppressed: frozenset[Key]  # the counts primary suppression hid (those to protect)

    @property
    def narrowest(self) -> float:
        """The narrowest interval an attacker can put on a count primary suppression hid."""
        widths = [
            high - low for key, (low, high) in self.intervals.items() if key in self.suppressed
        ]
        return min(widths, default=float("inf"))

    def withheld(self, table: str) -> set[tuple[int, str]]:
        """(row, column) of the counts this step hid in a table."""
        return {
            (p.row, p.column) for key in self.hidden for p in self.places[key] if p.table == table
        }


def _hide(frame: pl.DataFrame, cells: dict[str, set[int]], text: str | None = None) -> pl.DataFrame:
    if not cells:
        return frame
    indexed = frame.with_row_index("__row")
    return indexed.with_columns(
        pl.when(pl.col("__row").is_in(sorted(rows)))
        .then(pl.lit(text) if text is not None else None)
        .otherwise(pl.col(column))
        .alias(column)
        for column, rows in cells.items()
        if column in frame.columns
    ).drop("__row")


def protect(tables: PackTables, domestic: Domestic, below: int) -> Protected:
    """The pack's tables with the secondary suppressions that stop any hidden count being
    recovered from the others, and the audit that proves it."""
    published = published_counts(tables, domestic)
    system = published.system()
    suppressed = frozenset(k for k, v in system.values.items() if v is None)
    hidden = protect_system(system, below) - suppressed
    cells: defaultdict[str, defaultdict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for key in hidden:
        for place in published.places[key]:
            for column in (place.column, *place.derived):
                cells[place.table][column].add(place.row)
    changes = {f.name: _hide(getattr(tables, f.name), cells[f.name]) for f in fields(PackTables)}
    text_cells = {
        column: rows
        for column, rows in {
            **{c: cells["headline"].get(c, set()) for c in ("numerator", "denominator")},
            **{c: cells["headline"].get("value", set()) for c in TEXT_DERIVED},
        }.items()
        if rows
    }
    changes["headline_text"] = _hide(tables.headline_text, text_cells, SUPPRESSED)
    return Protected(
        replace(tables, **changes),
        hidden,
        dict(published.places),
        audit(system, hidden),
        suppressed,
    )
