"""Secondary suppression across the tables of pages published together or a meeting pack.

Each table passes primary suppression on its own (publication.py); published together they add
up: DA + non-DA = all (headline, monthly trend, outcome groups, risk flags), the months of the
period = the period's count, a rolling 12-month total = its twelve months (some before the
period, and unpublished), the twelve months before = the previous period's count, an SPC mean x
its months = their sum, the outcome groups of a category = its offences, offences without a DASH
+ offences with one = offences, districts = the selection, the selection and the districts not
selected = the force, a characteristic's groups of victims = their Total = the period's offences
(and of suspects, the offences with a suspect), and counts two pages show under other names (an
outcome rate's offences and its outcome groups'). `published_counts` writes every count the
tables show, and where, as a `disclosure.LinearSystem`; `linked_protection.protect` hides the
further counts `protect_system` chooses (and the rates, shares and averages that would give them
back) until the attacker's audit leaves every hidden count an interval at least the threshold
wide.

A total less a part of it shown beside it (a rate's denominator less its numerator, outcome 14 as
an outcome group less the outcome 16 rate's offences) is a count no table shows that a reader
works out: `Published.part_of` names it, and protection keeps it wide where it is small (`PARTS`,
`disclosure.LinearSystem.differences`); as it does every other count never shown whose value
the sums give (the districts not selected: the force less the selection; `_given_by_sums`).

Not modelled (stated in the pack): the ward map,
whose colours do not give exact counts and which draws a suppressed ward grey; nor the figures
of another period, each protected on its own (publication mode offers the whole force, with each
district's rows, and one offence type at a time, `publication.unpublishable`; the three DA choices of one
filter are protected as one: `linked_protection.protect_choices`, and beside them the ward maps'
and the Victim contact page's, `protect_choices_beside`, and the Victims and suspects page's for
both beside the three choices' pages, `protect_beside_every_choice`; the Civil orders page gives
its counts for both only).
An SPC series's moving ranges, limits and special-cause flags are not linear in the counts
(a moving range beside a shown month gives its neighbour back as one of two values; a run
below the mean bounds every month in it), so where any month of a series is withheld they are
withheld with it (`linked_protection.withhold_spc_detail`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache, partial

import polars as pl

from stalking_profile import contract
from stalking_profile.disclosure import Key, LinearSystem
from stalking_profile.filters import Domestic, add_months, months_between
from stalking_profile.measures.indicators import BY_KEY
from stalking_profile.measures.outcomes import HORIZONS, OPEN_GROUP, OPEN_LABEL, TOTALS

CATEGORIES: tuple[Domestic, ...] = ("domestic", "non_domestic")  # DA + non-DA = "all"
CATEGORY = object()  # where the category goes in a key given to Published.split


# The tables a page or pack may show, by name (any subset):
# headline: headline_indicators (indicator, kind, value, numerator, denominator, ...);
# headline_text: the same rows as text (formatting.headline_table);
# trend: recorded_month, domestic, non_domestic, offences_total, rolling_12m_total/_average;
# spc: month, value, partition, mean, upper_limit, lower_limit;
# risk: the force rows (category, flag, numerator, denominator, rate, lower, upper);
# outcomes: category, group_short, offences, category_total, share;
# quality: indicator, numerator, denominator, rate, lower, upper;
# comparison: district_code, category, current, previous, change_pct, ... (by district).
Tables = Mapping[str, pl.DataFrame]


@dataclass(frozen=True)
class PackTables:
    """The frames a pack shows, in full (before columns are chosen for the slides)."""

    headline: pl.DataFrame
    headline_text: pl.DataFrame
    trend: pl.DataFrame
    spc: pl.DataFrame
    risk: pl.DataFrame
    outcomes: pl.DataFrame
    quality: pl.DataFrame
    comparison: pl.DataFrame  # the Trends page's district table: this period and the previous

    def named(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_tables(self, tables: Tables) -> PackTables:
        return replace(self, **{k: v for k, v in tables.items() if k in self.named()})


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
    ("outcome_days", "offences_with_outcome"): ("median_days",),  # a median of n values
    ("repeat_gaps", "gaps"): ("median_days", "lower_quartile_days", "upper_quartile_days"),
    ("outcomes", "category_total"): ("share",),
    ("quality", "numerator"): ("rate", "lower", "upper"),
    ("quality", "denominator"): ("rate", "lower", "upper"),
    ("risk_by_district", "numerator"): ("rate", "lower", "upper"),
    ("outcome_rates", "numerator"): ("rate", "lower", "upper"),
    ("outcome_rates", "denominator"): ("rate", "lower", "upper"),
    ("flag_trend:", "numerator"): ("rate", "lower", "upper"),
    ("flag_trend:", "denominator"): ("rate", "lower", "upper"),
    ("risk_by_district", "denominator"): ("rate", "lower", "upper"),
    ("dash_mix", "numerator"): ("rate", "lower", "upper"),
    ("cyber_by_district", "numerator"): ("rate", "lower", "upper"),
    ("repeat_summary", "offences_with_suspect"): ("repeat_suspect_share",),
    ("repeat_summary", "offences_repeat_suspect"): ("repeat_suspect_share",),
    ("repeat_summary", "victims"): ("repeat_victim_share",),
    ("repeat_summary", "repeat_victims"): ("repeat_victim_share",),
    ("repeat_monthly", "with_suspect"): ("repeat_suspect_share",),
    # a month's offences give its repeat-victim share's denominator (Wakefield, June 2021: 6
    # offences with a repeat victim at 5.7%, exactly 6/105, gave the withheld 105 back)
    ("repeat_monthly", "offences"): ("repeat_victim_share",),
    ("repeat_monthly", "repeat_victim_12m"): ("repeat_victim_share",),
    ("repeat_monthly", "repeat_suspect_12m"): ("repeat_suspect_share",),
    ("serial", "offences_with_suspect"): ("serial_share",),
    ("cyber_by_district", "denominator"): ("rate", "lower", "upper"),
    ("dash_mix", "denominator"): ("rate", "lower", "upper"),
    ("wards", "offences"): ("rate", "rate_per_1000", "rate_lower", "rate_upper"),
    **{
        ("risk_comparison", f"{side}_{part}"): (
            *(f"{side}_rate", "difference_points", "difference_lower", "difference_upper"),
            # which test was used says whether an expected count was under 5
            *("p_value", "q_value", "significant", "test"),
        )
        for side in ("da", "non_da")
        for part in ("numerator", "denominator")
    },
    **{
        ("comparison", column): (
            *("change_pct", "change_lower", "change_upper"),
            *("p_value", "q_value", "significant", "dispersion"),
        )
        for column in ("current", "previous")
    },
}
TEXT_DERIVED = ("value", "interval")
RATE = ("rate", "lower", "upper")
TOLD_RATE = ("told_rate", "told_lower", "told_upper")  # the Victim contact page's told the outcome


@dataclass(frozen=True)
class Totalled:
    """A table whose rows (within each `group`, if any) add up to its `total` row, column by
    column for `columns`; in each row the `split` columns add up to the `whole` column (DA +
    non-DA = all); `derived` says what in a row goes with each hidden count."""

    label: str
    total: str
    columns: tuple[str, ...]
    group: str | None = None
    derived: Mapping[str, tuple[str, ...]] | None = None
    split: tuple[str, ...] = ()
    whole: str = ""


# The Victim contact page's contact by district: under CONTACT where it counts every month of
# the period (its offences are then the Risk page's offences by district), under
# CONTACT_SOME_MONTHS where months before contact was recorded or too recent to judge are
# left out (other counts; ContactPanel.tables chooses).
CONTACT, CONTACT_SOME_MONTHS = "contact_by_district", "contact_by_district@some months"
# All the Victim contact page's tables: each offence is DA or non-DA, and in publication mode a
# DA choice's tables have the rows of the tables for both (protection_panels._contact_panel),
# so each of their counts for both is its DA and non-DA counts (_split_by_choice).
CONTACT_TABLES = frozenset({CONTACT, CONTACT_SOME_MONTHS, "contact_monthly"})

# The Civil orders and Victim contact pages' tables (protection_panels.py).
TOTALLED: dict[str, Totalled] = {
    "order_activity": Totalled(
        "order_type",
        "All types",
        (
            *("applied", "interim", "granted", "refused", "withdrawn"),
            *("in_force_end", "interim_in_force_end", "expired", "discharged"),
        ),
    ),
    "order_take_up": Totalled(
        "order_type",
        "All types",
        ("applications",),
        group="district_code",
        derived={
            name: ("per_100", "per_100_lower", "per_100_upper")
            for name in ("applications", "offences")
        },
    ),
    "order_times": Totalled(
        "order_type",
        "All types",
        ("applications", "pending", "interim_days_n", "full_days_n"),
        derived={
            "interim_days_n": tuple(f"interim_days_{s}" for s in ("median", "q1", "q3")),
            "full_days_n": tuple(f"full_days_{s}" for s in ("median", "q1", "q3")),
        },
    ),
    "order_breaches": Totalled(
        "order_type",
        "All types",
        ("orders_in_force", "orders_breached", "breaches"),
        derived={
            "orders_in_force": (*RATE, "breaches_per_order"),
            "orders_breached": RATE,
            "breaches": ("breaches_per_order",),
        },
    ),
    "first_breach": Totalled(
        "order_type",
        "All types",
        ("orders", "breached"),
        derived={
            name: ("median_days_to_breach", "within_30", "within_90", "within_180", "within_365")
            for name in ("orders", "breached")
        },
    ),
    "without_order": Totalled(
        "district_code",
        "All",
        ("repeat_suspect_offences", "without_order"),
        derived={name: RATE for name in ("repeat_suspect_offences", "without_order")},
    ),
    **{
        f"people_{characteristic}": Totalled(
            "group",
            "Total",
            ("domestic", "non_domestic", "offences"),
            group="person",
            derived={name: ("share",) for name in ("domestic", "non_domestic", "offences")},
            split=("domestic", "non_domestic"),
            whole="offences",
        )
        for characteristic in ("age_band", "sex", "ethnicity")
    },
    # The Outcomes page's outcome rates within 90 and 180 days (panels.outcomes_panel).
    "outcome_within": Totalled(
        "category",
        "all",
        ("numerator", "denominator", "recorded"),
        group="label",
        derived={
            "numerator": RATE,
            "denominator": (*RATE, "followed_share"),
            "recorded": ("followed_share",),
        },
    ),
    "outcome_within_month": Totalled(
        "category", "all", ("numerator", "denominator"), group="recorded_month"
    ),
    "contact_by_district": Totalled(
        "district_code",
        "All",
        ("offences", "agreements", "kept", "updates_due", "told"),
        derived={
            "offences": ("agreement_share",),
            "agreements": (*RATE, "agreement_share"),
            "kept": RATE,
            "updates_due": TOLD_RATE,
            "told": TOLD_RATE,
        },
    ),
}


# The counts in a row that are part of another count in the same row, by table (`_kind`):
# (part, whole). A reader works out the whole less the part (the offences without a contact
# agreement, the victims who are not repeat victims), a count no table shows: protection keeps
# it wide where it is small (`Published.part_of`). The headline's rates are named in
# `_headline` (its change row's numerator is not part of its denominator; its DA share's
# difference is the non-DA count, DA + non-DA = all); a table whose parts are all shown beside
# their whole (outcome groups, DASH risk levels, the people tables' groups) gives each
# difference as published counts already.
RATE_PART = (("numerator", "denominator"),)
RATE_TABLES = ("risk", "quality", "risk_by_district", "cyber_by_district", "outcome_rates")
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    **dict.fromkeys((*RATE_TABLES, "flag_trend:", "outcome_within_month"), RATE_PART),
    "outcome_within": (*RATE_PART, ("denominator", "recorded")),
    "risk_comparison": (
        ("da_numerator", "da_denominator"),
        ("non_da_numerator", "non_da_denominator"),
    ),
    **dict.fromkeys(
        (CONTACT, CONTACT_SOME_MONTHS, "contact_monthly"),
        (
            ("agreements", "offences"),
            ("kept", "agreements"),
            ("updates_due", "agreements"),
            ("told", "updates_due"),
            # a part of a part: its difference is the two differences' sum, a count too
            # (helper 57: force non-DA, February 2021, 19 agreements less 15 told gave the 4
            # agreements whose victim was not told, 2 not yet due and 2 due and not told)
            ("kept", "offences"),
            ("updates_due", "offences"),
            ("told", "offences"),
            ("told", "agreements"),
        ),
    ),
    "order_breaches": (("orders_breached", "orders_in_force"),),
    "first_breach": (("breached", "orders"),),
    "without_order": (("without_order", "repeat_suspect_offences"),),
    "repeat_summary": (
        ("repeat_victims", "victims"),
        ("repeat_suspects", "suspects"),
        ("offences_repeat_victim", "offences_with_victim"),
        ("offences_repeat_suspect", "offences_with_suspect"),
        ("offences_with_suspect", "offences"),
    ),
    "repeat_monthly": (
        ("with_suspect", "offences"),
        ("repeat_victim_12m", "offences"),
        ("repeat_suspect_12m", "with_suspect"),
    ),
}
LESS = "less"  # a difference's key: (LESS, whole, part)


class Published:
    """Counts as a pack shows them, where each is shown, and the sums between them."""

    def __init__(self) -> None:
        self.values: dict[Key, int | None] = {}
        self.places: defaultdict[Key, list[Place]] = defaultdict(list)
        self.sums: list[tuple[tuple[Key, ...], Key]] = []
        self.zero_able: set[Key] = set()  # blanks that may be zero (LinearSystem.zero_able)
        # each difference a reader works out (a whole less a part of it) -> (part, whole)
        self.parts: dict[Key, tuple[Key, Key]] = {}
        # counts no table shows whose values pages protected before knew (a total less a part
        # of it, or given by the sums: LinearSystem.differences)
        self.differences: dict[Key, int] = {}
        self._cells: defaultdict[tuple[str, int], dict[str, Key]] = defaultdict(dict)

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
        derived = DERIVED.get((_kind(table), column), ())
        self.places[key].append(Place(table, row, column, derived))
        self._cells[(table, row)][column] = key
        return key

    def part_of(self, part: Key, whole: Key) -> None:
        """`part` is part of `whole`: their difference, never shown, is a count a reader
        works out (and part + difference = whole)."""
        if part != whole:
            self.parts[(LESS, whole, part)] = (part, whole)

    def parts_in_rows(self) -> None:
        """The parts and wholes of every row counted so far, as PARTS declares them."""
        for (table, _), cells in self._cells.items():
            for part, whole in PARTS.get(_kind(table), ()):
                if part in cells and whole in cells:
                    self.part_of(cells[part], cells[whole])

    def zero(self, key: Key) -> None:
        """A count the pack shows as nothing (a group with no offences): known to a reader,
        with no cell that could be blanked."""
        self.known(key, 0)

    def known(self, key: Key, value: int) -> None:
        """A count taken as known to a reader, with no cell that could be blanked."""
        self.values.setdefault(key, value)

    def add(self, parts: list[Key], total: Key) -> None:
        self.sums.append((tuple(parts), total))

    def take_in(self, other: Published, name: Callable[[Key], Key]) -> None:
        """Add `other`'s counts, places, sums, parts and differences, each count under
        `name(key)` (one DA choice's counts among the three's: linked_protection)."""
        self.values.update({name(k): v for k, v in other.values.items()})
        for key, where in other.places.items():
            self.places[name(key)].extend(where)
        self.sums.extend(
            (tuple(name(p) for p in parts), name(total)) for parts, total in other.sums
        )
        self.zero_able |= {name(key) for key in other.zero_able}
        self.parts.update({name(k): (name(p), name(w)) for k, (p, w) in other.parts.items()})
        self.differences.update({name(k): v for k, v in other.differences.items()})

    def same(self, one: Key, other: Key) -> None:
        """Two keys for one count, shown on different tables (a page's and another's): linked
        unless both are shown and differ (then they are other counts after all)."""
        shown = (self.values.get(one), self.values.get(other))
        if None in shown or shown[0] == shown[1]:
            self.add([one], other)

    def same_if_equal(self, one: Key, other: Key) -> None:
        """Two keys that are the same count when they agree (offences followed up 90 days are
        the period's once every month is 90 days old): linked where both are shown and equal,
        a true equation however they came to agree."""
        shown = (self.values.get(one), self.values.get(other))
        if None not in shown and shown[0] == shown[1]:
            self.add([one], other)

    def split(self, *template: object) -> None:
        """DA + non-DA = all, for the count whose key is `template` with the category in
        place of CATEGORY."""
        self.add([_in(template, c) for c in CATEGORIES], _in(template, "all"))

    def split_at_most(self, *template: object) -> None:
        """DA + non-DA <= all (`at_most`), for the count whose key is `template` with the
        category in place of CATEGORY."""
        at_most(self, [_in(template, c) for c in CATEGORIES], _in(template, "all"))

    def system(self, slack: int = 0, known: frozenset[Key] = frozenset()) -> LinearSystem:
        """The counts and sums as the attacker's system: a count with no cell here, or
        `known` (published elsewhere), is fixed (secondary suppression cannot hide it); each
        part + its difference = its whole, the difference's value known where both are."""
        shown = frozenset(key for key in self.values if self.places.get(key))
        fixed = (frozenset(self.values) - shown) | (known & frozenset(self.values))
        differences, every_sum = dict(self.differences), list(self.sums)
        for less, (part, whole) in self.parts.items():
            of_part, of_whole = self.values.get(part), self.values.get(whole)
            if of_part is not None and of_whole is not None:
                if of_whole < of_part:  # not a part of it after all: no sum is claimed
                    continue
                differences[less] = of_whole - of_part
            every_sum.append(((part, less), whole))
        # the sums in one order whatever order they were found in (some are found by
        # iterating sets, whose order varies from process to process): which of two equally
        # good counts protection hides must not (Calderdale, July to September 2021: July's
        # or August's DA DASH forms, by process)
        sums = sorted(dict.fromkeys(every_sum), key=repr)
        found = _given_by_sums(self.values, differences, sums)
        # what a bound leaves over is no count of its own to keep wide (`at_most`)
        differences |= {k: v for k, v in found.items() if not _is_bound(k)}
        return LinearSystem(
            dict(self.values), sums, slack, fixed, frozenset(self.zero_able), differences
        )


def _in(template: tuple[object, ...], category: str) -> Key:
    """The key `template` with `category` in place of CATEGORY."""
    return tuple(category if part is CATEGORY else part for part in template)


def _given_by_sums(
    values: Mapping[Key, int | None],
    differences: Mapping[Key, int],
    sums: list[tuple[tuple[Key, ...], Key]],
) -> dict[Key, int]:
    """The values of the counts never shown that the sums give from counts whose values are
    known, one sum at a time (the districts not selected: the force less the selection; a
    sex's offences of no recorded age: its offences less its age bands')."""
    known: dict[Key, int] = {k: v for k, v in values.items() if v is not None}
    known |= differences
    found: dict[Key, int] = {}
    waiting = list(range(len(sums)))
    while waiting:
        left = []
        for i in waiting:
            parts, total = sums[i]
            members = (*parts, total)
            unknown = {key for key in members if key not in known}
            if len(unknown) != 1:
                if unknown:
                    left.append(i)
                continue
            (key,) = unknown
            if key in values or (key == total and key in parts):  # withheld: value not known
                continue
            if key == total:
                value, remainder = sum(known[p] for p in parts), 0
            else:  # a key twice a part is half the rest
                rest = known[total] - sum(known[p] for p in parts if p != key)
                value, remainder = divmod(rest, parts.count(key))
            if value >= 0 and not remainder:
                known[key] = found[key] = value
        if len(left) == len(waiting):
            break
        waiting = left
    return found


def months_from(first: date, count: int) -> list[date]:
    return [add_months(first, k) for k in range(count)]


def published_counts(tables: Tables, domestic: Domestic) -> Published:
    """Every count the tables show, keyed so that the same count shown twice is one key, and
    the sums an attacker knows between them."""
    out = Published()
    for name, part in (
        ("headline", _headline),
        ("trend", _trend),
        ("risk", _risk),
        ("outcomes", _outcomes),
        ("outcome_days", _outcome_days),
        ("outcome_time", _outcome_time),
        (QUALITY, _quality),
        (QUALITY_WITH_HARASSMENT, partial(_quality, table=QUALITY_WITH_HARASSMENT)),
        ("comparison", _comparison),
        ("risk_by_district", _risk_by_district),
        ("risk_comparison", _risk_comparison),
        ("dash_mix", _dash_mix),
        ("wards", _wards),
        ("ward_totals", _ward_totals),
        ("cyber_by_district", _cyber_by_district),
        ("repeat_summary", _repeat_summary),
        ("repeat_gaps", _repeat_gaps),
        ("repeat_monthly", _repeat_monthly),
        ("serial", _serial),
    ):
        frame = tables.get(name)
        if frame is not None:
            part(out, frame, domestic)
    for name, frame in tables.items():
        if name.startswith(FLAG_TREND):
            _flag_trend(out, frame, name)
        elif is_spc(name):
            _spc(out, frame, domestic, name)
    if "outcome_rates" in tables:
        _outcome_rates(out, tables["outcome_rates"])
    if "risk_by_district" in tables:
        _risk_page_links(out, tables)
    for name, spec in TOTALLED.items():
        for table in (name, CONTACT_SOME_MONTHS) if name == CONTACT else (name,):
            if table in tables:
                _totalled(out, tables[table], table, spec)
    _outcome_districts(out, tables)
    _protection_links(out, tables, domestic)
    _people_links(out, tables, domestic)
    _offences_by_district_links(out, tables, domestic)
    _period_links(out, tables, domestic)
    _within_month_links(out, tables)
    _same_when_equal_links(out, tables, domestic)
    out.parts_in_rows()
    return out


def _totalled(out: Published, frame: pl.DataFrame, table: str, spec: Totalled) -> None:
    """Every count of a totalled table, and the sums of its rows to the total row; where the
    rows are districts with a row "Force" beside the selection's total (categories.
    beside_force), the total and the districts not selected (never published) to the force."""
    derived = spec.derived or {}
    counted = [name for name, dtype in frame.schema.items() if dtype.is_integer()]
    parts: defaultdict[tuple, list[Key]] = defaultdict(list)
    for i, row in enumerate(frame.iter_rows(named=True)):
        group = row[spec.group] if spec.group else None
        for column in counted:
            key = out.count((table, column, group, row[spec.label]), table, i, column, row[column])
            out.places[key][-1] = Place(table, i, column, derived.get(column, RATE))
            if column in spec.columns and row[spec.label] not in (spec.total, FORCE):
                parts[(column, group)].append(key)
            if column in spec.columns and row[spec.label] == FORCE:
                others = (table, column, group, OTHERS)
                out.add([(table, column, group, spec.total), others], key)
        if spec.split and {*spec.split, spec.whole} <= set(frame.columns):  # DA + non-DA = all
            keys = [(table, c, group, row[spec.label]) for c in spec.split]
            out.add(keys, (table, spec.whole, group, row[spec.label]))
    for (column, group), keys in parts.items():
        out.add(keys, (table, column, group, spec.total))


def _offences_by_district_links(out: Published, tables: Tables, chosen: Domestic) -> None:
    """The offences by district of the Civil orders take-up and Victim contact tables are the
    Risk page's (their "All" row the selection's, or its one district's); so are the Trends
    page's district table's offences this period, where the two agree (they were protected
    apart: for the force in September 2021, Calderdale's 46 offences there less its 44 DA
    offences on the Risk page gave its withheld 2 non-DA)."""
    if "order_take_up" in tables:
        _take_up_links(out, tables["order_take_up"])
    if "comparison" in tables:
        _comparison_links(out, tables)
    for table, key_of in (
        ("order_take_up", lambda row: (row["district_code"], row["order_type"])),
        (CONTACT, lambda row: (None, row["district_code"])),
        (CONTACT_SOME_MONTHS, lambda row: (None, row["district_code"])),
    ):
        frame = tables.get(table)
        if frame is None or "offences" not in frame.columns:
            continue
        districts = [
            d for d in frame["district_code"].unique().to_list() if d not in ("All", FORCE)
        ]
        everything = SELECTED if len(districts) > 1 else (districts[0] if districts else None)
        for row in frame.iter_rows(named=True):
            area = everything if row["district_code"] == "All" else row["district_code"]
            if area is None:
                continue
            key, offences = (table, "offences", *key_of(row)), ("offences", chosen, area)
            if table == CONTACT_SOME_MONTHS:
                # some of the period's months: part of them (a period to January 2022, the
                # latest month, too recent to judge: Calderdale's non-DA 10 offences less the
                # 9 of November and December on the Victim contact page gave its 1 of January)
                out.part_of(key, offences)
            else:
                out.same(key, offences)


def _comparison_links(out: Published, tables: Tables) -> None:
    """The Trends page's district table beside the period's offences by district (the Risk
    page's). Where the data start cuts it like for like, each area's count this period is
    the months it compares: the selection's is the sum of those months (the trend shows
    them), and a district's is part of its period's offences, the difference (its months left
    out, never shown) kept as wide as a hidden count (force, February to December 2019:
    Calderdale's 25 non-DA offences on the Risk page less the 21 of its March to December
    beside them gave its 4 of February, withheld or not). Otherwise the two are the same count
    where they agree."""
    frame = tables["comparison"]
    cut = _cut_months(tables.get("headline"))
    if cut is not None:
        now, before = cut
        for area, category in _chosen_area_rows(frame):
            for column, months in (("current", now), ("previous", before)):
                key = ("area", area, category, column)
                out.add([("month", m, category) for m in months], key)
    if "risk_by_district" not in tables:
        return
    rows = tables["risk_by_district"].select("district_code", "category").unique()
    for area, category in rows.iter_rows():
        this_period, offences = ("area", area, category, "current"), ("offences", category, area)
        if cut is None:
            out.same_if_equal(this_period, offences)
        elif this_period in out.values:
            out.part_of(this_period, offences)


def _cut_months(headline: pl.DataFrame | None) -> tuple[list[date], list[date]] | None:
    """The months the period's change compares, where the data start cut it like for like
    (its headline row's: compared_months); None where it is not cut."""
    if headline is None:
        return None
    for row in headline.filter(pl.col("indicator") == "change").iter_rows(named=True):
        if _cut_like_for_like(row):
            return compared_months(row)
    return None


def _period_links(out: Published, tables: Tables, chosen: Domestic) -> None:
    """The period's offences as other tables show them: the outcome-within table's offences
    recorded; the offences followed up (its denominators) and the Data quality page's
    denominators where they agree with the period's."""
    within = tables.get("outcome_within")
    if within is not None:
        for row in within.iter_rows(named=True):
            period = ("period", row["category"])
            out.same(("outcome_within", "recorded", row["label"], row["category"]), period)
            followed = ("outcome_within", "denominator", row["label"], row["category"])
            out.same_if_equal(followed, period)
    quality = _quality_table(tables)
    if quality is not None:
        for indicator in quality["indicator"].to_list():
            out.same_if_equal(quality_key(indicator, chosen, QUALITY_TOTAL), ("period", chosen))


WITHIN_MONTHS = f"Outcome within {HORIZONS[0]} days"  # the horizon of the Outcomes page by month
NOT_COMPLETE = "months not complete"  # offences followed up in months not shown by month


def _within_month_links(out: Published, tables: Tables) -> None:
    """The Outcomes page's outcome within 90 days by month shows the months whose follow-up is
    complete; the period's row counts every offence followed up, so it is their sum and the
    offences followed up in the months not complete (never shown, a count a reader works out,
    kept wide where small: the force's non-DA, July 2021 to January 2022, 183 followed up
    less the months' 179 gave the 4 of November's first days followed up, 3 with an outcome,
    115 - 112)."""
    months, period = tables.get("outcome_within_month"), tables.get("outcome_within")
    if months is None or period is None or "denominator" not in months.columns:
        return
    for category in months["category"].unique(maintain_order=True).to_list():
        recorded = months.filter(pl.col("category") == category)["recorded_month"].to_list()
        for column in ("numerator", "denominator"):
            whole = ("outcome_within", column, WITHIN_MONTHS, category)
            if whole in out.values:
                parts = [("outcome_within_month", column, m, category) for m in recorded]
                out.add([*parts, ("outcome_within", column, NOT_COMPLETE, category)], whole)


def _same_when_equal_links(out: Published, tables: Tables, chosen: Domestic) -> None:
    """Counts that two pages show under other names and that are the same count whenever
    they agree (found by reading the demo's pages side by side, where one page withheld a
    count another showed): a month's offences followed up (Outcomes, by month) are the
    month's offences (Overview, Trends) once the month is old enough; the open offences are
    those with no outcome after 90 days (Data quality) once every offence is 90 days old; the
    applications timed are the applications (Civil orders). Each is linked only where both
    are shown and equal, as protection sees them: a true equation however they came to agree.
    (Always the same: the map's offences of no ward and the Data quality page's, linked in
    _ward_totals; an outcome rate's offences and its outcome groups', in _rate_group_links.)"""
    within = tables.get("outcome_within_month")
    if within is not None and "denominator" in within.columns:
        for row in within.iter_rows(named=True):
            month, category = row["recorded_month"], row["category"]
            followed = ("outcome_within_month", "denominator", month, category)
            out.same_if_equal(followed, ("month", month, category))
    if "outcomes" in tables and _quality_table(tables) is not None:
        out.same_if_equal(
            ("outcome", OPEN_GROUP, chosen), quality_key("open_after_90_days", chosen)
        )
    if "outcomes" in tables and "outcome_rates" in tables:
        _rate_group_links(out, tables["outcome_rates"].select("outcome", "category").rows())
    if "outcomes" in tables and "headline" in tables:  # a pack: the rates on its headline
        headline = tables["headline"]["indicator"].to_list()
        _rate_group_links(out, [(key, chosen) for key in headline if key in BY_KEY])
    if "order_times" in tables and "order_activity" in tables:
        for order_type in tables["order_times"]["order_type"].to_list():
            out.same_if_equal(
                ("order_times", "applications", None, order_type),
                ("order_activity", "applied", None, order_type),
            )


# The outcome codes each outcome rate counts (sql/marts/offence_summary.sql), as the shipped
# outcome framework (contract.outcome_type_rows) codes them; outcome 1-8 counts the codes
# marked counts_in_outcome_1_8.
RATE_CODES = {"outcome_15": "15", "outcome_16": "16", "outcome_18": "18"}


@cache
def _rate_groups() -> dict[str, tuple[tuple[str, ...], bool]]:
    """Each outcome rate's column -> the outcome groups its offences fall in, and whether
    those groups hold other outcomes too (outcome 16's group holds 14)."""
    rows = contract.outcome_type_rows()
    out = {}
    for column, keys in _rate_types().items():
        counted = [row for row in rows if str(row["outcome_key"]) in keys]
        groups = tuple(sorted({str(row["group_short"]) for row in counted}))
        rest = any(row["group_short"] in groups and row not in counted for row in rows)
        out[column] = (groups, rest)
    return out


def _rate_group_links(out: Published, rates: Iterable[tuple[str, Domestic]]) -> None:
    """An outcome rate's offences (`rates`: indicator key and DA category) are those of its
    outcome groups (outcome 1-8: four groups; outcome 15 and 18: one each), or part of them
    (outcome 16 and the never published 14 make their group): the Outcomes page showed the
    outcome 15 rate's offences where it withheld the same count as its group's. The rest, a
    group less the rate's offences, is a difference a reader works out, kept wide where small
    (Calderdale and Wakefield non-DA, October 2020 to September 2021: the group's 30 less the
    outcome 16 rate's 27 gave outcome 14's 3). A pack's headline gives the rates beside its
    outcome groups chart: unlinked, the force's outcome 1-8 count (160) less the groups shown
    narrowed the informal out-of-court outcome's withheld 1 to 0-12 (helper 91)."""
    for outcome, category in dict.fromkeys(rates):  # once each, in order
        column = BY_KEY[outcome].column
        if column not in _rate_groups():
            continue
        groups, rest = _rate_groups()[column]
        flag: Key = ("flag", column, category)
        parts: list[Key] = [("outcome", group, category) for group in groups]
        if not rest:  # the groups are the rate's offences
            out.add(parts, flag)
        else:  # with the rest of the groups (never published: outcome 14), the groups
            whole: Key = parts[0] if len(parts) == 1 else ("outcome groups of", column, category)
            if len(parts) > 1:
                out.add(parts, whole)
            out.part_of(flag, whole)


def _take_up_links(out: Published, frame: pl.DataFrame) -> None:
    """The take-up table's districts add up to its "All" rows, those and the districts not
    selected (never published) to its "Force" rows where it has them, and all applications
    there are the period's applications (Civil orders' activity), type by type."""
    areas = frame["district_code"].unique().to_list()
    districts = [d for d in areas if d not in ("All", FORCE)]
    if "All" not in areas or not districts:
        return
    for order_type in frame["order_type"].unique().to_list():  # the force's types, if shown
        for column in ("applications", "offences"):
            parts = [("order_take_up", column, d, order_type) for d in districts]
            every: Key = ("order_take_up", column, "All", order_type)
            out.add(parts, every)
            if FORCE in areas:
                others = ("order_take_up", column, OTHERS, order_type)
                out.add([every, others], ("order_take_up", column, FORCE, order_type))
    for order_type in frame["order_type"].unique().to_list():
        every = ("order_take_up", "applications", "All", order_type)
        out.same_if_equal(every, ("order_activity", "applied", None, order_type))


def _order_links(out: Published, monthly: pl.DataFrame) -> None:
    """The order table's months add up to the period's applications and full orders made; the
    full orders in force at the last month's end are those at the period's end; and each
    month's in force are the month before's and the month's orders made less those that ended
    in it (`ended`, never shown, at least 0). Without that last, the months in force gave
    back the orders made that publication mode withheld: force non-molestation orders, April
    2020 to March 2021, rose 5 to 9 in July, so at least 4 were made, and with the year's 17
    made in withheld months each of the seven was narrowed to three values (helper 85)."""
    made: dict[tuple[str, date], Key] = {}
    for column in ("applied", "granted"):
        for order_type in monthly["order_type"].unique().to_list():
            keys = []
            for i, row in enumerate(monthly.iter_rows(named=True)):
                if row["order_type"] == order_type:
                    month_key: Key = ("order_monthly", column, order_type, row["month"])
                    month_key = out.count(month_key, "order_monthly", i, column, row[column])
                    keys.append(month_key)
                    if column == "granted":
                        made[order_type, row["month"]] = month_key
            out.add(keys, ("order_activity", column, None, order_type))
    last = monthly["month"].max()
    in_force: dict[tuple[str, date], Key] = {}
    for i, row in enumerate(monthly.iter_rows(named=True)):
        at_end: Key = ("order_monthly", "in_force", row["order_type"], row["month"])
        at_end = out.count(at_end, "order_monthly", i, "in_force", row["in_force"])
        in_force[row["order_type"], row["month"]] = at_end
        if row["month"] == last:
            out.same(at_end, ("order_activity", "in_force_end", None, row["order_type"]))
    for (order_type, month), at_end in in_force.items():
        before = in_force.get((order_type, add_months(month, -1)))
        if before is None or (order_type, month) not in made:
            continue
        # in force before + made = in force + ended: both sides one count never shown
        held: Key = ("order_monthly", "held", order_type, month)
        out.add([before, made[order_type, month]], held)
        out.add([at_end, ("order_monthly", "ended", order_type, month)], held)


BOUND = "left over"  # the first part of the key of what a bound leaves over (`at_most`)


def _is_bound(key: Key) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] == BOUND


def at_most(out: Published, parts: list[Key], whole: Key) -> None:
    """The parts add up to no more than the whole: with what is left over (never shown, at
    least 0), to the whole. What is left over is a count of unlike things (orders made twice
    over, applications refused or withdrawn), so it is not itself kept wide."""
    out.add([*parts, (BOUND, whole, tuple(parts))], whole)  # one for each bound on `whole`


def _order_bounds(out: Published, tables: Tables) -> None:
    """Bounds between the Civil orders tables (helper 88): an order made in the period (the
    first breach table's, made by its interim or its full order) had its interim order or its
    full order made in it, so there are no more than interim and full orders made together
    (April 2020 to March 2021: 22 restraining orders made and no interim order gave the full
    orders made, withheld, as 22 or more, and through the types' total the 2 SPOs as 2 to 4);
    and the applications pending and those with a full order are apart among the period's
    applications (13 - 11: 1 or 2 non-molestation orders pending, July to September 2021)."""
    if "first_breach" in tables and "order_activity" in tables:
        for kind in tables["first_breach"]["order_type"].to_list():
            made = (
                ("order_activity", "interim", None, kind),
                ("order_activity", "granted", None, kind),
            )
            either = (BOUND, "interim and full orders made", kind)
            out.add(list(made), either)
            at_most(out, [("first_breach", "orders", None, kind)], either)
    if "order_times" in tables:
        for kind in tables["order_times"]["order_type"].to_list():
            parts = [("order_times", c, None, kind) for c in ("pending", "full_days_n")]
            at_most(out, parts, ("order_times", "applications", None, kind))
    if "without_order" in tables:
        # a repeat suspect has two or more offences in the force, one or more in a district
        # or a selection of them: 42 offences and 20 suspects with no order, July to
        # September 2021, gave the offences of those with one as 2 at most
        districts = tables["without_order"]["district_code"].to_list()
        # the force's row: "Force" beside a selection of districts, else "All"
        force = FORCE if FORCE in districts else "All"
        every = ("without_order", "suspects_without_order", None, "All")
        for district in districts:
            suspects = ("without_order", "suspects_without_order", None, district)
            twice = [suspects, suspects] if district == force else [suspects]
            at_most(out, twice, ("without_order", "without_order", None, district))
            if district not in ("All", FORCE):  # no more than the selection's, which are no
                at_most(out, [suspects], every)  # more than the districts' together
        by_district = (BOUND, "suspects without an order by district")
        out.add(
            [
                ("without_order", "suspects_without_order", None, d)
                for d in districts
                if d not in ("All", FORCE)
            ],
            by_district,
        )
        at_most(out, [every], by_district)
        if force == "All":
            # the Repeats page's repeat suspects (the force's) less those without an order
            # have an order, and two or more offences each: the 21 repeat suspects beside 20
            # without an order gave the offences of the one with an order as exactly 2, 42 - 40
            with_order = (BOUND, "repeat suspects with an order")
            offences_with_order = (BOUND, "offences of repeat suspects with an order")
            out.add([every, with_order], ("repeat_suspects", "all"))
            out.add(
                [("without_order", "without_order", None, "All"), offences_with_order],
                ("without_order", "repeat_suspect_offences", None, "All"),
            )
            at_most(out, [with_order, with_order], offences_with_order)


def _protection_links(out: Published, tables: Tables, chosen: Domestic) -> None:
    """The months of the order (`_order_links`) and contact tables add up to the period's
    counts, with the bounds between the order tables (`_order_bounds`), and the breaches by
    outcome to all breaches in the period. The contact table's offences in a month are the
    month's offences (the Overview's trend), and the offences of repeat suspects beside
    orders (all districts) the Repeats page's offences with a repeat suspect."""
    if "order_monthly" in tables and "order_activity" in tables:
        _order_links(out, tables["order_monthly"])
    by_district = next((n for n in (CONTACT, CONTACT_SOME_MONTHS) if n in tables), None)
    if "contact_monthly" in tables and by_district is not None:
        monthly = tables["contact_monthly"]
        for column in ("offences", "agreements", "kept", "updates_due", "told"):
            if column not in monthly.columns:
                continue
            derived = TOLD_RATE if column in ("updates_due", "told") else (*RATE, "agreement_share")
            keys = []
            for i, row in enumerate(monthly.iter_rows(named=True)):
                key = ("contact_monthly", column, row["recorded_month"])
                key = out.count(key, "contact_monthly", i, column, row[column])
                keys.append(key)
                out.places[key][-1] = Place("contact_monthly", i, column, derived)
                if column == "offences":
                    out.same(key, ("month", row["recorded_month"], chosen))
            out.add(keys, (by_district, column, None, "All"))
    _order_bounds(out, tables)
    if "without_order" in tables:
        every = ("without_order", "repeat_suspect_offences", None, "All")
        out.same(every, ("offences_repeat_suspect", chosen))
    if "breach_outcomes" in tables and "order_breaches" in tables:
        outcomes = tables["breach_outcomes"]
        keys = [
            out.count(
                ("breach_outcomes", row["breach_outcome"]),
                "breach_outcomes",
                i,
                "breaches",
                row["breaches"],
            )
            for i, row in enumerate(outcomes.iter_rows(named=True))
        ]
        for key in keys:
            out.places[key][-1] = Place(
                "breach_outcomes", out.places[key][-1].row, "breaches", ("share",)
            )
        out.add(keys, ("order_breaches", "breaches", None, "All types"))


# The Victims and suspects page's totals as other pages show them: every offence has a victim
# row (the period's offences); suspects are counted over offences with a suspect identified.
PEOPLE_TOTALS = {"Victims": "period", "Suspects": "offences_with_suspect"}
PEOPLE_RATES = "people_rates"
PEOPLE_RATE_COLUMNS = ("rate_per_1000", "rate_lower", "rate_upper")  # give the offences back


def _people_links(out: Published, tables: Tables, chosen: Domestic) -> None:
    """The Victims and suspects page: every characteristic's Total is the same count of
    offences, the victims' Total the period's offences (and the suspects' the Repeats page's
    offences with a suspect), in each category shown. The rates by sex and age band (offences,
    with rates that give them back) add up, with the offences of an unrecorded age (never
    published), to the sex table's Female and Male rows, and with those of another or an
    unrecorded sex to the age band table's rows."""
    people = [f"people_{c}" for c in ("age_band", "sex", "ethnicity") if f"people_{c}" in tables]
    for name in people:
        frame = tables[name]
        for person in frame["person"].unique().to_list():
            for column in ("domestic", "non_domestic", "offences"):
                if column not in frame.columns:
                    continue
                total = (name, column, person, "Total")
                if name != people[0]:
                    out.add([(people[0], column, person, "Total")], total)
                elif person in PEOPLE_TOTALS:
                    category = chosen if column == "offences" else column
                    out.same(total, (PEOPLE_TOTALS[person], category))
    rates = tables.get(PEOPLE_RATES)
    if rates is None:
        return
    by_sex: defaultdict[tuple, list[Key]] = defaultdict(list)
    by_band: defaultdict[tuple, list[Key]] = defaultdict(list)
    for i, row in enumerate(rates.iter_rows(named=True)):
        person, sex, band = row["person"], row["sex"], row["age_band"]
        key = (PEOPLE_RATES, person, sex, band)
        key = out.count(key, PEOPLE_RATES, i, "offences", row["offences"])
        out.places[key][-1] = Place(PEOPLE_RATES, i, "offences", PEOPLE_RATE_COLUMNS)
        by_sex[(person, sex)].append(key)
        by_band[(person, band)].append(key)
    for (person, sex), keys in by_sex.items():
        unrecorded_age = (PEOPLE_RATES, "age not recorded", person, sex)
        out.add([*keys, unrecorded_age], ("people_sex", "offences", person, sex))
    for (person, band), keys in by_band.items():
        other_sex = (PEOPLE_RATES, "another or no sex recorded", person, band)
        out.add([*keys, other_sex], ("people_age_band", "offences", person, band))


def _risk_page_links(out: Published, tables: Tables) -> None:
    """On the Risk page, the monthly flag counts and offences, and the DASH risk levels, are
    the selection's: they add up to its counts in the district table."""
    areas = tables["risk_by_district"]["district_code"].unique(maintain_order=True).to_list()
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    area = SELECTED if SELECTED in areas else (districts[0] if len(districts) == 1 else FORCE)
    for name, frame in tables.items():
        if not name.startswith(FLAG_TREND):
            continue
        flag = name.removeprefix(FLAG_TREND)
        for category in frame["category"].unique().to_list():
            out.add([("flag period", flag, category)], ("flag", flag, category, area))
            months = frame.filter(pl.col("category") == category)["recorded_month"].to_list()
            out.add([("month", m, category) for m in months], ("offences", category, area))
    if "dash_mix" in tables:
        for category in tables["dash_mix"]["category"].unique().to_list():
            out.add([("dash forms", category)], ("flag", "dash_completed", category, area))
    # the selection's counts are the ones the headline and the Quality page show
    rows = tables["risk_by_district"].filter(pl.col("district_code") == area)
    for flag, category in rows.select("flag", "category").iter_rows():
        out.same(("offences", category, area), ("period", category))
        out.same(("flag", flag, category, area), ("flag", flag, category))


FLAG_TREND = "flag_trend:"  # + the flag: one flag's monthly rates by DA / non-DA
SPC = "spc"  # an XmR table; "spc@" + a name for a second one beside it (the Trends page's)


def is_spc(table: str) -> bool:
    """Whether the table is an XmR table ("spc", or "spc@" and a name)."""
    return table == SPC or table.startswith(SPC + "@")


def _kind(table: str) -> str:
    """What a table is, whatever its name (one flag's trend, one of several SPC tables)."""
    if table.startswith(FLAG_TREND):
        return FLAG_TREND
    if table == QUALITY_WITH_HARASSMENT:
        return QUALITY
    return SPC if is_spc(table) else table


def _headline(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = row["indicator"]
        if key == "offences":
            out.count(("period", chosen), "headline", i, "numerator", row["numerator"])
        elif key in CHANGE_COUNTS:
            now_key, before_key = ((name, chosen) for name in CHANGE_COUNTS[key])
            counted = out.count(
                _change_count(row, now_key, chosen), "headline", i, "numerator", row["numerator"]
            )
            before = out.count(before_key, "headline", i, "denominator", row["denominator"])
            _change_months(out, row, counted, before, chosen)
        elif key in ("da_offences", "non_da_offences"):
            category = "domestic" if key == "da_offences" else "non_domestic"
            out.count(("period", category), "headline", i, "numerator", row["numerator"])
        elif key == "domestic_share":
            out.count(("period", "domestic"), "headline", i, "numerator", row["numerator"])
            out.count(("period", "all"), "headline", i, "denominator", row["denominator"])
        elif row["kind"] == "rate":
            column = BY_KEY[key].column if key in BY_KEY else key
            part = out.count(("flag", column, chosen), "headline", i, "numerator", row["numerator"])
            whole = out.count(("period", chosen), "headline", i, "denominator", row["denominator"])
            out.part_of(part, whole)
    if chosen == "all":
        out.split("period", CATEGORY)


# A change row's counts: (the period's, the earlier period's) names; a change's numerator is
# the period's offences unless the data start cuts it like for like.
CHANGE_COUNTS = {
    "change": ("change", "previous"),
    "change_year_earlier": ("year now", "year before"),
}


def _change_count(row: dict, now_key: Key, chosen: Domestic) -> Key:
    """The key of a change row's numerator: its own, the sum of the months it compares
    (`_change_months`), where they are cut like for like (keyed as the period's by its value,
    a withheld like-for-like count was made the whole period's, which contradicted its
    months: helper 55, the force's pack for October 2018 to June 2019); else the period's
    offences, which it is, also where nothing is compared (a row "not in the data" still
    shows the period's count: keyed apart, it was never hidden with it, and gave Calderdale's
    withheld non-DA November 2018 back as 13 - 11)."""
    return now_key if _cut_like_for_like(row) else ("period", chosen)


def _change_months(out: Published, row: dict, counted: Key, before: Key, chosen: Domestic) -> None:
    """A change's counts are the sums of the months it compares (its row's compared_from to
    compared_to, earlier_from to earlier_to), which the trend and process-control chart show
    one by one: the change on a year earlier's like-for-like count less the months beside it
    gave a withheld month back (helper 54: Wakefield, DA, December 2018 to May 2019)."""
    months = compared_months(row)
    if months is None:
        return
    for key, among in zip((counted, before), months, strict=True):
        out.add([("month", m, chosen) for m in among], key)


def _cut_like_for_like(row: dict) -> bool:
    """Whether a headline change row compares months the data start cut like for like."""
    return compared_months(row) is not None and "like for like" in str(row["label"])


def compared_months(row: dict) -> tuple[list[date], list[date]] | None:
    """A headline change row's months: those of the period it compares and the earlier ones
    (headline.SCHEMA's compared_from to compared_to, earlier_from to earlier_to); None where
    it compares nothing."""
    if row.get("compared_from") is None or row.get("earlier_from") is None:
        return None
    return (
        months_between(row["compared_from"], row["compared_to"]),
        months_between(row["earlier_from"], row["earlier_to"]),
    )


def _trend(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    months = frame["recorded_month"].to_list()
    for i, row in enumerate(frame.iter_rows(named=True)):
        month = row["recorded_month"]
        for column in (*CATEGORIES, "offences_total"):
            if column in row:
                category = chosen if column == "offences_total" else column
                out.count(("month", month, category), "trend", i, column, row[column])
        if chosen == "all":
            out.split("month", month, CATEGORY)
        out.count(("rolling", month), "trend", i, "rolling_12m_total", row["rolling_12m_total"])
        twelve = months_from(add_months(month, -11), 12)
        out.add([("month", m, chosen) for m in twelve], ("rolling", month))
    if months:
        for category in (*CATEGORIES, "all") if chosen == "all" else (chosen,):
            out.add([("month", m, category) for m in months], ("period", category))
        before = months_from(add_months(months[0], -len(months)), len(months))
        out.add([("month", m, chosen) for m in before], ("previous", chosen))


def _spc(out: Published, frame: pl.DataFrame, chosen: Domestic, table: str = SPC) -> None:
    partitions: defaultdict[int, list[date]] = defaultdict(list)
    for i, row in enumerate(frame.iter_rows(named=True)):
        out.count(("month", row["month"], chosen), table, i, "value", row["value"])
        partitions[row["partition"]].append(row["month"])
    for partition, in_it in partitions.items():
        rows = frame.with_row_index("i").filter(pl.col("partition") == partition)
        # the mean as any row shows it: a row with a small count has its own blanked, while
        # the others, the mean line and its label still show it
        shown_means = rows["mean"].drop_nulls()
        mean = shown_means[0] if len(shown_means) else None
        key = ("spc mean", table, partition)
        for i in rows["i"].to_list():
            out.count(key, table, i, "mean", None if mean is None else mean * len(in_it))
        out.add([("month", m, chosen) for m in in_it], key)


def _risk(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    flags = set()
    for i, row in enumerate(frame.iter_rows(named=True)):
        flags.add(row["flag"])
        out.count(("flag", row["flag"], row["category"]), "risk", i, "numerator", row["numerator"])
        out.count(("period", row["category"]), "risk", i, "denominator", row["denominator"])
    if chosen == "all":
        for flag in flags:
            out.split("flag", flag, CATEGORY)


def _outcomes(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    groups = frame["group_short"].unique(maintain_order=True).to_list()
    categories = frame["category"].unique(maintain_order=True).to_list()
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("outcome", row["group_short"], row["category"])
        out.count(key, "outcomes", i, "offences", row["offences"])
        total = ("period", row["category"])
        out.count(total, "outcomes", i, "category_total", row["category_total"])
    for category in categories:
        # a group with no row has no offences (outcome 1-8's taken into consideration, with
        # none, pinned two blank groups of the period's offences to 1 each)
        for group in [*groups, *sorted(set(_group_of().values()) - set(groups))]:
            out.zero(("outcome", group, category))
        out.add([("outcome", g, category) for g in groups], ("period", category))
    if chosen == "all" and set(categories) >= {*CATEGORIES, "all"}:
        for group in groups:
            out.split("outcome", group, CATEGORY)


def _outcome_days(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """Median days to an outcome by outcome group: a group's offences with an outcome are its
    offences in the outcome groups table (an open offence has no time yet)."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("outcome", row["outcome_group"], row["category"])
        count = row["offences_with_outcome"]
        out.count(key, "outcome_days", i, "offences_with_outcome", count)


def _outcome_rates(out: Published, frame: pl.DataFrame) -> None:
    """The Outcomes page's outcome rates by category: the same counts as the headline's (an
    open offence's count is the open outcome group's)."""
    columns = set()
    for i, row in enumerate(frame.iter_rows(named=True)):
        category, column = row["category"], BY_KEY[row["outcome"]].column
        columns.add(column)
        key = ("flag", column, category)
        out.count(key, "outcome_rates", i, "numerator", row["numerator"])
        out.count(("period", category), "outcome_rates", i, "denominator", row["denominator"])
        if column == OPEN_COLUMN:
            out.same(key, ("outcome", OPEN_GROUP, category))
    if set(frame["category"].to_list()) >= set(CATEGORIES):  # their whole: the headline's
        for column in columns:
            out.split("flag", column, CATEGORY)


OPEN_COLUMN = "outcome_open"


def _outcome_time(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """Time to an outcome by category: its offences, and those with an outcome, which with the
    open ones make its offences."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        category = row["category"]
        total = out.count(("period", category), "outcome_time", i, "offences", row["offences"])
        closed = out.count(
            ("outcome closed", category),
            "outcome_time",
            i,
            "offences_with_outcome",
            row["offences_with_outcome"],
        )
        out.add([closed, ("outcome", OPEN_GROUP, category)], total)


# The Data quality page's indicators under QUALITY where the filter holds stalking alone; under
# QUALITY_WITH_HARASSMENT where harassment is in it too: their DASH and screening counts are
# then stalking's, other counts than the other pages' flags of the same name.
QUALITY, QUALITY_WITH_HARASSMENT = "quality", "quality@with harassment"


# The DA category an indicator counts: the filter's choice, but DA (non-DA) stalking without a
# DASH whatever the filter chose.
_QUALITY_CATEGORY = {
    "da_stalking_without_dash": "domestic",
    "non_da_stalking_without_dash": "non_domestic",
    "da_party_under_16": "domestic",
}


QUALITY_TOTAL = "quality total"  # a Data quality indicator's denominator (quality_key)


def quality_key(indicator: str, chosen: Domestic, count: str = "quality") -> Key:
    """A Data quality indicator's count (or, `count` QUALITY_TOTAL, its denominator), named
    with the DA category of the offences it counts: so the indicator's DA and non-DA counts
    make its count for both (the pages of the three choices read side by side,
    linked_protection.ADDITIVE). Named without it, no reader's sum linked them: "No ward
    recorded", July to September 2021, 48 for both less 44 for DA gave the 4 the non-DA page
    withheld (helper 51); the offences still open at the extract's denominator, force,
    November 2021 to January 2022, 29 for both less 25 for DA gave the non-DA 4 (helper 56)."""
    return (count, indicator, _QUALITY_CATEGORY.get(indicator, chosen))


def _quality(out: Published, frame: pl.DataFrame, chosen: Domestic, table: str = QUALITY) -> None:
    flags = "flag" if table == QUALITY else "stalking flag"
    without = {
        "da_stalking_without_dash": ("dash_completed", "domestic"),
        "non_da_stalking_without_dash": ("dash_completed", "non_domestic"),
        "stalking_without_sash": ("sash_completed", chosen),
    }
    for i, row in enumerate(frame.iter_rows(named=True)):
        indicator = row["indicator"]
        key = out.count(quality_key(indicator, chosen), table, i, "numerator", row["numerator"])
        denominator = row["denominator"]
        if indicator in without:
            flag, category = without[indicator]
            stalking = ("stalking period", category)
            total = out.count(stalking, table, i, "denominator", denominator)
            out.add([key, (flags, flag, category)], total)
        elif indicator == "contradictory_screen":
            screened = (flags, "dash_completed", chosen)
            out.count(screened, table, i, "denominator", denominator)
        elif indicator in ("missing_ward", "unknown_ward"):
            out.count(("period", chosen), table, i, "denominator", denominator)
        elif indicator == "da_party_under_16":  # the period's DA offences, whatever the choice
            out.count(("period", "domestic"), table, i, "denominator", denominator)
        else:
            total = quality_key(indicator, chosen, QUALITY_TOTAL)
            out.count(total, table, i, "denominator", denominator)
    if chosen == "all":
        out.split("period", CATEGORY)
        out.split("stalking period", CATEGORY)
        # DA + non-DA stalking with a DASH = all of it (the screened offences): with the
        # non-DA pair shown, a DA count hidden alone came back (Calderdale, 178 - 176 = 2)
        out.split(flags, "dash_completed", CATEGORY)
    # The stalking checks' denominators are the period's offences only when the filter holds
    # stalking alone (with harassment too, claiming so made the page's sums contradict each
    # other): the same count where the two agree, apart where they do not.
    for category in dict.fromkeys((*CATEGORIES, chosen)):  # in order: a set's varies by process
        stalking, every = ("stalking period", category), ("period", category)
        value = out.values.get(stalking)
        if value is not None and value == out.values.get(every):
            out.add([stalking], every)


def _quality_table(tables: Tables) -> pl.DataFrame | None:
    """The Data quality page's indicators, under either name."""
    return next((tables[n] for n in (QUALITY, QUALITY_WITH_HARASSMENT) if n in tables), None)


def _cyber_by_district(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The cyber-flag rate by district: the districts' offences add up to the selection's."""
    keys = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        area = row["district_code"]
        table = "cyber_by_district"
        out.count(("flag", "is_cyber", chosen, area), table, i, "numerator", row["numerator"])
        key = out.count(("offences", chosen, area), table, i, "denominator", row["denominator"])
        keys.append(key)
    out.add(keys, ("period", chosen))


SELECTED, FORCE, OTHERS = "Selected districts", "Force", "districts not selected"


def _comparison(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The district table of this period and the previous one: DA + non-DA = all in every
    area; the districts = the selection; the selection and the districts not selected (never
    published) = the force; the selection's own counts = the period's (when they agree)."""
    areas = frame["district_code"].unique(maintain_order=True).to_list()
    categories = frame["category"].unique(maintain_order=True).to_list()
    for i, row in enumerate(frame.iter_rows(named=True)):
        for column in ("current", "previous"):
            key = ("area", row["district_code"], row["category"], column)
            out.count(key, "comparison", i, column, row[column])
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    chosen_area = _chosen_area(areas)
    for column in ("current", "previous"):
        for category in categories:
            parts = [("area", d, category, column) for d in districts]
            if SELECTED in areas:
                out.add(parts, ("area", SELECTED, category, column))
                parts = [("area", SELECTED, category, column)]
            if FORCE in areas:
                others = ("area", OTHERS, category, column)
                out.add([*parts, others], ("area", FORCE, category, column))
                _none_left_out(out, areas, others)
            if chosen_area is not None:  # the same count the headline and trend show
                key = ("area", chosen_area, category, column)
                twin = ("period" if column == "current" else "previous", category)
                if None not in (out.values.get(key), out.values.get(twin)) and out.values.get(
                    key
                ) == out.values.get(twin):
                    out.add([key], twin)
        if set(categories) >= {*CATEGORIES, "all"}:
            for area in [*areas, OTHERS]:
                out.split("area", area, CATEGORY, column)


def _chosen_area(areas: list[str]) -> str | None:
    """The district table's row of the filter's whole selection: the selection's, its one
    district's, or, every district chosen, the force's (the first district's had been taken,
    so the headline's counts were never linked to the force's row: helper 55, force
    January-February 2020, the DA change's 187 before less the districts' shown gave
    Calderdale's withheld 19 back)."""
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    if SELECTED in areas:
        return SELECTED
    if len(districts) == 1:
        return districts[0]
    return FORCE if FORCE in areas else None


def _chosen_area_rows(frame: pl.DataFrame) -> list[tuple[str, str]]:
    """The (area, category) rows of the district table that are the filter's whole
    selection (`_chosen_area`)."""
    area = _chosen_area(frame["district_code"].unique(maintain_order=True).to_list())
    if area is None:
        return []
    return [(area, c) for c in frame.filter(pl.col("district_code") == area)["category"]]


def _areas(out: Published, prefix: tuple, areas: list[str]) -> None:
    """The districts add up to the selection, and the selection (or the districts) with the
    districts not selected (never published) to the force (keys: `prefix` + the area)."""
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    parts = [(*prefix, d) for d in districts]
    if SELECTED in areas:
        out.add(parts, (*prefix, SELECTED))
        parts = [(*prefix, SELECTED)]
    if FORCE in areas:
        out.add([*parts, (*prefix, OTHERS)], (*prefix, FORCE))
        _none_left_out(out, areas, (*prefix, OTHERS))


def _none_left_out(out: Published, areas: list[str], others: Key) -> None:
    """The districts not selected are none when every district is chosen: a table shows two
    or more districts and no "Selected districts" only then (categories.roll_up_areas), and a
    reader who knows the force's districts reads its Force column as their sum."""
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    if FORCE in areas and SELECTED not in areas and len(districts) > 1:
        out.zero(others)


OUTCOME_DISTRICTS = "outcome_districts:"  # and a category: the Outcomes page's by district
OUTCOME_LABELS = ("outcome_key", "outcome_code", "label")


def _outcome_districts(out: Published, tables: Tables) -> None:
    """The Outcomes page's tables by district, one per category shown (named OUTCOME_DISTRICTS
    and the category): each outcome type's offences by area; an area's types (and its open
    offences) add up to its offences (the Totals row, the Risk page's offences by district);
    the districts, with those not selected, to the force; DA + non-DA = all; the selected
    districts' types of an outcome group to the group (`_group_links`); a type a table has
    no row for is 0 there."""
    named = {
        name.removeprefix(OUTCOME_DISTRICTS): frame
        for name, frame in tables.items()
        if name.startswith(OUTCOME_DISTRICTS)
    }
    types: dict[str, None] = {}  # every table's outcome types, in order
    areas: list[str] = []
    for category, frame in named.items():
        table = OUTCOME_DISTRICTS + category
        areas = [column for column in frame.columns if column not in OUTCOME_LABELS]
        own = [key for key in frame["outcome_key"].to_list() if key != TOTALS]
        types |= dict.fromkeys(own)
        for i, row in enumerate(frame.iter_rows(named=True)):
            outcome = row["outcome_key"]
            for area in areas:
                key = (
                    ("offences", category, area)
                    if outcome == TOTALS
                    else ("outcome type", outcome, category, area)
                )
                out.count(key, table, i, area, row[area])
        for area in areas:
            parts = [("outcome type", outcome, category, area) for outcome in own]
            out.add(parts, ("offences", category, area))
        for outcome in own:
            _areas(out, ("outcome type", outcome, category), areas)
        _areas(out, ("offences", category), areas)
        _group_links(out, own, category, areas)
    for category, frame in named.items():  # a type with no row in a table: none there
        for outcome in [t for t in types if t not in set(frame["outcome_key"].to_list())]:
            for area in areas:
                out.zero(("outcome type", outcome, category, area))
    if set(named) >= {*CATEGORIES, "all"}:
        for outcome in types:
            for area in [*areas, OTHERS]:
                out.split("outcome type", outcome, CATEGORY, area)


def _group_links(out: Published, own: list[str], category: str, areas: list[str]) -> None:
    """The selected districts' offences of an outcome group's types are the group's offences
    on the same page (the outcome groups table, the outcome rates' numerators): the rates
    showed outcome 15's 101 where the Force column showed 99 of police outcome 15, and gave
    back a CPS outcome 15 of 2. An outcome rate's offences are its types' too: outcome 16's
    (2,906 DA, October 2020 to September 2021) were withheld in the Force column beside the
    rate that showed them, read as part of a group with outcome 14."""
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    group_of = _group_of()
    by_group: dict[str, list[Key]] = defaultdict(list)

    def by_type(outcome: str) -> list[Key]:
        return [("outcome type", outcome, category, d) for d in districts]

    for outcome in own:  # as outcomes.outcome_group_table groups them: open if not known
        by_group[group_of.get(outcome, OPEN_GROUP)].extend(by_type(outcome))
    for group, parts in by_group.items():
        out.add(parts, ("outcome", group, category))
    for group in sorted(set(group_of.values()) - by_group.keys()):  # no row: none there
        out.zero(("outcome", group, category))
    for column, counted in _rate_types().items():  # outcome 16's rate: its types, not 14's
        parts = [key for outcome in own if outcome in counted for key in by_type(outcome)]
        if parts:
            out.add(parts, ("flag", column, category))


@cache
def _rate_types() -> dict[str, frozenset[str]]:
    """Each outcome rate's column -> the outcome keys it counts (RATE_CODES; outcome 1-8 the
    keys marked counts_in_outcome_1_8)."""
    rows = contract.outcome_type_rows()
    return {
        column: frozenset(
            str(row["outcome_key"])
            for row in rows
            if (
                row["counts_in_outcome_1_8"]
                if column == "outcome_1_8"
                else row["outcome_code"] == RATE_CODES[column]
            )
        )
        for column in ("outcome_1_8", *RATE_CODES)
    }


@cache
def _group_of() -> dict[str, str]:
    """Each outcome key's group (short name), as the outcome groups table names it; an open
    offence's row is the open group."""
    rows = contract.outcome_type_rows()
    return {OPEN_LABEL: OPEN_GROUP} | {str(r["outcome_key"]): str(r["group_short"]) for r in rows}


def _risk_by_district(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """Flag counts by district, DA / non-DA / all, with their offences."""
    table = "risk_by_district"
    for i, row in enumerate(frame.iter_rows(named=True)):
        area, category, flag = row["district_code"], row["category"], row["flag"]
        out.count(("flag", flag, category, area), table, i, "numerator", row["numerator"])
        out.count(("offences", category, area), table, i, "denominator", row["denominator"])
    areas = frame["district_code"].unique(maintain_order=True).to_list()
    categories = set(frame["category"].to_list())
    for flag in frame["flag"].unique().to_list():
        for category in categories:
            _areas(out, ("flag", flag, category), areas)
            _areas(out, ("offences", category), areas)
        if categories >= {*CATEGORIES, "all"}:
            for area in [*areas, OTHERS]:
                out.split("flag", flag, CATEGORY, area)
                out.split("offences", CATEGORY, area)


def _risk_comparison(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """DA against non-DA by district: the same counts as the district table."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        area, flag = row["district_code"], row["flag"]
        for side, category in (("da", "domestic"), ("non_da", "non_domestic")):
            numerator, denominator = f"{side}_numerator", f"{side}_denominator"
            key = ("flag", flag, category, area)
            out.count(key, "risk_comparison", i, numerator, row[numerator])
            out.count(
                ("offences", category, area), "risk_comparison", i, denominator, row[denominator]
            )


def _dash_mix(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The DASH risk levels of completed forms, by DA / non-DA: they add up to the forms."""
    levels: defaultdict[str, list[Key]] = defaultdict(list)
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("dash risk", row["dash_risk"], row["category"])
        out.count(key, "dash_mix", i, "numerator", row["numerator"])
        total = ("dash forms", row["category"])
        out.count(total, "dash_mix", i, "denominator", row["denominator"])
        levels[row["category"]].append(key)
    for category, keys in levels.items():
        out.add(keys, ("dash forms", category))


def _flag_trend(out: Published, frame: pl.DataFrame, table: str) -> None:
    """One flag's monthly counts by DA / non-DA: the months add up to the period's."""
    flag = table.removeprefix(FLAG_TREND)
    months: defaultdict[str, list[Key]] = defaultdict(list)
    for i, row in enumerate(frame.iter_rows(named=True)):
        month, category = row["recorded_month"], row["category"]
        key = ("flag month", flag, category, month)
        out.count(key, table, i, "numerator", row["numerator"])
        out.count(("month", month, category), table, i, "denominator", row["denominator"])
        months[category].append(key)
    for category, keys in months.items():
        out.add(keys, ("flag period", flag, category))
    if {*CATEGORIES, "all"} <= months.keys():  # DA + non-DA = all, month by month
        for month in frame["recorded_month"].unique().to_list():
            out.split("flag month", flag, CATEGORY, month)
            out.split("month", month, CATEGORY)
        out.split("flag period", flag, CATEGORY)


def _wards(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """Offences by ward; with the offences of no known ward, they add up to the period's."""
    keys = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("ward", row["ward_code"])
        out.count(key, "wards", i, "offences", row["offences"])
        keys.append(key)
    out.add([*keys, ("unknown ward", chosen)], ("period", chosen))


def _ward_totals(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The map's caption: offences it cannot place (no ward recorded, or none with a boundary
    in their district), of all offences: the Data quality page's offences of no ward and of a
    ward with no boundary in its district, where those add up to it (they had been linked
    as the no-ward count alone, which they are only where every ward recorded is mapped)."""
    parts = [quality_key(name, chosen) for name in ("missing_ward", "unknown_ward")]
    for i, row in enumerate(frame.iter_rows(named=True)):
        unknown = out.count(("unknown ward", chosen), "ward_totals", i, "unknown", row["unknown"])
        missing, unmapped, total = (out.values.get(key) for key in (*parts, unknown))
        # (the Data quality page's are read first: published_counts)
        if unmapped == 0:  # every ward recorded is mapped: the no-ward count is the map's
            out.same(unknown, parts[0])
        elif missing is None or unmapped is None or total is None or missing + unmapped == total:
            out.add(parts, unknown)
        out.count(("period", chosen), "ward_totals", i, "offences", row["offences"])


# The Repeats summary's columns for victims and for suspects: the people, the repeat people,
# the offences against (or by) a repeat one, and the offences with one recorded.
REPEAT_COLUMNS = {
    "victim": ("victims", "repeat_victims", "offences_repeat_victim", "offences_with_victim"),
    "suspect": ("suspects", "repeat_suspects", "offences_repeat_suspect", "offences_with_suspect"),
}


def _repeat_summary(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The Repeats page's summary: offences, and offences with a suspect, add up over DA and
    non-DA (victims and suspects do not: one may be in both). Within a category, a person's
    offences beyond their first ("further offences", never published; for suspects, the
    intervals between their offences) tie the counts together: people + further offences =
    offences with one recorded; further offences = repeat people + offences beyond a repeat
    person's second; offences against a repeat person = repeat people + further offences.
    Without these, repeat victims came back as victims + offences against a repeat victim -
    offences (Calderdale, September to November 2021: 133 + 2 - 134 = 1). The offences with
    no victim recorded are taken as known (in most extracts there are none)."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        category = row["category"]
        offences = out.count(("period", category), "repeat_summary", i, "offences", row["offences"])
        if None not in (row["offences"], row["offences_with_victim"]):
            missing = ("no victim recorded", category)
            out.known(missing, row["offences"] - row["offences_with_victim"])
            out.add([("offences_with_victim", category), missing], offences)
        for person, columns in REPEAT_COLUMNS.items():
            people, repeat, against, recorded = (
                out.count((column, category), "repeat_summary", i, column, row[column])
                for column in columns
            )
            further = ("further offences", person, category)
            out.add([people, further], recorded)
            out.add([repeat, ("beyond the second", person, category)], further)
            out.add([repeat, further], against)
    if chosen == "all":
        out.split("period", CATEGORY)
        out.split("offences_with_suspect", CATEGORY)
        # an offence against a repeat person, or beyond a person's first, within DA or within
        # non-DA is one for both too (helper 88: October to December 2021, 13 intervals between
        # a suspect's offences for both and 9 DA gave non-DA's withheld 1 as 1 to 4)
        for person, columns in REPEAT_COLUMNS.items():
            out.split_at_most(columns[2], CATEGORY)
            out.split_at_most("further offences", person, CATEGORY)
            # a person of DA or non-DA, or a repeat one, is one for both; one of both (DA and
            # non-DA) is a repeat person for both
            people, repeat = columns[:2]
            for column in (people, repeat):
                for category in CATEGORIES:
                    at_most(out, [(column, category)], (column, "all"))
            either = (BOUND, "people and repeat people", person)
            out.add([(people, "all"), (repeat, "all")], either)
            at_most(out, [(people, c) for c in CATEGORIES], either)


def _repeat_gaps(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """Intervals between a suspect's offences: one for each offence after a suspect's first,
    the suspects' further offences in the summary (`_repeat_summary`)."""
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("further offences", "suspect", row["category"])
        out.count(key, "repeat_gaps", i, "gaps", row["gaps"])


def _repeat_monthly(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    """The Repeats page's months (the chosen offences): they add up to the period's. Each
    month's offences with a repeat victim (or suspect) within 12 months are part of its
    offences (or those with a suspect), and give its share back beside them."""
    months = frame["recorded_month"].to_list()
    for i, row in enumerate(frame.iter_rows(named=True)):
        month = row["recorded_month"]
        out.count(("month", month, chosen), "repeat_monthly", i, "offences", row["offences"])
        key = ("month with suspect", month, chosen)
        out.count(key, "repeat_monthly", i, "with_suspect", row["with_suspect"])
        for column in ("repeat_victim_12m", "repeat_suspect_12m"):  # repeats within 12 months
            if column in frame.columns:
                repeats: Key = ("month's repeats", column, month, chosen)
                out.count(repeats, "repeat_monthly", i, column, row[column])
    out.add([("month", m, chosen) for m in months], ("period", chosen))
    out.add([("month with suspect", m, chosen) for m in months], ("offences_with_suspect", chosen))


def _serial(out: Published, frame: pl.DataFrame, chosen: Domestic) -> None:
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = ("offences_with_suspect", chosen)
        out.count(key, "serial", i, "offences_with_suspect", row["offences_with_suspect"])
        out.count(("suspects", chosen), "serial", i, "suspects", row["suspects"])
