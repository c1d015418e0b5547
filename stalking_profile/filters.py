"""The global filter every page obeys: period, districts, DA / non-DA, offence type.

One immutable object, hashable (so Streamlit can cache by it), convertible to and from the
page address (query parameters) so that a view can be bookmarked and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, get_args

import polars as pl

from stalking_profile.contract import OFFENCE_TYPES

Domestic = Literal["all", "domestic", "non_domestic"]
DOMESTIC_KEYS: tuple[Domestic, ...] = get_args(Domestic)  # every DA choice, "all" first
# The one map from DA codes to the words users read (sidebar, captions, tables, charts, files).
DOMESTIC_CHOICES: dict[str, str] = {
    "all": "DA and non-DA",
    "domestic": "DA",
    "non_domestic": "Non-DA",
}


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


ROLLING_MONTHS = 12  # the rolling window and the problem profile's period: "the 12 months to"


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from `first` to `last` inclusive (empty if last < first):
    the one month grid that zero-filled series are built on.

    >>> months_between(date(2020, 11, 1), date(2021, 1, 1))
    [datetime.date(2020, 11, 1), datetime.date(2020, 12, 1), datetime.date(2021, 1, 1)]
    """
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def twelve_months_to(end: date) -> date:
    """The first month of the rolling window ending with `end`."""
    return add_months(end, -(ROLLING_MONTHS - 1))


def month_label(month: date) -> str:
    """E.g. 'Oct 2020'."""
    return month.strftime("%b %Y")


def parse_month(text: str) -> date:
    """'2020-10' or '2020-10-01' to the first of that month; ValueError otherwise."""
    parts = text.strip().split("-")
    if len(parts) < 2:
        raise ValueError(f"not a month: {text!r} (expected YYYY-MM)")
    return date(int(parts[0]), int(parts[1]), 1)


@dataclass(frozen=True)
class ProfileFilter:
    """Offences recorded from `start_month` to `end_month` inclusive (by recorded date), in
    `districts`, of the `offence_types`, DA / non-DA / all."""

    start_month: date
    end_month: date
    districts: tuple[str, ...]
    domestic: Domestic = "all"
    offence_types: tuple[str, ...] = ("stalking",)

    def __post_init__(self) -> None:
        if self.start_month.day != 1 or self.end_month.day != 1:
            raise ValueError("months are given by their first day")
        if self.end_month < self.start_month:
            raise ValueError("the period ends before it starts")
        if self.domestic not in DOMESTIC_CHOICES:
            raise ValueError(f"domestic must be one of {list(DOMESTIC_CHOICES)}")
        unknown = set(self.offence_types) - set(OFFENCE_TYPES)
        if unknown or not self.offence_types:
            raise ValueError(f"offence types must be among {OFFENCE_TYPES}")

    @property
    def months(self) -> int:
        """Length of the period in months."""
        return (
            (self.end_month.year - self.start_month.year) * 12
            + (self.end_month.month - self.start_month.month)
            + 1
        )

    def previous(self) -> ProfileFilter:
        """The same filter over the equal-length period immediately before."""
        return replace(
            self,
            start_month=add_months(self.start_month, -self.months),
            end_month=add_months(self.start_month, -1),
        )

    def comparison(self, first_month: date) -> Comparison:
        """This period against the equal period before it, like for like when the data start
        (`first_month`) inside the period before: both periods are then cut to the months
        whose earlier twin is in the data, and said so; with no such month there is none.

        >>> f = ProfileFilter(date(2019, 1, 1), date(2019, 12, 1), ("A",))
        >>> c = f.comparison(date(2018, 4, 1))
        >>> (c.current.start_month, c.previous.start_month, c.previous.end_month, c.like_for_like)
        (datetime.date(2019, 4, 1), datetime.date(2018, 4, 1), datetime.date(2018, 12, 1), True)
        >>> f.comparison(date(2019, 1, 1)).previous is None
        True
        """
        return self._compared_with(self.months, first_month, year_earlier=False)

    def year_earlier(self, first_month: date) -> Comparison | None:
        """This period against the same months a year earlier (a seasonal fall is no fall
        there), like for like where the data start (`first_month`) inside the year-earlier
        months; None for a period of 12 months or more, whose equal period before already is
        a year earlier (12 months) or overlaps it (more).

        >>> f = ProfileFilter(date(2020, 11, 1), date(2021, 1, 1), ("A",))
        >>> c = f.year_earlier(date(2018, 4, 1))
        >>> (c.previous.start_month, c.previous.end_month, c.year_earlier)
        (datetime.date(2019, 11, 1), datetime.date(2020, 1, 1), True)
        >>> f.with_period(date(2020, 2, 1), date(2021, 1, 1)).year_earlier(date(2018, 4, 1))
        """
        if self.months >= ROLLING_MONTHS:
            return None
        return self._compared_with(ROLLING_MONTHS, first_month, year_earlier=True)

    def _compared_with(self, back: int, first_month: date, year_earlier: bool) -> Comparison:
        """This period against itself `back` months earlier, cut like for like where the data
        start (`first_month`) inside the earlier period."""
        earlier = replace(
            self,
            start_month=add_months(self.start_month, -back),
            end_month=add_months(self.end_month, -back),
        )
        if earlier.start_month >= first_month:
            return Comparison(self, earlier, False, year_earlier)
        start = add_months(first_month, back)
        if start > self.end_month:
            return Comparison(self, None, False, year_earlier)
        return Comparison(
            self.with_period(start, self.end_month),
            earlier.with_period(first_month, earlier.end_month),
            True,
            year_earlier,
        )

    def with_period(self, start_month: date, end_month: date) -> ProfileFilter:
        return replace(self, start_month=start_month, end_month=end_month)

    def with_districts(self, districts: tuple[str, ...]) -> ProfileFilter:
        """The same filter over other districts (e.g. every district, for force figures)."""
        return replace(self, districts=tuple(districts))

    def sql_params(self, lookback_months: int = 0) -> dict[str, Any]:
        """Bound parameters for the named queries (period optionally extended backwards)."""
        return {
            "start_month": add_months(self.start_month, -lookback_months),
            "end_month": self.end_month,
            "districts": list(self.districts),
            "offence_types": list(self.offence_types),
        }

    def slug(self, all_districts: tuple[str, ...] = ()) -> str:
        """A file-name-safe summary, e.g. '2020-10_2021-09_BD-CD_non-da_stalking'."""
        districts = (
            "all-districts"
            if set(self.districts) == set(all_districts)
            else "-".join(self.districts)
        )
        return "_".join(
            [
                self.start_month.strftime("%Y-%m"),
                self.end_month.strftime("%Y-%m"),
                districts,
                DOMESTIC_CHOICES[self.domestic].lower().replace(" ", "-"),
                "-".join(self.offence_types),
            ]
        )

    def describe(self, districts: str | None = None) -> str:
        """One line for captions and file names' context; `districts`: what to call the
        filter's districts (a pack of the whole force: "all districts"), else their codes."""
        types = " and ".join(self.offence_types)
        named = districts or ", ".join(self.districts) or "no districts"
        return (
            f"{types.capitalize()}, {DOMESTIC_CHOICES[self.domestic]}, {named}, {self.period_text}"
        )

    @property
    def last_day(self) -> date:
        """The period's last day: the end month's last."""
        return add_months(self.end_month, 1) - timedelta(days=1)

    @property
    def period_text(self) -> str:
        """The period in words: 'Oct 2020 to Sep 2021', or one month alone ('Sep 2021', not
        'Sep 2021 to Sep 2021')."""
        if self.start_month == self.end_month:
            return month_label(self.end_month)
        return f"{month_label(self.start_month)} to {month_label(self.end_month)}"


def last_month_on_offer(first_month: date, extract_date: date) -> date:
    """The last month a period may end in: the extract's latest complete month, or the first
    month if it holds none. It may come after the last recorded offence (an extract's
    outcomes run past it, so a period may end in months with no offence recorded yet), or
    before it: a month the extract covers only in part would be counted as whole, its
    monthly bar, rolling total, SPC point and change on the previous period all too low.

    >>> last_month_on_offer(date(2018, 4, 1), date(2022, 1, 20))
    datetime.date(2021, 12, 1)
    """
    return max(first_month, latest_complete_month(extract_date))


def latest_complete_month(extract_date: date) -> date:
    """The last month wholly covered by an extract: the extract's month if the extract date is
    its last day, else the month before.

    >>> latest_complete_month(date(2022, 1, 31)), latest_complete_month(date(2022, 1, 30))
    (datetime.date(2022, 1, 1), datetime.date(2021, 12, 1))
    """
    extract_month = extract_date.replace(day=1)
    extract_month_end = add_months(extract_month, 1) - timedelta(days=1)
    return extract_month if extract_date >= extract_month_end else add_months(extract_month, -1)


@dataclass(frozen=True)
class Comparison:
    """What a period is compared with: `current` (the filter, or its months that have an
    earlier twin in the data), `previous` (None when the data hold none of the period before),
    whether the periods were cut to compare like for like, and whether `previous` is the same
    months a year earlier rather than the equal period just before."""

    current: ProfileFilter
    previous: ProfileFilter | None
    like_for_like: bool
    year_earlier: bool = False

    @property
    def earlier_period(self) -> str:
        """What the period is compared with, in words."""
        if not self.year_earlier:
            return "the equal period before"
        return f"the same {'month' if self.current.months == 1 else 'months'} a year earlier"

    def describe(self) -> str:
        """The comparison as a sentence, for captions and tooltips."""
        if self.previous is None and self.year_earlier:
            return "No comparison with a year earlier: the data hold none of those months."
        if self.previous is None:
            return f"No comparison: the data hold none of {self.earlier_period}."
        before = self.previous.period_text
        if not self.like_for_like:
            return f"Compared with {self.earlier_period}: {before}."
        return (
            f"Compared {'with a year earlier ' if self.year_earlier else ''}like for like: "
            f"{self.current.period_text} against {before}, because the "
            f"data start in {month_label(self.previous.start_month)}."
        )

    def days(self) -> tuple[int, int]:
        """Days in the compared current and previous periods (their exposure: a February has
        fewer days to record offences in than a March)."""
        if self.previous is None:
            return (0, 0)
        return (_days(self.current), _days(self.previous))

    @property
    def per_day(self) -> bool:
        """Whether the change is of offences per day (compares_per_day)."""
        return self.previous is not None and compares_per_day(self.days())

    @property
    def change_label(self) -> str:
        """The label of the change figure."""
        if self.year_earlier:
            if self.previous is None:
                return "Change on a year earlier: not in the data"
            label = "Change on a year earlier" + (", like for like" if self.like_for_like else "")
            return label + (", per day" if self.per_day else "")
        if self.previous is None:
            return "Change: no previous period in the data"
        label = "Change, like for like" if self.like_for_like else "Change on previous period"
        return label + (", per day" if self.per_day else "")


def compares_per_day(days: tuple[int, int]) -> bool:
    """Whether two periods of these lengths in days (current, previous) are compared per day:
    where they differ by more than 1% (February's 29 days against January's 31: 108 offences
    against 94 is +14.9%, and +22.8% a day, which the test and interval are of). Years differ
    by a day at most (0.3%), and compare their counts, as the problem profile does.

    >>> compares_per_day((29, 31)), compares_per_day((365, 366)), compares_per_day((0, 0))
    (True, False, False)
    """
    return max(days) > 0 and abs(days[0] - days[1]) > 0.01 * max(days)


def _days(flt: ProfileFilter) -> int:
    return (add_months(flt.end_month, 1) - flt.start_month).days


def default_filter(
    first_month: date, extract_date: date, districts: tuple[str, ...]
) -> ProfileFilter:
    """The latest 12 complete months of the data (a month is complete if the extract date is
    its last day or later), all districts, DA and non-DA, stalking."""
    end = max(first_month, latest_complete_month(extract_date))
    start = max(first_month, twelve_months_to(end))
    return ProfileFilter(start_month=start, end_month=end, districts=districts)


def apply_domestic(counts: pl.DataFrame, domestic: Domestic) -> pl.DataFrame:
    """Keep the DA, non-DA or all rows of a frame with an `is_domestic` column."""
    if domestic == "domestic":
        return counts.filter(pl.col("is_domestic"))
    if domestic == "non_domestic":
        return counts.filter(~pl.col("is_domestic"))
    return counts
