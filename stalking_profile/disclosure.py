"""Secondary suppression for additive tables, with an attacker's audit.

Primary suppression hides counts from 1 to the threshold - 1; a table that also publishes its
totals still gives a hidden cell back by subtraction (a district from the force total, DA from
all and non-DA). Here a table is cells plus the totals published with them: every linear
equation between published and hidden values is known to an attacker. `audit` solves, for each
hidden cell, the smallest and largest value consistent with everything published (two linear
programmes, HiGHS through SciPy); `protect` adds secondary suppressions until every primary
cell's interval is at least `margin` wide.

A table is given as interior cells (rows x columns) with optional hidden extra columns (counts
that belong in the totals but are not shown, such as districts not selected), its row totals,
column totals and grand total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


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

    def equations(self) -> list[list[tuple[int, int]]]:
        """Each additive relation as the cells that sum to the last one (full-table indices)."""
        rows, columns = self.cells.shape
        relations = [[(i, j) for j in range(columns)] + [(i, columns)] for i in range(rows + 1)]
        relations += [[(i, j) for i in range(rows)] + [(rows, j)] for j in range(columns + 1)]
        return relations


def _never_published(table: AdditiveTable) -> set[tuple[int, int]]:
    rows, columns = table.cells.shape
    return {(i, j) for i in range(rows + 1) for j in range(columns - table.unshown, columns)}


def audit(
    table: AdditiveTable, hidden: set[tuple[int, int]]
) -> dict[tuple[int, int], tuple[float, float]]:
    """For every hidden cell (full-table index), the interval of values an attacker who knows
    every published cell and every additive relation (and that counts are not negative) can
    narrow it to."""
    unknown = sorted(hidden | _never_published(table))
    if not unknown:
        return {}
    index = {cell: k for k, cell in enumerate(unknown)}
    full = table.full
    equalities, rhs = [], []
    for relation in table.equations():
        *parts, total = relation
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * full[cell]
        if row.any():
            equalities.append(row)
            rhs.append(-constant)
    bounds = [(0, None)] * len(unknown)
    intervals = {}
    for cell in sorted(hidden):
        objective = np.zeros(len(unknown))
        objective[index[cell]] = 1.0
        low = linprog(objective, A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        upper = np.inf if high.status == 3 else -high.fun  # 3: unbounded
        intervals[cell] = (float(low.fun), float(upper))
    return intervals


def primary(table: AdditiveTable, below: int) -> set[tuple[int, int]]:
    """Published cells (totals included) holding a count from 1 to `below` - 1."""
    full = table.full
    never = _never_published(table)
    return {
        (int(i), int(j))
        for i, j in zip(*np.nonzero((full >= 1) & (full < below)), strict=True)
        if (int(i), int(j)) not in never
    }


def protect(table: AdditiveTable, below: int, margin: int | None = None) -> set[tuple[int, int]]:
    """Primary suppressions plus the fewest-valued secondary ones (greedy) until the audit
    gives every primary cell an interval at least `margin` (default `below`) wide. Returns
    every cell to hide (full-table indices)."""
    margin = below if margin is None else margin
    first = primary(table, below)
    hidden = set(first)
    full = table.full
    never = _never_published(table)
    rows, columns = full.shape
    for _ in range(rows * columns):
        intervals = audit(table, hidden)
        exposed = [c for c in sorted(first) if intervals[c][1] - intervals[c][0] < margin]
        if not exposed:
            return hidden
        i, j = exposed[0]
        candidates = [
            (full[a, b], (a, b))
            for a, b in [(i, b) for b in range(columns)] + [(a, j) for a in range(rows)]
            if (a, b) not in hidden and (a, b) not in never and full[a, b] > 0
        ]
        if not candidates:
            candidates = [
                (full[a, b], (a, b))
                for a in range(rows)
                for b in range(columns)
                if (a, b) not in hidden and (a, b) not in never
            ]
        if not candidates:
            return hidden
        hidden.add(min(candidates)[1])
    return hidden
