"""Tables published together, protected as one: the secondary suppressions that stop a hidden
count coming back from the counts and sums `linked_tables.published_counts` reads in them, for
one set of tables (`protect`), the three DA choices of a filter (`protect_choices`), and a page
beside pages already protected (`protect_choices_beside`, `protect_beside_every_choice`); and
the tables as protection left them (`Protected`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial

import polars as pl

from stalking_profile.disclosure import Key, LinearSystem, audit, protect_system, small
from stalking_profile.filters import Domestic, add_months
from stalking_profile.linked_tables import (
    CATEGORIES,
    CHANGE_COUNTS,
    CONTACT_TABLES,
    FORCE,
    QUALITY_TOTAL,
    SELECTED,
    TEXT_DERIVED,
    Place,
    Published,
    Tables,
    at_most,
    compared_months,
    is_spc,
    months_from,
    published_counts,
)
from stalking_profile.measures.rates import with_false_discovery_rate
from stalking_profile.measures.volumes import BORROWED_PAIRS
from stalking_profile.tables import SUPPRESSED


@dataclass(frozen=True)
class Protected:
    tables: dict[str, pl.DataFrame]  # the tables given, with the secondary suppressions made
    hidden: set[Key]  # the secondary suppressions this step made
    places: dict[Key, list[Place]]
    # the counts hidden before this step that must stay wide (primary suppressions, here and
    # on the pages beside; not those pages' secondary suppressions), and the small
    # differences no table shows (disclosure.LinearSystem.differences)
    suppressed: frozenset[Key]
    system: LinearSystem = field(repr=False, compare=False)  # what the attacker reads
    # the change tests withheld because the monthly counts behind them are (table -> column
    # -> rows: _tests_on_months_withheld)
    tested: Cells = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def intervals(self) -> dict[Key, tuple[float, float]]:
        """The attacker's audit after this step: every hidden count's interval. Worked out
        when asked for (a pack's note, the tests): protect_system has already made each at
        least the threshold wide, and a page need not wait for the proof again."""
        every = self.hidden | self.system.withheld | self.suppressed
        return audit(self.system, self.hidden, only=set(every))

    @property
    def fewest_values(self) -> float:
        """The fewest whole values an attacker can narrow a count primary suppression hid to
        (5 for 1 to 5); infinity if none can be narrowed."""
        widths = [
            high - low + 1 for key, (low, high) in self.intervals.items() if key in self.suppressed
        ]
        return min(widths, default=float("inf"))

    def as_published(self) -> Published:
        """The counts as these tables publish them (None: hidden), with every sum protection
        knew between them: those that hold only where two counts agree included, which the
        published tables no longer show (a page protected beside these needs them all)."""
        out = Published()
        out.values = {k: None if k in self.hidden else v for k, v in self.system.values.items()}
        out.sums = list(self.system.sums)
        out.zero_able = self.system.opened(self.hidden)  # sums whose zeros are all hidden
        out.differences = dict(self.system.differences)
        return out

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


def protect(
    tables: Tables,
    domestic: Domestic,
    below: int,
    elsewhere: Published | None = None,
    secondary: frozenset[Key] = frozenset(),
) -> Protected:
    """The tables with the secondary suppressions that stop any hidden count being recovered
    from the others, and the audit that proves it. The tables hold exact counts: where the
    counts are published rounded, they are rounded after this (publication.rounded_last), since
    the rates and shares beside them are exact and give the exact counts back.

    `elsewhere`: the counts other pages publish, as they publish them (None: hidden there),
    with the sums between them, protected already. An attacker reads these tables beside
    theirs: a count these tables share with them is known (it cannot be hidden here) or is
    hidden here too, and a count they hide must keep its interval with these tables' counts
    and sums added (the Victims and suspects page's victims by age band add up to the period's
    offences, which the Overview may withhold). `secondary`: the counts they hid to protect
    others (secondary suppressions): unknown to an attacker, but not themselves to be kept
    wide (guarding them here hid every ward of Calderdale's map, July to September 2021, for
    the period's 189 offences the other pages withheld)."""
    tables, published, known, unguarded = _beside(tables, domestic, elsewhere, secondary)
    system = published.system(known=known)
    withheld = frozenset(k for k, v in system.values.items() if v is None)
    suppressed = system.guarded(below, unguarded)
    hidden = protect_system(system, below, unguarded=unguarded) - withheld
    hidden -= _copies_shown(hidden, system, below)
    places = dict(published.places)
    tested = _tests_on_months_withheld(tables, system, hidden, domestic)
    changed = _with_hidden(tables, hidden, places, tested)
    return Protected(changed, hidden, places, suppressed, system, tested)


def _beside(
    tables: Tables,
    domestic: Domestic,
    elsewhere: Published | None,
    secondary: frozenset[Key],
) -> tuple[Tables, Published, frozenset[Key], frozenset[Key]]:
    """`protect`'s reading of the tables beside `elsewhere`: the tables with the counts hidden
    there hidden, their counts with those shown there known, the counts known, and the counts
    that need not be kept wide (`secondary`, and the same counts under other names)."""
    published = published_counts(tables, domestic)
    known: frozenset[Key] = frozenset()
    if elsewhere is not None:
        named = published.values.keys() | {k for parts, t in published.sums for k in (*parts, t)}
        hidden_there = _with_equals(
            {key for key in named if key in elsewhere.values and elsewhere.values[key] is None},
            published,
        )
        if hidden_there:
            # the values of the counts no table shows, worked out before any count is blanked
            # (a total less a part hidden there has none once blanked here)
            found = published.system().differences
            tables = _with_hidden(tables, hidden_there, published.places)
            published = published_counts(tables, domestic)
            published.differences.update(found)
        shown_there = {k: v for k, v in elsewhere.values.items() if v is not None}
        for key, value in shown_there.items():
            published.known(key, value)  # a count shown only there has no cell here
        for key in elsewhere.values.keys() - shown_there.keys():
            published.values.setdefault(key, None)  # hidden there: unknown here too
        published.sums.extend(elsewhere.sums)
        published.zero_able |= elsewhere.zero_able
        published.differences.update(elsewhere.differences)
        known = frozenset(shown_there)
    unguarded = frozenset(_with_equals(set(secondary), published)) if secondary else frozenset()
    return tables, published, known, unguarded


CHOSEN = "as chosen"  # a count of the pages read for DA or non-DA alone: (CHOSEN, choice, key)


def protect_choices(choices: Mapping[Domestic, Tables], below: int) -> dict[Domestic, Protected]:
    """The pages read for each DA choice (`choices`: "all", "domestic", "non_domestic" -> their
    tables) protected as one: a reader can set the DA filter's pages beside the filter for
    both, so a count hidden under one choice must not be shown under another (Calderdale, July
    to September 2021: the non-DA filter showed August's 5 non-DA offences, withheld under
    both to keep July's 4 and September's 2 wide). Each choice's counts keep their own names
    (a rolling total or an SPC mean is of whatever was chosen), and a count under one name with
    the same value under both choices is the same count (a month's DA offences are ("month",
    month, "domestic") either way; withheld under both, only where its name says its
    category). Returns each choice's tables as protected."""
    published = {choice: published_counts(tables, choice) for choice, tables in choices.items()}
    merged = _merged_choices(published)
    system = merged.system()
    withheld = frozenset(k for k, v in system.values.items() if v is None)
    hidden = protect_system(system, below, spare=headline_counts(system)) - withheld
    hidden -= _copies_shown(hidden, system, below)
    out = {}
    for choice, pub in published.items():
        mine = {key for key in pub.values if _chosen(choice, key) in hidden}
        own = pub.system()
        places = dict(pub.places)
        tested = _tests_on_months_withheld(choices[choice], own, mine, choice)
        changed = _with_hidden(choices[choice], mine, places, tested)
        suppressed = own.guarded(below)
        out[choice] = Protected(changed, mine, places, suppressed, own, tested)
    return out


def protect_beside_every_choice(
    tables: Tables, pages: Mapping[Domestic, Protected], below: int
) -> Protected:
    """`protect` for a page for both (DA and non-DA) whose tables show DA and non-DA counts
    too, beside the three choices' pages (`pages`: each choice's published_pages) read side
    by side: its DA and non-DA counts are the DA and non-DA pages' counts."""
    every_page = _merged_choices({c: pages[c].as_published() for c in pages})
    secondary = frozenset(_chosen(c, k) for c in pages for k in pages[c].hidden)
    return protect(tables, "all", below, every_page, secondary)


# The Overview's headline figures: the period's offences, the period before and each headline
# indicator's count (("flag", "outcome_1_8", "all"); a district's has a fourth part).
HEADLINE = frozenset({"period", "previous", "flag"})


def headline_counts(system: LinearSystem) -> frozenset[Key]:
    """The counts of the headline figures for the force under every DA choice: secondary
    suppression hides them only where nothing else will do (`disclosure.protect_system`'s
    `spare`). The demo's force outcome 1-8 rate for February 2021 to January 2022 (160 of
    6,620) was withheld to keep one informal out-of-court outcome wide, as hiding the formal
    ones' 23 did too."""

    def is_headline(key: Key) -> bool:
        if isinstance(key, tuple) and len(key) == 3 and key[0] == CHOSEN:
            key = key[2]
        if not isinstance(key, tuple) or not key or key[0] not in HEADLINE:
            return False
        return len(key) == (3 if key[0] == "flag" else 2)

    return frozenset(key for key in system.values if is_headline(key))


def _chosen(choice: Domestic, key: Key) -> Key:
    """A count's name in the system of the three DA choices (`protect_choices`)."""
    return key if choice == "all" else (CHOSEN, choice, key)


def _merged_choices(published: Mapping[Domestic, Published]) -> Published:
    """The counts and sums of each DA choice's tables under their names in one system, a
    count under one name with the same value under "all" and a choice linked as the same
    (withheld under both: only where its name gives its category)."""
    merged = Published()
    for choice, pub in published.items():
        merged.take_in(pub, partial(_chosen, choice))
    both = published.get("all")
    for choice, pub in published.items():
        if both is None or choice == "all":
            continue
        for key, value in pub.values.items():
            same = key in both.values and both.values[key] == value
            if same and (value is not None or _names_category(key, choice)):
                merged.add([_chosen(choice, key)], key)
    _split_across_choices(merged, published)
    return merged


# The counts that DA and non-DA make whatever the page: their key's last part is the category
# (("month", month, "domestic"): a month's DA offences on any page).
ADDITIVE = frozenset(
    {
        "month",
        "period",
        "previous",
        "flag",
        "outcome",
        "month with suspect",
        "offences_with_suspect",
        "quality",
        QUALITY_TOTAL,
    }
)


# The counts that DA and non-DA make no more than, whatever the page (key as ADDITIVE's): a
# month's offences with a repeat victim or suspect within 12 months, which may be repeats for
# both only (helper 88: May 2020's 13 repeat suspects' offences for both and 11 DA gave
# non-DA's withheld 1 as 1 or 2).
AT_MOST = frozenset({"month's repeats"})


def _split_across_choices(merged: Published, published: Mapping[Domestic, Published]) -> None:
    """DA + non-DA = both for every count the DA and non-DA pages show and the page for both
    shows for both, whatever table shows them: the process-control chart for both less the DA
    one gave the non-DA months the non-DA chart withheld (Calderdale, November 2018: 13 - 11 =
    2), as its months before the period have no DA and non-DA columns on the page for both."""
    if not {"all", *CATEGORIES} <= published.keys():
        return
    for key in published["domestic"].values:
        if not (isinstance(key, tuple) and key[0] in ADDITIVE | AT_MOST and key[-1] == "domestic"):
            continue
        other, whole = (*key[:-1], "non_domestic"), (*key[:-1], "all")
        if other in published["non_domestic"].values and whole in published["all"].values:
            parts = [_chosen("domestic", key), _chosen("non_domestic", other)]
            if key[0] in AT_MOST:
                at_most(merged, parts, whole)
            else:
                merged.add(parts, whole)


def side_by_side(published: Mapping[Domestic, Published]) -> Published:
    """The three DA choices' counts as a reader of their pages side by side reads them: one
    system (`_merged_choices`), in which a count for both that DA + non-DA make is the sum of
    its DA and non-DA counts (`_split_by_choice`: a ward's offences and the offences of no
    known ward on the map; the Victim contact page's counts)."""
    merged = _merged_choices(published)
    for key in list(published["all"].values) if "all" in published else []:
        named = [_chosen(c, k) for c in CATEGORIES if (k := _split_by_choice(key, c)) is not None]
        if len(named) == len(CATEGORIES) and all(k in merged.values for k in named):
            merged.add(named, key)
    return merged


def _split_by_choice(key: Key, choice: Domestic) -> Key | None:
    """The name under a DA choice of a count under both which DA + non-DA make (a ward's
    offences; the offences of no known ward; a Victim contact count by district or month);
    None for other counts."""
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "ward":
        return key
    if key == ("unknown ward", "all"):
        return ("unknown ward", choice)
    if isinstance(key, tuple) and key and key[0] in CONTACT_TABLES:
        return key
    return None


def protect_choices_beside(
    choices: Mapping[Domestic, Tables], pages: Mapping[Domestic, Protected], below: int
) -> dict[Domestic, Protected]:
    """A page protected beside the others (published_pages) for the three DA choices: the
    page for both as `protect` protects it beside its pages, then the DA and non-DA pages as
    one beside it and theirs, read side by side with it (`side_by_side`: a ward's offences for
    both are its DA and non-DA offences). Protected apart, the map for both less the DA map
    gave withheld non-DA ward counts back (251 in 20 district-quarters of 2021). The DA and
    non-DA pages hide what that needs, so the page for both keeps its counts (one system for
    the three withheld every ward of Calderdale's map for both, July to September 2021).
    `pages`: each choice's published_pages."""
    # beside every choice's pages: beside the page for both's alone, the map for both showed
    # every ward and its total, which gave the offences of no known ward (90, hidden on the
    # Data quality page for both), less the DA page's 86, as the non-DA 4 (force, April 2020
    # to March 2021)
    both = protect_beside_every_choice(choices["all"], pages, below)
    prepared = {
        c: _beside(choices[c], c, pages[c].as_published(), frozenset(pages[c].hidden))
        for c in choices
    }
    # which counts are one count is read from the counts before this step hid any
    merged = side_by_side({c: p[1] for c, p in prepared.items()})
    found = merged.system().differences  # worked out before the page for both's blanks
    shown_both = both.as_published()
    merged.values.update({k: v for k, v in shown_both.values.items() if k in merged.values})
    merged.differences.update(found)
    # zeros the page for both hid a whole sum at a time: its blanks there may be 0
    merged.zero_able |= shown_both.zero_able
    known = frozenset(k for k, v in shown_both.values.items() if v is not None)
    known |= {_chosen(c, k) for c in CATEGORIES for k in prepared[c][2]}
    unguarded = frozenset(_chosen(c, k) for c in CATEGORIES for k in prepared[c][3])
    unguarded |= _with_equals(set(both.hidden), shown_both) | prepared["all"][3]
    system = merged.system(known=known)
    withheld = frozenset(k for k, v in system.values.items() if v is None)
    hidden = protect_system(system, below, unguarded=unguarded) - withheld
    hidden -= _copies_shown(hidden, system, below)
    out: dict[Domestic, Protected] = {"all": both}
    for choice in CATEGORIES:
        tables, pub, mine_known, mine_unguarded = prepared[choice]
        mine = {key for key in pub.values if _chosen(choice, key) in hidden}
        own = pub.system(known=mine_known)
        places = dict(pub.places)
        suppressed = own.guarded(below, mine_unguarded)
        out[choice] = Protected(_with_hidden(tables, mine, places), mine, places, suppressed, own)
    return out


def _names_category(key: Key, choice: str) -> bool:
    """A key naming `choice` ("domestic" or "non_domestic") and no other category: the same
    count whatever the filter chose."""
    parts = {part for part in key if isinstance(part, str)} if isinstance(key, tuple) else set()
    return choice in parts and not parts & ({*CATEGORIES, "all"} - {choice})


def _with_equals(keys: set[Key], published: Published) -> set[Key]:
    """The keys, and every key a sum of one part says is the same count as one of them."""
    return _closure(keys, _same_counts(published.sums))


def _same_counts(
    sums: list[tuple[tuple[Key, ...], Key]], fixed: frozenset[Key] = frozenset()
) -> dict[Key, list[Key]]:
    """Each key's links to the keys a sum says are the same count: a sum of one part, or one
    whose other counts are all `fixed` (known to a reader, with no cell to hide). A count
    such a sum gives exactly from fixed counts alone is linked to one of them."""
    same: defaultdict[Key, list[Key]] = defaultdict(list)
    for parts, total in sums:
        members = (*parts, total)
        unknown = [key for key in members if key not in fixed]
        if len(unknown) == 1 and len(members) > 1:
            unknown.append(next(key for key in members if key in fixed))
        if len(unknown) == 2:
            same[unknown[0]].append(unknown[1])
            same[unknown[1]].append(unknown[0])
    return same


def _closure(keys: set[Key], same: dict[Key, list[Key]]) -> set[Key]:
    found, todo = set(keys), list(keys)
    while todo:
        for other in same.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def _copies_shown(hidden: set[Key], system: LinearSystem, below: int) -> set[Key]:
    """The secondary suppressions of `hidden` that are the same count as one a reader is shown
    or knows (through sums of one part, or of known counts but two): hiding them hides
    nothing, so the audit is the same with them shown, and a reader is not told a count is
    withheld that another page shows (Calderdale, September 2021: the Overview withheld the
    44 DA offences that the Outcomes page showed as the month's offences followed up). Zeros
    stay hidden: they are hidden a whole sum at a time (disclosure.LinearSystem.opened), and
    one shown again would tell a reader the sum's other blanks are at least 1. So are those
    the sums give exactly from the counts shown however many they pass through
    (`LinearSystem.determined`): the Outcomes page withheld the Force column's 2,906 DA
    offences with outcome 16, October 2020 to September 2021, which its districts' cells
    withheld too, and which the outcome 16 rate beside it showed."""
    same = _same_counts(list(system.sums), system.fixed - system.withheld)
    primary = small(system, below)
    copies: set[Key] = set()
    seen: set[Key] = set()
    for key in hidden - primary:
        if key in seen:
            continue
        count = _closure({key}, same)
        seen |= count
        if any(k not in hidden and system.values.get(k) is not None for k in count):
            copies |= {k for k in count & (hidden - primary) if system.values.get(k) != 0}
    rest = {k for k in hidden - primary - copies if system.values.get(k) != 0}
    return copies | system.determined(hidden, rest)


def protect_with(protected: Protected, tables: Tables) -> Protected:
    """`tables` with the cells `protected` hid in its tables of the same names: a page's own
    tables (built from the same counts, in the same rows, whatever its settings) as they were
    protected together with other pages' (panels.published_pages)."""
    for name, frame in tables.items():
        if frame.height != protected.tables[name].height:
            raise ValueError(f"{name} has other rows than the table protected under its name")
    return replace(
        protected,
        tables=_with_hidden(tables, protected.hidden, protected.places, protected.tested),
    )


def _with_hidden(
    tables: Tables, hidden: set[Key], places: dict[Key, list[Place]], tested: Cells | None = None
) -> dict[str, pl.DataFrame]:
    """The tables with every place of the hidden counts blanked, with what goes with each, and
    the `tested` cells (_tests_on_months_withheld)."""
    cells: defaultdict[str, defaultdict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for key in hidden:
        for place in places.get(key, ()):
            for column in (place.column, *place.derived):
                cells[place.table][column].add(place.row)
    for table, columns in (tested or {}).items():
        for column, rows in columns.items():
            cells[table][column] |= rows
    for name, frame in tables.items():
        flags = [c for c in ("is_small", "told_is_small") if c in frame.columns]
        if flags and cells[name]:
            # a small-numbers flag says whether a denominator is under 30: beside a withheld
            # count it bounded it (Calderdale, February 2021: 23 offences withheld, flagged
            # small), so it goes with any count withheld in its row
            withheld = set().union(*cells[name].values())
            for flag in flags:
                cells[name][flag] |= withheld
    changes = {name: _hide(frame, cells[name]) for name, frame in tables.items()}
    for name in [name for name, frame in changes.items() if _has_tests(frame)]:
        # the q-values over the tests still shown (the same where none is withheld): BH over
        # every p-value gave a withheld one back (Kirklees, July to September 2021: its test's
        # p = 0.571 was 4/6 of the q-value of three rows shown)
        changes[name] = with_false_discovery_rate(changes[name])
    text_cells = {
        column: rows
        for column, rows in {
            # the change test's p-value too: beside the previous period's count, the p-value
            # gave a withheld count back (Calderdale, March 2021: 23 before, p = 0.019: 47)
            **{c: cells["headline"].get(c, set()) for c in ("numerator", "denominator", "p_value")},
            **{c: cells["headline"].get("value", set()) for c in TEXT_DERIVED},
        }.items()
        if rows
    }
    if "headline_text" in tables:
        for column, rows in (tested or {}).get("headline_text", {}).items():
            text_cells[column] = text_cells.get(column, set()) | rows  # with the counts' own
        text = tables["headline_text"]
        numbers = {c: rows for c, rows in text_cells.items() if text.schema.get(c) != pl.String}
        # a cell with nothing in it (a count's interval) stays empty: "suppressed" there told
        # the counts hidden only to protect others from the small ones (blank), which a reader
        # was not to know (Calderdale, September 2021: DA "suppressed", non-DA blank)
        words = {
            c: {r for r in rows if text[c][r]}
            for c, rows in text_cells.items()
            if c not in numbers and c in text.columns
        }
        changes["headline_text"] = _hide(_hide(text, numbers), words, SUPPRESSED)
    for name, columns in (tested or {}).items():
        if name in changes and "definition" in changes[name].columns:
            rows = set().union(*columns.values())
            changes[name] = _without_dispersion_text(changes[name], rows)
    for name in [name for name in changes if is_spc(name)]:
        changes[name] = withhold_spc_detail(changes[name])
    return changes


def _has_tests(frame: pl.DataFrame) -> bool:
    """Whether `frame` is a table of tests with q-values (`with_false_discovery_rate`)."""
    return {"p_value", "q_value", "significant"} <= set(frame.columns)


Cells = dict[str, dict[str, set[int]]]  # table -> column -> rows
# The figures of a change test that overdispersion (phi, from the monthly counts) enters.
QUASI_POISSON = {
    "comparison": ("change_lower", "change_upper", "p_value", "q_value", "significant"),
    "headline": ("lower", "upper", "p_value"),
    "headline_text": ("interval", "p_value"),
}
DISPERSION_TEXT = re.compile(
    r" \((?:the months compared|the [0-9]+ month-to-month changes up to [A-Z][a-z]{2} [0-9]{4}) "
    r"vary [0-9.,]+ "
    r"times as much as Poisson allows\)"
)


def _tests_on_months_withheld(
    tables: Tables, system: LinearSystem, hidden: set[Key], domestic: Domestic
) -> Cells:
    """The cells of each quasi-Poisson change test (the comparison table's rows with a
    dispersion, the headline change) whose monthly counts are published with some withheld:
    the dispersion phi is the months' Pearson X^2, so with the published months it gave the
    withheld ones back (Calderdale, July to September 2021: phi 3.32, the DA months 55, 79
    and 44, and 11 non-DA offences in the quarter allow one split, the withheld 4, 5 and 2).
    The months are the selection's, in the Trends table's period and the equal period before
    (for a month against a month, also the months its overdispersion is borrowed from), and
    those the headline's change on a year earlier compares (with those it borrows from);
    a test of an area whose months are never published (a district of several selected, the
    force) is left, as one X^2 over two dozen unknown months pins none of them."""
    trend = tables.get("trend")
    if trend is None or trend.is_empty():
        return {}
    current = trend["recorded_month"].to_list()
    months = [*current, *months_from(add_months(current[0], -len(current)), len(current))]
    if len(current) == 1:  # a month against a month borrows phi from the months before it
        months += _borrowed_from(current[0])

    def withheld(category: str, among: list[date] = months) -> bool:
        keys = [("month", month, category) for month in among]
        return any(
            key in system.values and (system.values[key] is None or key in hidden) for key in keys
        )

    cells: defaultdict[str, defaultdict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    comparison = tables.get("comparison")
    if comparison is not None and "dispersion" in comparison.columns:
        selection = _selection_area(comparison["district_code"].unique().to_list())
        for i, row in enumerate(comparison.iter_rows(named=True)):
            tested_here = row["dispersion"] is not None and row["district_code"] == selection
            if tested_here and withheld(row["category"]):
                for column in (*QUASI_POISSON["comparison"], "dispersion"):
                    cells["comparison"][column].add(i)
    headline = tables.get("headline")
    if headline is not None:
        for i, row in enumerate(headline.iter_rows(named=True)):
            if (
                row["indicator"] in CHANGE_COUNTS
                and DISPERSION_TEXT.search(row["definition"] or "")
                and withheld(domestic, [*months, *_change_months(row)])
            ):
                for table in ("headline", "headline_text"):
                    for column in QUASI_POISSON[table]:
                        cells[table][column].add(i)
    return {table: dict(columns) for table, columns in cells.items()}


def _borrowed_from(later: date) -> list[date]:
    """The months a month against a month may borrow its overdispersion from: the
    BORROWED_PAIRS + 1 months before the `later` one (volumes.borrowed_pairs)."""
    return months_from(add_months(later, -BORROWED_PAIRS - 1), BORROWED_PAIRS + 1)


def _change_months(row: dict) -> list[date]:
    """The months a headline change row's test rests on: those it compares, and, a month
    against a month, those it borrows its overdispersion from (none: nothing compared)."""
    months = compared_months(row)
    if months is None:
        return []
    now, earlier = months
    borrowed = _borrowed_from(max(now[-1], earlier[-1])) if len(now) == len(earlier) == 1 else []
    return [*now, *earlier, *borrowed]


def _selection_area(areas: list[str]) -> str:
    """The comparison table's row of the selection: its own row, the one district chosen, or
    the force (every district chosen)."""
    districts = [a for a in areas if a not in (SELECTED, FORCE)]
    if SELECTED in areas:
        return SELECTED
    return districts[0] if len(districts) == 1 else FORCE


def _without_dispersion_text(frame: pl.DataFrame, rows: set[int]) -> pl.DataFrame:
    """The frame with its definitions in `rows` no longer stating phi (withheld with the test)."""
    hit = pl.int_range(pl.len()).is_in(sorted(rows))
    return frame.with_columns(
        pl.when(hit)
        .then(pl.col("definition").str.replace(DISPERSION_TEXT.pattern, " (suppressed)"))
        .otherwise(pl.col("definition"))
        .alias("definition")
    )


# What an XmR table shows beyond its values and means: not linear in the counts.
SPC_DETAIL = (
    *("moving_range", "upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma"),
    *("beyond_limits", "shift", "trend", "two_of_three", "special_cause", "side"),
)


def spc_detail_withheld(chart: pl.DataFrame) -> bool:
    """Whether a published XmR table has a month withheld, and so its detail too."""
    return chart["value"].null_count() > 0


def withhold_spc_detail(chart: pl.DataFrame) -> pl.DataFrame:
    """A published XmR table (spc.xmr's columns) with its moving ranges, limits and
    special-cause flags withheld wherever any month's value is. Calderdale non-DA, October
    2020 to September 2021, showed every moving range: one shown month and the range beside
    it gave its neighbour back (5 and a range of 3: 2, the other candidate 8 not being a small
    count), and so on along the series; a "shift, low" flag put a month below the mean of
    3.06. The values and means stay, protected as sums (`_spc`): a segment's mean on each of
    its rows, as its line and label draw it (a month withheld for being small had its own
    blanked, the months withheld to protect it did not: the blank told which was small)."""
    if {"mean", "partition"} <= set(chart.columns):
        chart = chart.with_columns(pl.col("mean").fill_null(pl.col("mean").max().over("partition")))
    if not spc_detail_withheld(chart):
        return chart
    return chart.with_columns(
        pl.lit(None, dtype=chart.schema[column]).alias(column)
        for column in SPC_DETAIL
        if column in chart.columns
    )
