"""Repeat victims and suspects (issue 17), against a fixture worked by hand: seven offences,
one before the period (January to March 2021) for the 12-month lookback."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from stalking_profile.measures import repeats

START, END, DATA_START = date(2021, 1, 1), date(2021, 3, 1), date(2020, 1, 1)
ROWS = [  # recorded, DA, victim, suspect
    (date(2020, 6, 15), True, "V1", "S1"),
    (date(2021, 1, 10), True, "V1", "S1"),
    (date(2021, 1, 20), False, "V2", "S2"),
    (date(2021, 2, 5), True, "V1", "S1"),
    (date(2021, 2, 25), False, "V3", "S2"),
    (date(2021, 3, 1), True, "V4", None),
    (date(2021, 3, 15), False, "V2", "S3"),
]
OFFENCES = pl.DataFrame(
    {
        "recorded_date": [r[0] for r in ROWS],
        "recorded_month": [r[0].replace(day=1) for r in ROWS],
        "is_domestic": [r[1] for r in ROWS],
        "victim_id": [r[2] for r in ROWS],
        "suspect_id": [r[3] for r in ROWS],
    }
)


def test_repeat_victims_and_suspects_in_the_period_by_hand():
    summary = {
        row["category"]: row
        for row in repeats.repeat_summary(OFFENCES, START, END).iter_rows(named=True)
    }
    # All: V1 and V2 have two offences each in the period, V3 and V4 one; S1 and S2 two, S3 one.
    assert summary["all"] == {
        "category": "all",
        "offences": 6,
        "offences_with_victim": 6,
        "victims": 4,
        "repeat_victims": 2,
        "repeat_victim_share": 0.5,
        "offences_repeat_victim": 4,
        "suspects": 3,
        "repeat_suspects": 2,
        "offences_with_suspect": 5,
        "offences_repeat_suspect": 4,
        "repeat_suspect_share": 0.8,
    }
    # DA only: V1 twice (S1), V4 once with no suspect.
    assert summary["domestic"]["repeat_victims"] == 1
    assert summary["domestic"]["repeat_suspect_share"] == 1.0
    # Non-DA: V2 twice (S2 then S3), V3 once (S2): S2 is a repeat suspect, S3 is not.
    assert summary["non_domestic"]["offences_repeat_suspect"] == 2
    assert summary["non_domestic"]["repeat_suspect_share"] == pytest.approx(2 / 3)


def test_an_offence_with_no_victim_key_counts_in_offences_only():
    no_victim = pl.DataFrame(
        {"recorded_date": [date(2021, 2, 1)], "recorded_month": [date(2021, 2, 1)]}
        | {"is_domestic": [True], "victim_id": [None], "suspect_id": ["S9"]},
        schema=OFFENCES.schema,
    )
    both = pl.concat([OFFENCES, no_victim])
    row = repeats.repeat_summary(both, START, END).row(0, named=True)
    assert (row["offences"], row["offences_with_victim"], row["victims"]) == (7, 6, 4)
    # victims - repeat victims + offences against a repeat victim = offences with a victim key
    assert row["victims"] - row["repeat_victims"] + row["offences_repeat_victim"] == 6
    assert row["suspects"] - row["repeat_suspects"] + row["offences_repeat_suspect"] == 6


def test_repeats_within_12_months_count_the_offence_before_the_period():
    monthly = repeats.monthly_repeats(OFFENCES, START, END, DATA_START)
    assert monthly["offences"].to_list() == [2, 2, 2]
    # January: V1/S1 had an offence 209 days before; V2/S2 none.
    assert monthly["repeat_victim_12m"].to_list() == [1, 1, 1]
    assert monthly["repeat_suspect_12m"].to_list() == [1, 2, 0]
    assert monthly["with_suspect"].to_list() == [2, 2, 1]
    assert monthly["repeat_suspect_share"].to_list() == [0.5, 1.0, 0.0]
    assert monthly["full_lookback"].to_list() == [True, True, True]


def test_months_whose_lookback_starts_before_the_data_are_flagged():
    late_start = repeats.monthly_repeats(OFFENCES, START, END, date(2020, 6, 1))
    assert late_start["full_lookback"].to_list() == [False, False, False]


def test_days_between_a_suspects_offences_by_hand():
    gaps = {
        r["category"]: r
        for r in repeats.days_between_offences(OFFENCES, START, END).iter_rows(named=True)
    }
    # S1: 10 Jan -> 5 Feb, 26 days; S2: 20 Jan -> 25 Feb, 36 days; S3 has one offence.
    assert (gaps["all"]["gaps"], gaps["all"]["median_days"]) == (2, 31.0)
    # quartiles by linear interpolation: 26 + 0.25 x 10 and 26 + 0.75 x 10
    assert (gaps["all"]["lower_quartile_days"], gaps["all"]["upper_quartile_days"]) == (28.5, 33.5)
    assert (gaps["domestic"]["gaps"], gaps["domestic"]["median_days"]) == (1, 26.0)
    assert (gaps["non_domestic"]["gaps"], gaps["non_domestic"]["median_days"]) == (1, 36.0)


def test_the_quartiles_of_days_between_offences_lie_between_the_gaps():
    """Helper 63's finding: of gaps of 19, 32 and 180 days the table gave a lower quartile of
    32, the median itself, which no quartile definition gives (the "nearest" method rounded a
    half-way place up). By linear interpolation, as the time to an order: the lower quartile
    is halfway from 19 to 32, 25.5; the upper halfway from 32 to 180, 106."""
    days = [date(2021, 1, 1), date(2021, 1, 20), date(2021, 2, 21), date(2021, 8, 20)]
    one_suspect = pl.DataFrame(
        {
            "recorded_date": days,
            "recorded_month": [d.replace(day=1) for d in days],
            "is_domestic": [True] * 4,
            "victim_id": ["V1"] * 4,
            "suspect_id": ["S1"] * 4,
        }
    )
    gaps = repeats.days_between_offences(one_suspect, date(2021, 1, 1), date(2021, 12, 1))
    every = gaps.filter(pl.col("category") == "all").row(0, named=True)
    assert every["gaps"] == 3 and every["median_days"] == 32
    assert (every["lower_quartile_days"], every["upper_quartile_days"]) == (25.5, 106)
    nothing = gaps.filter(pl.col("category") == "non_domestic").row(0, named=True)
    assert nothing["gaps"] == 0 and nothing["median_days"] is None


def test_serial_perpetrators_by_the_matac_definition():
    """S2 offended against V2 and V3 within 3 years: serial. S1 (V1 only) and S3 (V2) are not."""
    serial = repeats.serial_perpetrators(OFFENCES, START, END, DATA_START).row(0, named=True)
    assert serial == {
        "suspects": 3,
        "serial_suspects": 1,
        "offences_by_serial": 2,
        "offences_with_suspect": 5,
        "serial_share": 0.4,
        "window_start": date(2018, 4, 1),
        "full_window": False,  # the data start in 2020: earlier victims may be missed
    }
    three = repeats.serial_perpetrators(OFFENCES, START, END, DATA_START, victims=3)
    assert three["serial_suspects"][0] == 0
    one_year = repeats.serial_perpetrators(OFFENCES, START, END, DATA_START, years=1)
    assert one_year.row(0, named=True)["full_window"] is True


def test_a_period_longer_than_the_window_counts_victims_within_any_window_of_it():
    """A helper agent's trial: for April 2018 to January 2022 the one window of 3 years was
    the last, so a suspect with two victims earlier in the period was not serial (697 shown,
    776 by the definition). By hand, a 1-year window over 2021: S1's V1 (January) and V2
    (June) fall within a year, S2's V3 (February) and V4 (the next March) do not, and S3's
    V5 and V6 in one month do; S4's V7 (December 2020) is before the first window, which for a
    period longer than the window starts with the period, so V8 (June 2021) is S4's one."""
    rows = [
        (date(2020, 12, 5), "V7", "S4"),
        (date(2021, 1, 10), "V1", "S1"),
        (date(2021, 6, 10), "V2", "S1"),
        (date(2021, 2, 10), "V3", "S2"),
        (date(2022, 3, 10), "V4", "S2"),
        (date(2021, 9, 1), "V5", "S3"),
        (date(2021, 9, 20), "V6", "S3"),
        (date(2021, 6, 1), "V8", "S4"),
    ]
    offences = pl.DataFrame(
        {
            "recorded_date": [r[0] for r in rows],
            "recorded_month": [r[0].replace(day=1) for r in rows],
            "is_domestic": [True] * len(rows),
            "victim_id": [r[1] for r in rows],
            "suspect_id": [r[2] for r in rows],
        }
    )
    start, end = date(2021, 1, 1), date(2022, 3, 1)  # 15 months, longer than 1 year
    serial = repeats.serial_perpetrators(offences, start, end, date(2020, 1, 1), years=1)
    row = serial.row(0, named=True)
    assert (row["suspects"], row["serial_suspects"], row["offences_by_serial"]) == (4, 2, 4)
    # S1 and S3; S4's December 2020 offence is outside every window (the first: 2021), and
    # S2's two are 13 months apart
    assert row["window_start"] == date(2021, 1, 1)
    shorter = repeats.serial_perpetrators(
        offences, start, date(2021, 12, 1), date(2020, 1, 1), 2, 1
    )
    assert shorter.row(0, named=True)["serial_suspects"] == 2  # one window: 2021, as before


def test_two_offences_on_one_day_are_each_a_repeat():
    """An audit: a victim's two offences on 5 March 2021 (and none before) counted one repeat
    within 12 months; the definition takes the same day as "before", so both are."""
    same_day = pl.DataFrame(
        {
            "recorded_date": [date(2021, 3, 5)] * 2 + [date(2021, 3, 9)],
            "recorded_month": [date(2021, 3, 1)] * 3,
            "is_domestic": [True] * 3,
            "victim_id": ["V1", "V1", "V2"],
            "suspect_id": ["S1", "S1", None],
        }
    )
    monthly = repeats.monthly_repeats(same_day, date(2021, 3, 1), date(2021, 3, 1), DATA_START)
    assert monthly.select("offences", "repeat_victim_12m", "repeat_suspect_12m").row(0) == (3, 2, 2)


def test_a_shorter_serial_window_still_looks_back_twelve_months(demo_gateway):
    """An audit: with STALKING_PROFILE_SERIAL_YEARS=1 the offences were read from 11 months
    before the period, so January 2022's repeats within 12 months read 29 victims, not 33, while
    the month said its look-back was whole."""
    from stalking_profile import panels
    from stalking_profile.filters import ProfileFilter

    flt = ProfileFilter(date(2022, 1, 1), date(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    one = panels.repeats_panel(demo_gateway, flt, 2, 1).monthly
    three = panels.repeats_panel(demo_gateway, flt, 2, 3).monthly
    assert one["repeat_victim_12m"].to_list() == three["repeat_victim_12m"].to_list() == [33]
