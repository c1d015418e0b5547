"""What the demo force is calibrated to, and how its monthly stalking counts are derived.

The published West Yorkshire Stalking Problem Profile (February 2022) fixes:

- stalking offences by district x DA for two periods, 12 months to September 2020 and to
  September 2021 (`targets/spp_district_offences.csv`);
- force rolling 12-month totals of 1311 (to March 2020), 3286 (to September 2020), 4818
  (to March 2021), 6129 (to September 2021) and "now stands at 6,620" (to January 2022).

Those windows cut the months April 2019 - January 2022 into segments. The segment totals that
the figures do not fix are free choices, documented here; every other segment total is
derived from the published figures, so the demo reproduces them exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources

import numpy as np

DISTRICT_CODES: tuple[str, ...] = ("BD", "CD", "KD", "LD", "WD")
FIRST_MONTH = date(2018, 4, 1)
EXTRACT_DATE = date(2022, 1, 31)
RULE_CHANGE_MONTH_INDEX = 24  # April 2020: former-partner harassment recorded as stalking

# Segments of the month index (0 = April 2018), [start, end) in months.
SEGMENTS: tuple[tuple[int, int], ...] = (
    (0, 12),  # S0 Apr 2018 - Mar 2019 (before any published window)
    (12, 18),  # S1 Apr 2019 - Sep 2019
    (18, 24),  # S2 Oct 2019 - Mar 2020
    (24, 30),  # S3 Apr 2020 - Sep 2020
    (30, 34),  # S4 Oct 2020 - Jan 2021
    (34, 36),  # S5 Feb 2021 - Mar 2021
    (36, 42),  # S6 Apr 2021 - Sep 2021
    (42, 46),  # S7 Oct 2021 - Jan 2022
)
ROLLING_TARGETS: dict[str, int] = {
    "2020-03": 1311,  # S1 + S2
    "2020-09": 3286,  # S2 + S3 (= the district table's earlier period)
    "2021-03": 4818,  # S3 + S4 + S5
    "2021-09": 6129,  # S4 + S5 + S6 (= the district table's later period)
    "2022-01": 6620,  # S5 + S6 + S7 ("now stands at 6,620")
}

# Free choices (monthly rates): non-domestic stalking grows gradually (the profile: "non-DA
# stalking has increased but at a much more gradual and consistent rate"); domestic stalking is
# about 70-80 a month before the April 2020 counting-rule change.
NON_DOMESTIC_FREE_RATES: dict[int, float] = {0: 22, 1: 25, 2: 26, 4: 36, 5: 37, 7: 41}
DOMESTIC_FREE_RATES: dict[int, float] = {0: 70, 1: 78, 5: 345}


def _targets_csv(name: str) -> list[dict[str, str]]:
    text = (
        resources.files("stalking_profile")
        .joinpath(f"reference/targets/{name}")
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class DistrictTargets:
    """Published stalking offences per district for the two 12-month periods, by DA."""

    to_sep_2020: dict[tuple[str, bool], int]
    to_sep_2021: dict[tuple[str, bool], int]


def district_targets() -> DistrictTargets:
    """The district table of the profile (Wakefield domestic to September 2021 = 833)."""
    earlier: dict[tuple[str, bool], int] = {}
    later: dict[tuple[str, bool], int] = {}
    for row in _targets_csv("spp_district_offences.csv"):
        key = (row["district"], row["domestic"] == "true")
        (later if row["period_end"] == "2021-09-30" else earlier)[key] = int(row["offences"])
    return DistrictTargets(to_sep_2020=earlier, to_sep_2021=later)


def outcome_targets(domestic: bool) -> list[dict[str, str]]:
    """The published outcome table rows (code, label, one column per district, force)."""
    name = "spp_outcomes_domestic.csv" if domestic else "spp_outcomes_non_domestic.csv"
    return _targets_csv(name)


def segment_totals() -> dict[bool, list[int]]:
    """Force stalking totals per segment for domestic (True) and non-domestic (False).

    Free segments come from the rates above; the rest are solved from the published windows.
    """
    targets = district_targets()
    lengths = [end - start for start, end in SEGMENTS]
    w2 = {
        da: sum(v for (_, d), v in targets.to_sep_2020.items() if d == da) for da in (True, False)
    }
    w4 = {
        da: sum(v for (_, d), v in targets.to_sep_2021.items() if d == da) for da in (True, False)
    }

    non = {i: round(rate * lengths[i]) for i, rate in NON_DOMESTIC_FREE_RATES.items()}
    non[3] = w2[False] - non[2]
    non[6] = w4[False] - non[4] - non[5]

    dom = {i: round(rate * lengths[i]) for i, rate in DOMESTIC_FREE_RATES.items()}
    dom[2] = ROLLING_TARGETS["2020-03"] - non[1] - non[2] - dom[1]
    dom[3] = w2[True] - dom[2]
    dom[4] = ROLLING_TARGETS["2021-03"] - non[3] - non[4] - non[5] - dom[3] - dom[5]
    dom[6] = w4[True] - dom[4] - dom[5]
    dom[7] = ROLLING_TARGETS["2022-01"] - non[5] - non[6] - non[7] - dom[5] - dom[6]

    result = {True: [dom[i] for i in range(8)], False: [non[i] for i in range(8)]}
    for values in result.values():
        if min(values) <= 0:
            raise ValueError(f"calibration gives a non-positive segment total: {values}")
    return result


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to `weights` that add up to exactly `total` (Hamilton's method)."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=np.int64)
    quotas = weights / weights.sum() * total
    whole = np.floor(quotas).astype(np.int64)
    short = int(total - whole.sum())
    order = np.argsort(-(quotas - whole), kind="stable")
    whole[order[:short]] += 1
    return whole


def split_rows(row_totals: np.ndarray, column_totals: list[int]) -> np.ndarray:
    """A non-negative integer matrix with the given row and column sums (rows x columns)."""
    remaining = np.asarray(row_totals, dtype=np.int64).copy()
    if remaining.sum() != sum(column_totals):
        raise ValueError("row and column totals differ")
    matrix = np.zeros((len(remaining), len(column_totals)), dtype=np.int64)
    for j, column_total in enumerate(column_totals[:-1]):
        share = column_total / max(sum(column_totals[j:]), 1)
        matrix[:, j] = largest_remainder(remaining * share, column_total)
        remaining = remaining - matrix[:, j]
    matrix[:, -1] = remaining
    if (matrix < 0).any() or list(matrix.sum(axis=0)) != list(column_totals):
        raise ValueError("could not split the totals into non-negative integers")
    return matrix
