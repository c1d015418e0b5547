"""Secondary suppression with an attacker's audit.

Primary suppression hides counts from 1 to the threshold - 1; counts published with their totals
still give a hidden one back by subtraction (a district from the force total, non-DA from all and
DA, a month from the year). Here what is published is a `LinearSystem`: counts, and every sum
between them an attacker knows - within a table (rows and columns adding to totals) and across
the tables of one page or pack (DA + non-DA = all; twelve months = the period; a rolling
12-month total = its months, some of them never published). `audit` solves, for each hidden
count, the smallest and largest value consistent with everything published (two linear
programmes, HiGHS); `protect` adds secondary suppressions until every hidden
count's interval holds at least `margin` whole values. Zeros are shown, and hidden only as a
last resort and a whole sum at a time, so an attacker reads a blank as at least 1 except in
such a sum (`LinearSystem.blanks`).

`AdditiveTable` is the common case: interior cells (rows x columns), optional unpublished extra
columns (counts inside the totals never shown, such as districts not selected), its row totals,
column totals and grand total.
"""

from __future__ import annotations

import heapq
import os
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import highspy
import numpy as np
import scipy.linalg
from scipy import sparse
from scipy.sparse import csc_matrix, csr_matrix

Key = Any  # any hashable: a (row, column) pair, a (table, row, column) triple, ...
# Unknowns linked by sums that LinearSystem.determined solves at once: a null space of 1,000
# unknowns (1,600 sums) takes 0.8 s on a 2-core machine, of 2,000 3.7 s.
DETERMINED_LIMIT = 1_000


def _sharing_unknowns(rows: list[dict[Key, float]]) -> list[list[dict[Key, float]]]:
    """The sums (as rows over their unknowns) in groups that share no unknown (union-find)."""
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in rows:
        first, *rest = row
        for key in rest:
            parent[root(key)] = root(first)
    groups: dict[Key, list[dict[Key, float]]] = {}
    for row in rows:
        groups.setdefault(root(next(iter(row))), []).append(row)
    return list(groups.values())


@dataclass(frozen=True)
class LinearSystem:
    """Counts as published (None: hidden already, its value unknown here) and the sums an
    attacker knows: each `(parts, total)` says the parts add up to the total. A key used in a
    sum but absent from `values` is a count never published (an unknown to the attacker).
    `fixed` counts are known but have no cell to blank (a group with no row is read as 0), so
    secondary suppression cannot hide them."""

    values: Mapping[Key, int | None]
    sums: Sequence[tuple[tuple[Key, ...], Key]] = field(default_factory=tuple)
    slack: int = 0  # published counts are rounded: the truth is within this of each (5 -> 2)
    fixed: frozenset[Key] = frozenset()
    # blanks that may be zero: in a sum whose zeros were all hidden on pages protected before
    zero_able: frozenset[Key] = frozenset()
    # counts no table shows that a reader works out, with their values: a total less a part of
    # it (11 offences, 8 with a contact agreement: 3 without), or what the sums give (the
    # districts not selected: the force less the selection); kept wide where small
    differences: Mapping[Key, int] = field(default_factory=dict)

    def guarded(self, below: int, unguarded: frozenset[Key] = frozenset()) -> frozenset[Key]:
        """The counts protection keeps at least `below` values wide: those hidden already (but
        `unguarded`, another step's secondary suppressions) and the small differences."""
        return (self.withheld - unguarded) | self.small_differences(below)

    def small_differences(self, below: int) -> set[Key]:
        """The `differences` from 1 to `below` - 1: never shown, yet to be kept as wide as a
        count primary suppression hides."""
        return {key for key, value in self.differences.items() if 1 <= value < below}

    def unknowns(self, hidden: set[Key]) -> set[Key]:
        """Every count the attacker does not see: hidden, already hidden, or never published."""
        return hidden | self._unseen

    def blanks(self, hidden: Iterable[Key]) -> set[Key]:
        """The unknowns an attacker knows are at least 1: counts published blank (hidden, or
        hidden already). Zeros are shown, and hidden only where nothing else protects a count,
        so a blank is not a zero (six months of a year's 6 arrests shown as 0 and six blank
        give each blank as 1 unless the year is hidden too) - except in a sum whose zeros are
        all hidden (`opened`). A count never published may be 0."""
        hidden = set(hidden)
        blank = {key for key in hidden if self.values.get(key) != 0} | set(self.withheld)
        return blank - self.opened(hidden)

    def opened(self, hidden: Iterable[Key]) -> set[Key]:
        """The counts that may be zero when blank: `zero_able`, and every count in a sum whose
        zeros are all among `hidden` (zeros a reader knows otherwise aside, `known_zeros`).
        Zeros are hidden a whole sum at a time, so a reader who knows the method cannot tell
        which of its blanks are the zeros; in a sum with a zero still shown, the one zero
        hidden for another sum is the blank the two share, and the rest are at least 1."""
        hidden = set(hidden)
        found = set(self.zero_able)
        for key in hidden:
            if self.values.get(key) != 0:
                continue
            for members in self.sums_with(key):
                zeros = self.unknown_zeros(members)
                if zeros and zeros <= hidden:
                    found.update(members)
        return found

    def unknown_zeros(self, members: Iterable[Key]) -> set[Key]:
        """The zeros among `members` that a reader reads only from their cell (not
        `known_zeros`)."""
        return {m for m in members if self.values.get(m) == 0 and m not in self.known_zeros}

    @cached_property
    def known_zeros(self) -> frozenset[Key]:
        """Zeros a reader reads elsewhere: `fixed` (shown on another page, or a group with no
        row), and those a sum of one part says are the same count as another zero (shown
        under two names: the offences of no known ward on the map and on Data quality)."""
        pairs = [(parts[0], total) for parts, total in self.sums if len(parts) == 1]
        pairs += [(b, a) for a, b in pairs]
        zero = {key for key, value in self.values.items() if value == 0}
        known = {key for key in self.fixed & zero} | {b for a, b in pairs if a in zero and a != b}
        known &= zero
        grew = True
        while grew:
            grew = False
            for a, b in pairs:
                if a in known and b not in known and b in zero:
                    known.add(b)
                    grew = True
        return frozenset(known)

    def determined(self, hidden: Iterable[Key], candidates: Iterable[Key]) -> set[Key]:
        """The `candidates` (among the unknowns) whose count the sums give exactly from the
        counts a reader sees, `hidden` hidden: hiding one hides nothing. A count is given
        exactly when no change of the unknowns that keeps every sum (a null-space vector of
        the sums over the unknowns) moves it; worked out for each set of unknowns linked by
        sums (`_sharing_unknowns`), up to DETERMINED_LIMIT unknowns each (a larger set's
        candidates are left hidden: safe, if more than needed). Rounded counts (`slack`) give
        nothing exactly."""
        unknown = self.unknowns(set(hidden))
        wanted = set(candidates) & unknown
        if self.slack or not wanted:
            return set()
        rows = [
            row for row in (self._row(parts, total, unknown) for parts, total in self.sums) if row
        ]
        found: set[Key] = set()
        for group in _sharing_unknowns(rows):
            columns = sorted({key for row in group for key in row}, key=self.order)
            if not wanted & set(columns) or len(columns) > DETERMINED_LIMIT:
                continue
            index = {key: i for i, key in enumerate(columns)}
            matrix = np.zeros((len(group), len(columns)))
            for i, row in enumerate(group):
                for key, coefficient in row.items():
                    matrix[i, index[key]] = coefficient
            free = scipy.linalg.null_space(matrix)
            moves = np.abs(free).max(axis=1) if free.size else np.zeros(len(columns))
            found |= {key for key in columns if key in wanted and moves[index[key]] < 1e-9}
        return found

    @staticmethod
    def _row(parts: tuple[Key, ...], total: Key, unknown: set[Key]) -> dict[Key, float]:
        """A sum's coefficients over the unknowns (parts +1, the total -1)."""
        row: dict[Key, float] = {}
        for key in parts:
            if key in unknown:
                row[key] = row.get(key, 0.0) + 1
        if total in unknown:
            row[total] = row.get(total, 0.0) - 1
        return {key: value for key, value in row.items() if value}

    def sums_with(self, key: Key) -> list[tuple[Key, ...]]:
        """The members (parts and total) of each sum `key` is in."""
        return self._sums_with.get(key, [])

    @cached_property
    def _sums_with(self) -> dict[Key, list[tuple[Key, ...]]]:
        found: dict[Key, list[tuple[Key, ...]]] = {}
        for parts, total in self.sums:
            members = (*parts, total)
            for key in set(members):
                found.setdefault(key, []).append(members)
        return found

    @cached_property
    def named(self) -> frozenset[Key]:
        """Every count in a sum."""
        return frozenset(key for parts, total in self.sums for key in (*parts, total))

    @cached_property
    def withheld(self) -> frozenset[Key]:
        """Counts published as hidden already (None)."""
        return frozenset(key for key, value in self.values.items() if value is None)

    @cached_property
    def _unseen(self) -> frozenset[Key]:
        return self.withheld | {key for key in self.named if self.values.get(key) is None}

    def order(self, key: Key) -> str:
        """A count's place in a fixed order (its repr, computed once)."""
        found = self._order.get(key)
        if found is None:
            found = self._order[key] = repr(key)
        return found

    @cached_property
    def _order(self) -> dict[Key, str]:
        return {}

    @cached_property
    def incidence(self) -> Incidence:
        """The sums as sparse matrices over every count, in the audit's fixed order."""
        return Incidence.of(self)

    def neighbours(self, key: Key) -> set[Key]:
        """Counts that share a sum with `key`."""
        return self._neighbours.get(key, set()) - {key}

    @cached_property
    def _neighbours(self) -> dict[Key, set[Key]]:
        found: dict[Key, set[Key]] = {}
        for parts, total in self.sums:
            members = {*parts, total}
            for key in members:
                found.setdefault(key, set()).update(members)
        return found


@dataclass(frozen=True)
class Incidence:
    """A system's sums as matrices over its counts, in a fixed order (by repr): `members`
    (sum x count, 1 where a count is in a sum) says what links to what; `coefficients` is each
    sum as parts - total = 0 (a count in both parts and total cancels); `values` the counts as
    published (0 where unknown)."""

    keys: list[Key]
    position: dict[Key, int]
    members: csr_matrix
    members_by_count: csr_matrix
    coefficients: csr_matrix
    values: np.ndarray

    @classmethod
    def of(cls, system: LinearSystem) -> Incidence:
        keys = sorted(system.named | set(system.values), key=repr)
        position = {key: j for j, key in enumerate(keys)}
        rows, columns, signs = [], [], []
        for i, (parts, total) in enumerate(system.sums):
            for member, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
                rows.append(i)
                columns.append(position[member])
                signs.append(sign)
        shape = (len(system.sums), len(keys))
        coefficients = csr_matrix((signs, (rows, columns)), shape=shape)
        coefficients.sum_duplicates()
        coefficients.eliminate_zeros()
        members = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=shape)
        members.sum_duplicates()
        values = np.array([float(system.values.get(key) or 0) for key in keys])
        return cls(keys, position, members, members.T.tocsr(), coefficients, values)

    def marked(self, keys: Iterable[Key]) -> np.ndarray:
        """True at the position of each of `keys` among the counts (those in no sum and not
        published aside)."""
        found = np.zeros(len(self.keys), dtype=bool)
        found[[self.position[key] for key in keys if key in self.position]] = True
        return found

    def linked(self, start: int, variable: np.ndarray) -> np.ndarray:
        """The sums reachable from count `start` through the counts marked `variable` they
        share (the others bind other counts and cannot narrow it), in order."""
        return self.component(start, variable)[0]

    def component(self, start: int, variable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sums linked to count `start` (`linked`) and the counts marked `variable` reached
        on the way, `start` among them: from any of those counts the same sums are linked."""
        reached = np.zeros(len(self.keys), dtype=bool)
        reached[start] = True
        frontier = np.array([start])
        linked = np.zeros(self.members.shape[0], dtype=bool)
        while frontier.size:
            sums = _gather(self.members_by_count, frontier)[0]
            sums = sums[~linked[sums]]
            linked[sums] = True
            counts = _gather(self.members, sums)[0]
            frontier = np.unique(counts[variable[counts] & ~reached[counts]])
            reached[frontier] = True
        return np.flatnonzero(linked), np.flatnonzero(reached)

    def nearest_first(self, start: int, variable: np.ndarray) -> np.ndarray:
        """The counts marked `variable` linked to count `start` (`component`), nearest first:
        those in a sum with it, then those in a sum with one of those, and so on."""
        reached = np.zeros(len(self.keys), dtype=bool)
        reached[start] = True
        order, frontier = [], np.array([start])
        while frontier.size:
            counts = _gather(self.members, _gather(self.members_by_count, frontier)[0])[0]
            frontier = np.unique(counts[variable[counts] & ~reached[counts]])
            reached[frontier] = True
            order.append(frontier)
        return np.concatenate(order)

    def block(
        self, rows: np.ndarray, variable: np.ndarray
    ) -> tuple[csc_matrix, np.ndarray, np.ndarray]:
        """The LP over sums `rows`: its matrix (the sums with a variable, over the variables
        in them, both in order), the right-hand sides (minus the known counts' part) and the
        variables' positions among all counts."""
        columns, coefficients, row_of = _gather(self.coefficients, rows)
        known = ~variable[columns]
        constants = np.bincount(
            row_of[known],
            weights=coefficients[known] * self.values[columns[known]],
            minlength=len(rows),
        )
        columns, coefficients, row_of = columns[~known], coefficients[~known], row_of[~known]
        kept_rows, row_index = np.unique(row_of, return_inverse=True)
        used, column_index = np.unique(columns, return_inverse=True)
        order = np.lexsort((row_index, column_index))
        start = np.zeros(len(used) + 1, dtype=np.int32)
        np.cumsum(np.bincount(column_index, minlength=len(used)), out=start[1:])
        matrix = csc_matrix(
            (coefficients[order], row_index[order].astype(np.int32), start),
            shape=(len(kept_rows), len(used)),
        )
        return matrix, -constants[kept_rows], used


def _gather(matrix: csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The column indices and values stored in `rows` of a CSR matrix, and each one's place in
    `rows` (rows in the order given, each row's entries in order)."""
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    place = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = np.repeat(starts, lengths) + offsets
    return matrix.indices[positions], matrix.data[positions], place


def audit(
    published: LinearSystem | AdditiveTable,
    hidden: set[Key],
    only: set[Key] | None = None,
) -> dict[Key, tuple[float, float]]:
    """For every hidden count (or those in `only`), the interval of values an attacker who
    knows every published count and every sum (and that counts are not negative, and a blank
    not a zero: `LinearSystem.blanks`) can narrow it to. Counts already hidden in the system
    (None) are audited too.

    Each count is solved over the sums linked to it through unknowns only (the others bind
    other counts and cannot narrow it), so a large table costs little per cell."""
    system = published.system() if isinstance(published, AdditiveTable) else published
    if not system.unknowns(set(hidden)):
        return {}
    chosen = set(hidden) | system.withheld if only is None else only
    attacker = _Attacker(system, set(hidden))
    return {key: attacker.interval(key) for key in sorted(chosen, key=repr)}


class _Attacker:
    """What an attacker can work out when `hidden` is hidden: the LP's variables are every
    unknown count (0 to infinity; a blank 1 to infinity) and, where published counts are
    rounded, every count in a sum (within the rounding of what is shown); the rest are
    constants. Counts whose linked sums are the same share one HiGHS model, solved again for
    each from where it stopped."""

    def __init__(self, system: LinearSystem, hidden: set[Key]) -> None:
        self.system, self.hidden = system, set(hidden)
        matrices = system.incidence
        is_unknown = matrices.marked(system.unknowns(hidden))
        self.variable = np.ones_like(is_unknown) if system.slack else is_unknown
        # an unknown's smallest value: 1 for a blank
        self.floor = matrices.marked(system.blanks(hidden)).astype(float)
        self.lower = np.where(
            is_unknown, self.floor, np.maximum(0.0, matrices.values - system.slack)
        )
        self.upper = np.where(is_unknown, np.inf, matrices.values + system.slack)
        self._models: dict[bytes, _Model] = {}
        self._linked: dict[int, np.ndarray] = {}  # a count's linked sums, shared by its component
        # each count's smallest and largest value in the solutions found so far: points an
        # attacker could take, so the interval holds at least that range (`seen`)
        self.seen_low = np.full(len(matrices.keys), np.inf)
        self.seen_high = np.full(len(matrices.keys), -np.inf)
        self.found: list[tuple[np.ndarray, np.ndarray]] = []  # the solutions `seen`
        # a direction in which a count grows without end, by count: the counts it moves, and
        # the model it was found in (`unbounded`)
        self.rays: dict[int, tuple[_Model, np.ndarray]] = {}

    def model(self, key: Key) -> _Model | None:
        """The model of `key`'s linked sums, aimed at `key`; None if nothing can narrow it
        (in no sum, known, or cancelling out of every sum it is in)."""
        matrices = self.system.incidence
        column = matrices.position.get(key)
        if column is None or not self.variable[column]:
            return None
        rows = self._linked.get(column)
        if rows is None:  # the same sums for every count reached (a district's withheld wards)
            rows, reached = matrices.component(column, self.variable)
            self._linked.update(dict.fromkeys(reached.tolist(), rows))
        model = self._models.get(rows.tobytes())
        if model is None:
            matrix, rhs, columns = matrices.block(rows, self.variable)
            model = self._models[rows.tobytes()] = _Model(
                self.system, matrix, rhs, columns, self.lower[columns], self.upper[columns]
            )
        return model if model.aim(column) else None

    def seen(self, model: _Model) -> None:
        """Note the values of the solution `model` last found (a point consistent with what
        is published)."""
        found = model.solution()
        if found is not None:
            self.found.append(found)
            columns, values = found
            np.minimum.at(self.seen_low, columns, values)
            np.maximum.at(self.seen_high, columns, values)

    def note_ray(self, column: int, model: _Model) -> None:
        """Note the direction in which the count at `column` was just found to grow without
        end in `model` (if HiGHS gives one)."""
        moved = model.ray()
        if moved is not None:
            self.rays[column] = (model, moved)

    def unbounded(self, column: int, model: _Model) -> bool:
        """Whether the count at `column` is known to have no largest value in `model` as it
        now stands, without a solve: a direction noted in it (`note_ray`) moves no count that
        is now published. Bounds only open in a model between notes (counts hidden, or
        published by an earlier try and hidden again), so the direction stays feasible while
        it moves none of the counts published since."""
        noted = self.rays.get(column)
        if noted is None or noted[0] is not model:
            return False
        return not np.isin(noted[1], model.published_columns()).any()

    def interval(self, key: Key) -> tuple[float, float]:
        model = self.model(key)
        if model is not None:
            return model.extremes()
        column = self.system.incidence.position.get(key)  # nothing narrows it but its floor
        return (0.0 if column is None else float(self.floor[column]), float(np.inf))

    def hiding(self, keys: set[Key]) -> _Attacker:
        """The attacker once `keys` are hidden too. Where published counts are rounded every
        count is a variable already, so the models stay and only those counts' bounds open;
        otherwise (or where a count hidden may be zero, and so may others) the linked sums or
        bounds change, and the models are made again."""
        every = self.hidden | keys
        position = self.system.incidence.position
        columns = np.array([position[key] for key in keys if key in position], dtype=np.int64)
        if not self.system.slack or keys & self.system.opened(every):
            attacker = _Attacker(self.system, every)
            if np.all(attacker.lower[columns] <= self.lower[columns]):
                # the region only widened: the points found are still points it holds
                attacker.seen_low, attacker.seen_high = self.seen_low, self.seen_high
            return attacker
        if np.any(self.lower[columns] < 1.0):  # a count rounded to 0 hidden: its floor rises
            self.seen_low = np.full_like(self.seen_low, np.inf)
            self.seen_high = np.full_like(self.seen_high, -np.inf)
        self.floor[columns] = self.lower[columns] = 1.0  # blanks
        self.upper[columns] = np.inf
        for model in self._models.values():
            model.hide(columns)
        self.hidden |= keys
        return self


class _Model:
    """A HiGHS model of linked sums over its variables (`columns`, positions among all
    counts), aimed at one of them. `extremes(shown)` solves it with the counts in `shown`
    (hidden in this model) back at their published bounds: a model made with the most counts
    hidden answers for fewer, each solve starting from the last one's basis (sums linked only
    through a shown count then no longer bind the one aimed at). A model of one sum is solved
    exactly without HiGHS (`one_sum_extreme`): the Hotspot maps page's withheld wards are one
    sum, 4,046 of them at a million offences, each solved twice; the counts' parts of the sum
    are added up once for the bounds as they stand (`OneSumParts`), not once for each count."""

    def __init__(
        self,
        system: LinearSystem,
        matrix: csc_matrix,
        rhs: np.ndarray,
        columns: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        self.system, self.columns, self.lower = system, columns, lower
        self.aimed: int | None = None
        self._published = np.zeros(0, dtype=np.int64)
        rows, count = matrix.shape
        # the bounds as they stand, and the one sum (coefficients, total) if there is one
        self.bounds = (np.array(lower, dtype=float), np.array(upper, dtype=float))
        self.one_sum = (matrix.toarray()[0], float(rhs[0])) if rows == 1 else None
        self._one_sum_parts: OneSumParts | None = None  # for the bounds as they stand
        if self.one_sum is not None:
            return
        # small models, solved warm: faster without presolve
        self.solver = _highs(matrix, rhs, np.zeros(count), lower, upper, presolve=False)

    def aim(self, column: int) -> bool:
        """Make the count at `column` (among all counts) the objective; False if it is not a
        variable here (it cancels out of every sum it is in)."""
        place = int(np.searchsorted(self.columns, column))
        if place == len(self.columns) or self.columns[place] != column:
            return False
        if self.aimed != place:
            if self.one_sum is None:
                if self.aimed is not None:
                    self.solver.changeColCost(self.aimed, 0.0)
                self.solver.changeColCost(place, 1.0)
            self.aimed = place
        return True

    def extremes(self, shown: Iterable[Key] = ()) -> tuple[float, float]:
        """The smallest and largest value of the aimed count, with `shown` published again."""
        self.show(shown)
        return self.smallest(), self.largest()

    def smallest(self) -> float:
        """The aimed count's smallest value, with what was last published."""
        if self.one_sum is not None:
            parts = self._parts()
            return one_sum_extreme(*self.one_sum, *self.bounds, self._aimed(), False, parts)
        return _optimum(self.solver, highspy.ObjSense.kMinimize)

    def largest(self) -> float:
        """The aimed count's largest value (infinity if it has none), with what was last
        published; solved from where the last solve stopped."""
        if self.one_sum is not None:
            parts = self._parts()
            return one_sum_extreme(*self.one_sum, *self.bounds, self._aimed(), True, parts)
        return _optimum(self.solver, highspy.ObjSense.kMaximize)

    def solution(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The variables' positions among all counts and their values in the last solution
        found (None for a model of one sum, solved without HiGHS, or where HiGHS holds no
        feasible point: after an unbounded solve it need not)."""
        if self.one_sum is not None:
            return None
        if self.solver.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
            return None
        return self.columns, np.asarray(self.solver.getSolution().col_value)

    def ray(self) -> np.ndarray | None:
        """After a solve found the aimed count without a largest value: the counts (positions
        among all counts) that HiGHS's direction of unboundedness moves; None if it gives none
        (or the model is one sum, solved without HiGHS)."""
        if self.one_sum is not None:
            return None
        _, has_ray, direction = self.solver.getPrimalRay()  # type: ignore[attr-defined]  # not in highspy's stubs
        if not has_ray:
            return None
        return self.columns[np.flatnonzero(np.abs(np.asarray(direction)) > 1e-9)]

    def published_columns(self) -> np.ndarray:
        """The positions (among all counts) of the counts this model now has published again
        (`publish`)."""
        return self.columns[self._published]

    def _parts(self) -> OneSumParts:
        """The one sum's parts for the bounds as they stand (worked out again once they move)."""
        if self._one_sum_parts is None:
            assert self.one_sum is not None
            self._one_sum_parts = OneSumParts.of(self.one_sum[0], *self.bounds)
        return self._one_sum_parts

    def _aimed(self) -> int:
        if self.aimed is None:
            raise ValueError("the model is aimed at no count")
        return self.aimed

    def show(self, shown: Iterable[Key]) -> None:
        """Publish the counts in `shown` again (at their published bounds), and hide again
        any that the last call published."""
        position = self.system.incidence.position
        self.publish(np.array([position[key] for key in shown if key in position], dtype=np.int64))

    def publish(self, positions: np.ndarray) -> None:
        """`show` for the counts at `positions` (among all counts)."""
        matrices, slack = self.system.incidence, self.system.slack
        published = np.unique(self._places(positions))
        if np.array_equal(published, self._published):
            return
        hidden_again = np.setdiff1d(self._published, published)  # published by the last call
        if hidden_again.size:
            self._bound(hidden_again, self.lower[hidden_again], np.full(hidden_again.size, np.inf))
        self._published = published
        if published.size:
            values = matrices.values[self.columns[published]]
            self._bound(published, np.maximum(0.0, values - slack), values + slack)

    def hide(self, columns: np.ndarray) -> None:
        """Open the bounds (1 to infinity: blanks, see `LinearSystem.blanks`) of the counts at
        `columns` that are variables here."""
        places = self._places(columns)
        if places.size:
            self.lower[places] = 1.0
            self._bound(places, np.ones(places.size), np.full(places.size, np.inf))

    def _places(self, positions: np.ndarray) -> np.ndarray:
        """Where the counts at `positions` (among all counts) are among this model's
        variables, for those that are variables here."""
        places = np.searchsorted(self.columns, positions)
        inside = places < len(self.columns)
        inside[inside] = self.columns[places[inside]] == positions[inside]
        return places[inside]

    def _bound(self, places: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.bounds[0][places], self.bounds[1][places] = lower, upper
        if self.one_sum is not None:
            self._one_sum_parts = None
            return
        self.solver.changeColsBounds(
            len(places),
            places.astype(np.int32),
            np.asarray(lower, dtype=float),
            np.where(np.isinf(upper), highspy.kHighsInf, upper).astype(float),
        )


@dataclass(frozen=True)
class _PartsAdded:
    """Parts of a sum, added up: the finite ones' total and how many are infinite (all of
    one sign, `infinity`)."""

    parts: np.ndarray
    finite: float
    infinite: int
    infinity: float

    @classmethod
    def of(cls, parts: np.ndarray, infinity: float) -> _PartsAdded:
        finite = np.isfinite(parts)
        return cls(parts, float(np.sum(parts[finite])), int((~finite).sum()), infinity)

    def without(self, place: int) -> float:
        """The total of every part but the one at `place`. Counts are whole numbers, so the
        finite total less one part is exactly the others' total."""
        part = self.parts[place]
        if np.isinf(part):
            return self.infinity if self.infinite > 1 else self.finite
        return self.infinity if self.infinite else self.finite - float(part)


@dataclass(frozen=True)
class OneSumParts:
    """Each count's smallest and largest part of one sum (`coefficients` . x) within its
    bounds, added up: a count's extremes need the others' total, which is this less its own
    part, so every count of a sum of n is solved in n steps, not n x n (the Hotspot maps
    page's 7,056 wards, DA or non-DA at a million offences: 56,000 solves took 4.9 s)."""

    least: _PartsAdded
    most: _PartsAdded

    @classmethod
    def of(cls, coefficients: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> OneSumParts:
        a = coefficients
        return cls(
            _PartsAdded.of(np.where(a > 0, a * lower, a * upper), -np.inf),
            _PartsAdded.of(np.where(a > 0, a * upper, a * lower), np.inf),
        )


def one_sum_extreme(
    coefficients: np.ndarray,
    total: float,
    lower: np.ndarray,
    upper: np.ndarray,
    aimed: int,
    largest: bool,
    parts: OneSumParts | None = None,
) -> float:
    """The smallest or largest value of count `aimed` where `coefficients` . x = `total` and
    `lower` <= x <= `upper` (an LP of one row, solved exactly: the aimed count is largest where
    the others take the bounds that leave the most of the total to it), to a millionth as
    `_optimum` gives it; infinity if it has no largest. `parts`: `OneSumParts.of` the same
    coefficients and bounds, added up once for every count of the sum."""
    if parts is None:
        parts = OneSumParts.of(coefficients, lower, upper)
    least = parts.least.without(aimed)  # the others' smallest part
    most = parts.most.without(aimed)  # and largest
    own = coefficients[aimed]
    ends = sorted(((total - most) / own, (total - least) / own))
    smallest, greatest = max(ends[0], lower[aimed]), min(ends[1], upper[aimed])
    if smallest > greatest + 1e-9:
        raise ValueError("the published counts contradict their sums (rounded without slack?)")
    value = float(greatest if largest else smallest)
    return value if np.isinf(value) else round(value, 6)


_FIRST_SOLVER = threading.Lock()
_banner_silenced = False


def _quiet_highs() -> highspy.Highs:
    """A new HiGHS solver. The first of a process prints HiGHS's banner to standard output
    from C++, before any option can stop it (it ran into the command line's reports): that
    one is made with the process's standard output pointed at the null device."""
    global _banner_silenced
    if _banner_silenced:
        return highspy.Highs()
    with _FIRST_SOLVER:
        if _banner_silenced:
            return highspy.Highs()
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _banner_silenced = True
        return solver


def _highs(
    matrix: csc_matrix,
    rhs: np.ndarray,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    presolve: bool,
) -> highspy.Highs:
    """A HiGHS model: minimise (or maximise) `cost` . x where `matrix` x = `rhs` and `lower`
    <= x <= `upper` (infinite bounds allowed)."""
    rows, count = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = count, rows
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.where(np.isinf(lower), -highspy.kHighsInf, lower).astype(float)
    lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper).astype(float)
    lp.row_lower_ = lp.row_upper_ = np.asarray(rhs, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = count, rows
    solver = _quiet_highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("presolve", "on" if presolve else "off")
    solver.passModel(lp)
    return solver


def _optimum(solver: highspy.Highs, sense: highspy.ObjSense) -> float:
    """The model's smallest or largest value of its objective's variable, to a millionth
    (counts are whole, and which cell is hidden must not turn on float noise:
    14.000000000000004 from one pivoting path, 14.0 from another); infinity if unbounded."""
    solver.changeObjectiveSense(sense)
    solver.run()
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kUnknown:  # a warm start that stalled: solve afresh
        solver.clearSolver()
        solver.run()
        status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise ValueError("the published counts contradict their sums (rounded without slack?)")
    if status in (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return float(np.inf)
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the attacker's linear programme was not solved: {status}")
    return round(float(solver.getInfo().objective_function_value), 6)


def small(system: LinearSystem, below: int) -> set[Key]:
    """Published counts from 1 to `below` - 1 (the primary suppressions still to make)."""
    return {key for key, value in system.values.items() if value is not None and 1 <= value < below}


def _width(attacker: _Attacker, key: Key, enough: float, shown: np.ndarray | None = None) -> float:
    """The width of `key`'s interval; or, once it is known to be at least `enough`, a lower
    bound of it that is. The true count lies between the smallest and largest value and within
    the slack of the count as published, so a smallest value at least `enough` below that
    makes the interval wide enough without solving for the largest; as does a range at least
    `enough` wide that the solutions found before give it (`_Attacker.seen`). With
    `shown`, the counts at those positions (hidden from `attacker`) are published again
    (`_Model.publish`)."""
    model = attacker.model(key)
    if model is None:
        return float(np.inf)
    if shown is not None:
        model.publish(shown)
    column = attacker.system.incidence.position[key]
    seen = attacker.seen_high[column] - attacker.seen_low[column]
    if seen >= enough:
        return float(seen)
    if attacker.unbounded(column, model):
        return float(np.inf)
    low = model.smallest()
    attacker.seen(model)
    published = attacker.system.values.get(key)
    if published is not None and published - attacker.system.slack - low >= enough:
        return published - attacker.system.slack - low
    high = model.largest()
    attacker.seen(model)
    if np.isinf(high):
        attacker.note_ray(column, model)
    return high - low


def _hideable(system: LinearSystem, hidden: set[Key], keys: Iterable[Key], limit: int) -> list[Key]:
    """The `limit` smallest published counts among `keys` (a value, not hidden) that have a
    cell to blank (by value, ties by repr). Not zeros, which are shown so that a blank is read
    as at least 1 (`LinearSystem.blanks`): they are hidden a sum at a time (`_zeros_to_hide`)."""
    return heapq.nsmallest(
        limit,
        (k for k in keys if _is_hideable(system, hidden, k)),
        key=lambda k: (system.values[k], system.order(k)),
    )


def _candidates(system: LinearSystem, hidden: set[Key], key: Key, limit: int) -> list[Key]:
    """Published counts whose hiding can loosen what pins `key` (at most `limit`, smallest
    first): those in a sum with it or, if there are none, those in a sum with a hidden count
    linked to it through sums."""
    nearest = _hideable(system, hidden, system.neighbours(key), limit)
    return nearest or _linked(system, hidden, key, limit)


class _SpareNeeded(Exception):
    """A count cannot be kept wide enough without hiding one of the counts to spare."""


def protect_system(
    system: LinearSystem,
    below: int,
    margin: int | None = None,
    tries: int = 8,
    unguarded: frozenset[Key] = frozenset(),
    tidy: bool = True,
    spare: frozenset[Key] = frozenset(),
) -> set[Key]:
    """`_protect_system`, sparing the counts in `spare` (the headline figures: the force's
    outcome 1-8 rate for a year, hidden to keep one offence's informal out-of-court outcome
    wide where hiding its formal ones did as well) unless no count can be kept wide enough
    without hiding one of them: then the search is made again as if none were spared."""
    spared = frozenset(key for key in spare if system.values.get(key))  # zeros are not hidden
    if spared:
        held = replace(system, fixed=system.fixed | spared)
        try:
            return _protect_system(held, below, margin, tries, unguarded, tidy, strict=True)
        except _SpareNeeded:
            pass
    return _protect_system(system, below, margin, tries, unguarded, tidy)


def _protect_system(
    system: LinearSystem,
    below: int,
    margin: int | None,
    tries: int,
    unguarded: frozenset[Key],
    tidy: bool,
    strict: bool = False,
) -> set[Key]:
    """Primary suppressions plus secondary ones until the audit leaves every hidden count -
    primary, or hidden before this step - an interval of at least `margin` (default `below`)
    whole values: from 1 to 5 at least where `below` is 5 (a blank is at least 1, and 1 to 5
    holds a value no rule hides). Hiding more never narrows an interval, so each count is made
    safe once, in turn. While one is exposed: of the `tries` smallest published counts in a
    sum with it, the one that widens its interval most is hidden (ties: the smaller); if none
    widens it alone (it is pinned by two sums, as a non-DA cell is by its row and by DA +
    non-DA = all), the pair - one of them and one in a sum with that one - that widens it
    most; failing that, the one that widens it most among more counts (`tries` x FURTHER) in a
    sum with it or with a hidden count linked to it (the whole force's outcome 1-8 rate pins
    four outcome groups, and the count to hide was not among the smallest: hiding the smallest
    in turn hid the force's offences for the year); failing that, every count of the cheapest
    pattern that makes it wide enough at once (`_pattern`: a DA cell of a district's outcome,
    pinned by its row, its column and DA + non-DA = all, needs a cycle of counts hidden
    together, and hiding the smallest in turn hid 119 counts for one cell at a million
    offences); failing that the smallest; with none left, the same among counts in a sum with
    a hidden count linked to it; with none left at all, every zero of a sum
    (`_zeros_to_hide`).
    A small difference (a total less a part of it, `LinearSystem.differences`) is kept wide
    as a hidden count is, by hiding the total, the part or what pins them.
    Counts hidden already that are `unguarded` (another step's secondary suppressions) are
    unknowns but need not be wide themselves. Then, with `tidy`, the secondary suppressions no
    count needs once the rest are made are shown again (`_needless`). Returns the counts to
    hide."""
    enough = (below if margin is None else margin) - 1  # the width of that many whole values
    hidden = small(system, below)
    protected = hidden | system.guarded(below, unguarded)
    attacker = _Attacker(system, hidden)  # kept up to date as more is hidden
    for key in sorted(protected, key=repr):
        width = _width(attacker, key, enough)
        while width < enough:
            group = _candidates(system, hidden, key, tries)
            if not group:  # nothing left to hide but zeros
                opened = _zeros_to_hide(system, hidden, key, enough)
                if opened is None or opened[0] <= width:
                    if strict:  # a count spared (`protect_system`) might widen it
                        raise _SpareNeeded
                    break  # as safe as the system allows
                width, best = opened
                hidden |= best
                attacker = attacker.hiding(best)
                continue
            options = [{c} for c in group]
            chosen = _widest(system, hidden, key, options, width)
            pairs: list[set[Key]] = []
            if chosen is None:  # pinned twice over: try pairs
                pairs = _pairs(system, hidden, group, tries)
                chosen = _widest(system, hidden, key, pairs, width) if pairs else None
            if chosen is None:  # none of the nearest: more of the counts linked to it
                further = _linked(system, hidden, key, tries * FURTHER)
                chosen = _widest(system, hidden, key, [{c} for c in further], width)
            if chosen is None:  # none widens it alone: a pattern that does, else the smallest
                first = _pattern(system, hidden, key, enough) or (pairs or options)[0]
                chosen = _width(_Attacker(system, hidden | first), key, enough), first
            width, best = chosen
            hidden |= best
            attacker = attacker.hiding(best)
    if not tidy:
        return hidden
    secondary = hidden - small(system, below)
    return hidden - _needless(system, hidden, secondary, protected, enough)


FURTHER = 8  # how many times `tries` counts the wider search considers
# The secondary suppressions `_needless` tries showing again, largest first, and the audits
# of a protected count it makes at most (it stops trying once it has made that many): the
# demo's steps make up to 11,500 (1-3 s on a 2-core machine); the force-year Outcomes tables
# by district at a million offences in 50 districts, whose 409 counts to protect are all
# linked, 18,100.
TIDY_LIMIT = 300
TIDY_AUDITS = 20_000


def _needless(
    system: LinearSystem,
    hidden: set[Key],
    secondary: set[Key],
    protected: set[Key],
    enough: float,
) -> set[Key]:
    """The `secondary` suppressions (among `hidden`) that can be shown again: each is tried
    published, largest first (at most TIDY_LIMIT; zeros stay hidden, a whole sum at a time,
    `_zeros_to_hide`), and stays published where every `protected` count is still as wide as
    it was (at least `enough`, or as wide as the system allowed). Hiding one count at a time,
    the search hides counts that later ones make needless: the demo's force-year Outcomes
    tables by district withheld 239 of 342 cells, and 158 once tidied.

    Only the protected counts linked to the one tried through unknowns are audited again
    (showing it cannot narrow the others), and the solutions found before that give the one
    tried its published value are points of the region with it shown: a count they already
    spread wide enough is not solved again (`_Points`)."""
    attacker = _Attacker(system, hidden)
    is_protected = system.incidence.marked(protected)
    # in a fixed order: HiGHS answers from where the last solve stopped, and the points seen
    # on the way decide which counts are solved again
    needed = {
        key: min(enough, _width(attacker, key, enough)) for key in sorted(protected, key=repr)
    }
    tried = heapq.nsmallest(
        TIDY_LIMIT,
        (key for key in secondary if system.values.get(key)),
        key=lambda key: (-(system.values[key] or 0), system.order(key)),
    )
    is_shown = np.zeros(len(system.incidence.keys), dtype=bool)
    audits = 0
    pool = _Points(len(system.incidence.keys))
    pool.add_seen(attacker)
    for key in tried:
        if audits >= TIDY_AUDITS:
            break
        # those nearest it first: the likeliest to narrow
        column = system.incidence.position[key]
        value = system.incidence.values[column]
        reached = system.incidence.nearest_first(column, attacker.variable & ~is_shown)
        at_stake = [system.incidence.keys[j] for j in reached[is_protected[reached]]]
        # the models made with everything hidden, the counts shown so far and the one tried
        # published again: no model is made again for a try
        trial = np.append(np.flatnonzero(is_shown), column)
        attacker.found = []
        attacker.seen_low, attacker.seen_high = pool.ranges(column, value)
        for p in at_stake:
            audits += 1
            # no narrower than it was is all that is asked: points the pool holds that spread
            # it that wide (and the count's own extremes are among them) answer without a solve
            floor = needed[p] - 1e-6
            if floor > 0 and _width(attacker, p, floor, trial) < floor:
                # it stays hidden; the points found with it shown are points with it hidden
                pool.add_seen(attacker)
                break
        else:
            is_shown[column] = True
            pool.keep(column, value)
            pool.add_seen(attacker)
    return {system.incidence.keys[j] for j in np.flatnonzero(is_shown)}


class _Points:
    """Points an attacker found (each a solution of one model: its counts and their values),
    for the tidying step: one that gives the count tried its published value, or does not
    hold it, is a point of the region with that count shown too."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.points: list[tuple[np.ndarray, np.ndarray]] = []

    def add_seen(self, attacker: _Attacker) -> None:
        self.points.extend(attacker.found)

    def _holding(self, column: int, value: float) -> list[tuple[np.ndarray, np.ndarray]]:
        kept = []
        for columns, values in self.points:
            place = int(np.searchsorted(columns, column))
            held = place < len(columns) and columns[place] == column
            if held and abs(values[place] - value) > 1e-7:
                continue  # it gives the count another value
            kept.append((columns, values))
        return kept

    def keep(self, column: int, value: float) -> None:
        self.points = self._holding(column, value)

    def ranges(self, column: int, value: float) -> tuple[np.ndarray, np.ndarray]:
        low, high = np.full(self.count, np.inf), np.full(self.count, -np.inf)
        for columns, values in self._holding(column, value):
            np.minimum.at(low, columns, values)
            np.maximum.at(high, columns, values)
        return low, high


def _pattern(system: LinearSystem, hidden: set[Key], key: Key, enough: float) -> set[Key]:
    """The published counts to hide so that `key` can be `enough` above the smallest value an
    attacker now finds for it, at the least cost (the sum of each count's value times how far
    it moves: the smallest counts first, as elsewhere). Two linear programmes over the whole
    system: a point x0 consistent with everything published that gives `key` its smallest
    value; then a change y to it with every sum still holding (coefficients . y = 0), `key`
    raised by `enough`, unknowns and published counts kept at or above their floors (a blank
    at least 1), and published counts moved only within their rounding unless hidden. The
    counts y moves beyond that are the pattern: with them hidden, x0 + y is consistent with
    what is published, so the interval is at least `enough` wide (the network-flow heuristic
    of cell suppression: Cox 1995, Castro 2006). Empty if no such pattern exists (or either
    programme is not solved to optimality); `protect_system` then hides the smallest."""
    matrices = system.incidence
    column = matrices.position.get(key)
    if column is None:
        return set()
    count = len(matrices.keys)
    attacker = _Attacker(system, hidden | {key})  # every count's bounds as a reader has them
    lower, upper = attacker.lower, attacker.upper
    shown_low = np.maximum(0.0, matrices.values - system.slack)
    sums = matrices.coefficients.tocsc()
    aim = np.zeros(count)
    aim[column] = 1.0
    start = _highs(sums, np.zeros(sums.shape[0]), aim, lower, upper, presolve=True)
    start.run()
    if start.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return set()
    x0 = np.array(start.getSolution().col_value)
    hideable = matrices.marked(k for k in system.values if _is_hideable(system, hidden, k))
    hideable[column] = False
    moved = np.flatnonzero(hideable)
    band_low, band_high = lower - x0, upper - x0  # y within the floors and the rounding
    band_low[column] = enough
    cost = np.concatenate([np.zeros(count), np.repeat(matrices.values[moved], 2)])
    change = sums[:, moved]
    matrix = sparse.hstack([sums, change, -change]).tocsc()  # y = band + up - down
    down = np.maximum(0.0, shown_low[moved] - 1.0)  # a hidden count stays at least 1
    solver = _highs(
        matrix,
        np.zeros(sums.shape[0]),
        cost,
        np.concatenate([band_low, np.zeros(2 * moved.size)]),
        np.concatenate([band_high, np.full(moved.size, np.inf), down]),
        presolve=True,
    )
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return set()
    flow = np.array(solver.getSolution().col_value)[count:]
    used = (flow[: moved.size] + flow[moved.size :]) > 1e-7
    return {matrices.keys[j] for j in moved[used]}


def _is_hideable(system: LinearSystem, hidden: set[Key], key: Key) -> bool:
    """A published count with a cell to blank that is not a zero (see `_hideable`)."""
    return bool(system.values.get(key)) and key not in hidden and key not in system.fixed


def _zeros_to_hide(
    system: LinearSystem, hidden: set[Key], key: Key, enough: float
) -> tuple[float, set[Key]] | None:
    """Where every other count in reach is hidden or known (a total shown on the pages beside,
    its parts all blank or 0: a district's wards in a month of 11 offences), every zero of one
    sum with `key` - all of them, so that a reader who knows the method cannot tell which
    blanks are the zeros (`LinearSystem.opened`): the sum whose zeros widen it most (ties:
    fewer zeros, the first), and that width. Failing that, the zeros of the sums with the
    counts hidden and linked to it too (the victims of one sex are pinned by their age bands
    and by sex), less each sum's whose zeros are not needed. None if no zeros widen it."""

    def options_of(keys: Iterable[Key]) -> list[set[Key]]:
        found: list[set[Key]] = []
        for one in keys:
            for members in system.sums_with(one):
                zeros = system.unknown_zeros(members) - system.fixed
                if zeros and not zeros <= hidden and zeros not in found:
                    found.append(zeros)
        return found

    def width(zeros: set[Key]) -> float:
        return _width(_Attacker(system, hidden | zeros), key, enough)

    now = width(set())
    near = options_of([key])
    trials = [(width(zeros), zeros) for zeros in near]
    best = max(trials, key=lambda t: (t[0], -len(t[1])), default=None)
    if best is not None and best[0] > now:
        return best
    linked = sorted(_component(system, hidden, key), key=system.order)  # the same every run
    options = near + [o for o in options_of(linked) if o not in near]
    ceiling = width(set().union(*options)) if options else now
    if ceiling <= now:
        return None
    kept = list(options)
    for option in reversed(options):  # the last first: keep the nearest sums' zeros
        fewer = [o for o in kept if o is not option]
        if fewer and width(set().union(*fewer)) >= min(ceiling, enough):
            kept = fewer
    chosen = set().union(*kept)
    return width(chosen), chosen


def _pairs(system: LinearSystem, hidden: set[Key], group: list[Key], tries: int) -> list[set[Key]]:
    """Each count of `group` with each of the `tries` smallest in a sum with it."""
    return [{c, d} for c in group for d in _hideable(system, hidden, system.neighbours(c), tries)]


def _linked(system: LinearSystem, hidden: set[Key], key: Key, limit: int) -> list[Key]:
    """The `limit` smallest published counts in a sum with `key` or with a count hidden and
    linked to it through sums (what hiding could loosen, near or far): the members of the
    sums `Incidence.linked` finds through the unknowns."""
    matrices = system.incidence
    column = matrices.position.get(key)
    if column is None:
        return []
    variable = matrices.marked(system.unknowns(hidden) | {key})
    members = np.unique(_gather(matrices.members, matrices.linked(column, variable))[0])
    linked = {matrices.keys[j] for j in members.tolist() if j != column}
    return _hideable(system, hidden, linked, limit)


def _component(system: LinearSystem, hidden: set[Key], key: Key) -> set[Key]:
    """`key` and the unknown counts linked to it through sums."""
    unseen = system.unknowns(hidden) | {key}
    component, frontier = {key}, [key]
    while frontier:
        for other in system.neighbours(frontier.pop()):
            if other in unseen and other not in component:
                component.add(other)
                frontier.append(other)
    return component


def _widest(
    system: LinearSystem, hidden: set[Key], key: Key, options: list[set[Key]], width: float
) -> tuple[float, set[Key]] | None:
    """The option (counts to hide) that widens `key`'s interval most beyond `width` (ties: the
    smaller total, then the first) and the width it gives; None if none widens it.

    Solved no more than needed to decide: hiding more never narrows an interval, so no option
    gives more than hiding all of them at once (the ceiling). If the ceiling is no wider than
    `width`, none widens it; otherwise options are solved smallest total first, and the first
    to reach the ceiling is the widest with the smallest total. An option's largest value is
    solved first: less the ceiling's smallest (no option's is smaller), it bounds the option's
    width, and an option that cannot beat the best so far needs no more."""
    every = set().union(*options)
    model = _Attacker(system, hidden | every | {key}).model(key)
    if model is None:
        return None  # nothing can narrow it: it is as wide as it gets (never reached)
    least, high = model.extremes()
    ceiling = high - least
    if ceiling <= width:
        return None
    best: tuple[float, set[Key]] = (width, set())  # to beat; in this order, the first widest
    for i in sorted(range(len(options)), key=lambda i: (_total(system, options[i]), i)):
        model.show(every - options[i])
        high = model.largest()
        if high - least <= best[0]:
            continue  # it cannot widen it, or beat the best so far
        found = high - model.smallest()
        if found >= ceiling:
            return found, options[i]
        if found > best[0]:
            best = found, options[i]
    return best if best[1] else None


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
