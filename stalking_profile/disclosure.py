"""Secondary suppression with an attacker's audit.

Primary suppression hides counts from 1 to the threshold - 1; counts published with their totals
still give a hidden one back by subtraction (a district from the force total, non-DA from all and
DA, a month from the year). Here what is published is a `LinearSystem`: counts, and every sum
between them an attacker knows - within a table (rows and columns adding to totals) and across
the tables of one page or pack (DA + non-DA = all; twelve months = the period; a rolling
12-month total = its months, some of them never published). `audit` solves, for each hidden
count, the smallest and largest value consistent with everything published (two linear
programmes, HiGHS through SciPy); `protect` adds secondary suppressions until every hidden
count's interval is at least `margin` wide.

`AdditiveTable` is the common case: interior cells (rows x columns), optional unpublished extra
columns (counts inside the totals never shown, such as districts not selected), its row totals,
column totals and grand total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

Key = Any  # any hashable: a (row, column) pair, a (table, row, column) triple, ...


@dataclass(frozen=True)
class LinearSystem:
    """Counts as published (None: hidden already, its value unknown here) and the sums an
    attacker knows: each `(parts, total)` says the parts add up to the total. A key used in a
    sum but absent from `values` is a count never published (an unknown to the attacker)."""

    values: Mapping[Key, int | None]
    sums: Sequence[tuple[tuple[Key, ...], Key]] = field(default_factory=tuple)
    slack: int = 0  # published counts are rounded: the truth is within this of each (5 -> 2)

    def unknowns(self, hidden: set[Key]) -> list[Key]:
        """Every count the attacker does not see: hidden, already hidden, or never published."""
        named = {key for parts, total in self.sums for key in (*parts, total)}
        unseen = {key for key in named if self.values.get(key) is None}
        withheld = {key for key, value in self.values.items() if value is None}
        return sorted(hidden | unseen | withheld, key=repr)

    def neighbours(self, key: Key) -> set[Key]:
        """Counts that share a sum with `key`."""
        return {
            other
            for parts, total in self.sums
            if key in parts or key == total
            for other in (*parts, total)
            if other != key
        }


def audit(
    published: LinearSystem | AdditiveTable,
    hidden: set[Key],
    only: set[Key] | None = None,
) -> dict[Key, tuple[float, float]]:
    """For every hidden count (or those in `only`), the interval of values an attacker who
    knows every published count and every sum (and that counts are not negative) can narrow
    it to. Counts already hidden in the system (None) are audited too."""
    system = published.system() if isinstance(published, AdditiveTable) else published
    unknown = system.unknowns(set(hidden))
    if not unknown:
        return {}
    bounds: list[tuple[float, float | None]] = [(0, None)] * len(unknown)
    if system.slack:  # a rounded count is a variable within the rounding of what is shown
        named = {key for parts, total in system.sums for key in (*parts, total)}
        shown = sorted(named - set(unknown), key=repr)
        unknown = [*unknown, *shown]
        values = [float(system.values[key] or 0) for key in shown]
        bounds += [(max(0.0, v - system.slack), v + system.slack) for v in values]
    index = {key: k for k, key in enumerate(unknown)}
    equalities, rhs = [], []
    for parts, total in system.sums:
        row = np.zeros(len(unknown))
        constant = 0.0
        for key, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if key in index:
                row[index[key]] += sign
            else:
                constant += sign * float(system.values[key] or 0)
        if row.any():
            equalities.append(row)
            rhs.append(-constant)
    withheld = {key for key, value in system.values.items() if value is None}
    intervals = {}
    for key in sorted(set(hidden) | withheld if only is None else only, key=repr):
        objective = np.zeros(len(unknown))
        objective[index[key]] = 1.0
        if not equalities:
            intervals[key] = (0.0, float(np.inf))
            continue
        low = linprog(objective, A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        if low.status == 2 or high.status == 2:  # 2: infeasible
            raise ValueError("the published counts contradict their sums (rounded without slack?)")
        upper = np.inf if high.status == 3 else -high.fun  # 3: unbounded
        intervals[key] = (float(low.fun), float(upper))
    return intervals


def small(system: LinearSystem, below: int) -> set[Key]:
    """Published counts from 1 to `below` - 1 (the primary suppressions still to make)."""
    return {key for key, value in system.values.items() if value is not None and 1 <= value < below}


def _width(system: LinearSystem, hidden: set[Key], key: Key) -> float:
    low, high = audit(system, hidden | {key}, only={key})[key]
    return high - low


def _candidates(system: LinearSystem, hidden: set[Key], key: Key) -> list[list[Key]]:
    """Published counts whose hiding can loosen what pins `key`, nearest first: those in a sum
    with it, then those in a sum with a hidden count linked to it through sums; each group
    smallest first."""
    unseen = set(system.unknowns(hidden)) | {key}
    component, frontier = {key}, [key]
    while frontier:
        for other in system.neighbours(frontier.pop()):
            if other in unseen and other not in component:
                component.add(other)
                frontier.append(other)
    direct = system.neighbours(key) - unseen
    linked = set().union(*(system.neighbours(k) for k in component)) - unseen - direct
    return [
        sorted(
            (k for k in group if system.values.get(k) is not None),
            key=lambda k: (system.values[k] == 0, system.values[k] or 0, repr(k)),
        )
        for group in (direct, linked)
    ]


def protect_system(
    system: LinearSystem, below: int, margin: int | None = None, tries: int = 8
) -> set[Key]:
    """Primary suppressions plus secondary ones until the audit gives every hidden count -
    primary, or hidden before this step - an interval at least `margin` (default `below`)
    wide. Hiding more never narrows an interval, so each count is made safe once, in turn.
    While one is exposed: of the `tries` smallest published counts in a sum with it, the one
    that widens its interval most is hidden (ties: the smaller); if none widens it alone (it is
    pinned by two sums, as a non-DA cell is by its row and by DA + non-DA = all), the pair -
    one of them and one in a sum with that one - that widens it most; failing that the
    smallest; with none left, the same among counts in a sum with a hidden count linked to it.
    Returns the counts to hide."""
    margin = below if margin is None else margin
    hidden = small(system, below)
    protected = hidden | {key for key, value in system.values.items() if value is None}
    for key in sorted(protected, key=repr):
        width = _width(system, hidden, key)
        while width < margin:
            group = next((g for g in _candidates(system, hidden, key) if g), None)
            if group is None:
                break  # nothing left to hide: as safe as the system allows
            trials = [(_width(system, hidden | {c}, key), {c}) for c in group[:tries]]
            if max(t[0] for t in trials) <= width:  # pinned twice over: try pairs
                trials = [
                    (_width(system, hidden | {c, d}, key), {c, d})
                    for c in group[:tries]
                    for d in _candidates(system, hidden, c)[0][:tries]
                ] or trials
            best_width, best = max(trials, key=lambda t: (t[0], -_total(system, t[1])))
            if best_width <= width:
                best_width, best = trials[0]
            hidden |= best
            width = best_width
    return hidden


def _total(system: LinearSystem, keys: set[Key]) -> int:
    return sum(system.values.get(key) or 0 for key in keys)


@dataclass(frozen=True)
class AdditiveTable:
    """Interior counts (r x c) and the published totals they add up to; `unshown` columns are
    counts inside the row totals that are never published (for example districts outside the
    selection)."""

    cells: np.ndarray
    unshown: int = 0  # the last `unshown` columns of `cells` are never published

    @property
    def full(self) -> np.ndarray:
        """The table with its totals: a row of column totals and a column of row totals."""
        cells = self.cells
        with_rows = np.vstack([cells, cells.sum(axis=0, keepdims=True)])
        return np.hstack([with_rows, with_rows.sum(axis=1, keepdims=True)])

    def system(self) -> LinearSystem:
        """The table as a linear system keyed by full-table (row, column) indices."""
        rows, columns = self.cells.shape
        full = self.full
        never = range(columns - self.unshown, columns)
        values: dict[Key, int | None] = {
            (i, j): int(full[i, j])
            for i in range(rows + 1)
            for j in range(columns + 1)
            if j not in never
        }
        sums = [(tuple((i, j) for j in range(columns)), (i, columns)) for i in range(rows + 1)]
        sums += [(tuple((i, j) for i in range(rows)), (rows, j)) for j in range(columns + 1)]
        return LinearSystem(values, sums)


def primary(table: AdditiveTable, below: int) -> set[tuple[int, int]]:
    """Published cells (totals included) holding a count from 1 to `below` - 1."""
    return {key for key in small(table.system(), below)}


def protect(table: AdditiveTable, below: int, margin: int | None = None) -> set[tuple[int, int]]:
    """Every cell of the table to hide (full-table indices): see `protect_system`."""
    return protect_system(table.system(), below, margin)
