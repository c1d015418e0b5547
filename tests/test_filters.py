"""The global filter: periods, the previous period, defaults and validation."""

from __future__ import annotations

from datetime import date

import pytest

from stalking_profile.filters import ProfileFilter, add_months, default_filter, parse_month

ALL = ("BD", "CD", "KD", "LD", "WD")


def test_previous_period_has_equal_length_and_ends_before() -> None:
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ALL)
    assert flt.months == 12
    previous = flt.previous()
    assert (previous.start_month, previous.end_month) == (date(2019, 10, 1), date(2020, 9, 1))
    three = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ALL).previous()
    assert (three.start_month, three.end_month) == (date(2020, 10, 1), date(2020, 12, 1))


def test_default_is_latest_12_complete_months() -> None:
    # extract on the last day of January: January is complete
    flt = default_filter(date(2018, 4, 1), date(2022, 1, 31), ALL)
    assert (flt.start_month, flt.end_month) == (date(2021, 2, 1), date(2022, 1, 1))
    # extract mid-month: that month is incomplete
    flt = default_filter(date(2018, 4, 1), date(2022, 1, 15), ALL)
    assert (flt.start_month, flt.end_month) == (date(2021, 1, 1), date(2021, 12, 1))
    # short data: the period starts at the first month
    flt = default_filter(date(2021, 6, 1), date(2021, 9, 30), ALL)
    assert (flt.start_month, flt.end_month) == (date(2021, 6, 1), date(2021, 9, 1))
    assert (flt.domestic, flt.offence_types, flt.districts) == ("all", ("stalking",), ALL)


def test_invalid_filters_are_rejected() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        ProfileFilter(date(2021, 3, 1), date(2021, 1, 1), ALL)
    with pytest.raises(ValueError, match="first day"):
        ProfileFilter(date(2021, 1, 2), date(2021, 3, 1), ALL)
    with pytest.raises(ValueError, match="offence types"):
        ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ALL, offence_types=("burglary",))
    with pytest.raises(ValueError, match="domestic"):
        ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ALL, domestic="maybe")  # type: ignore[arg-type]


def test_months_arithmetic() -> None:
    assert add_months(date(2021, 1, 1), -1) == date(2020, 12, 1)
    assert add_months(date(2020, 12, 1), 14) == date(2022, 2, 1)
    assert parse_month("2020-10") == date(2020, 10, 1)
    with pytest.raises(ValueError):
        parse_month("October")


def test_filter_is_hashable_and_describable() -> None:
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD",), domestic="non_domestic")
    assert hash(flt) == hash(
        ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD",), domestic="non_domestic")
    )
    assert flt.describe() == "Stalking, Non-DA, BD, Oct 2020 to Sep 2021"
    assert flt.sql_params(11)["start_month"] == date(2019, 11, 1)


def test_one_month_is_written_once():
    """A user trial: captions and a pack's findings read "Sep 2021 to Sep 2021"."""
    one = ProfileFilter(date(2021, 9, 1), date(2021, 9, 1), ("CD",))
    assert one.describe() == "Stalking, DA and non-DA, CD, Sep 2021"
    assert ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",)).period_text == (
        "Jul 2021 to Sep 2021"
    )
