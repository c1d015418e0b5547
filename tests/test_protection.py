"""Civil orders, breaches and victim contact (issue 17): the measures against fixtures worked
by hand, the importer across two imports, validation of hostile rows, and the demo force."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from stalking_profile import contract, protection_panels, queries
from stalking_profile.access import Access, AccessDenied, Role
from stalking_profile.db import Gateway, connect
from stalking_profile.filters import ProfileFilter, add_months
from stalking_profile.importing.load import import_file
from stalking_profile.importing.validate import polars_type
from stalking_profile.measures import contact, orders
from tests.conftest import EXTRACT_DISTRICTS, as_read, extract_like_offences, import_texts

START, END, EXTRACT = date(2021, 1, 1), date(2021, 12, 31), date(2022, 1, 31)
D = date
ORDER_ROWS = [
    # id, type, subject, district, applied, interim, granted, refused, expiry, discharged, status
    ("O1", "SPO", "S1", "A", D(2020, 11, 10), D(2020, 11, 15), D(2021, 2, 1), None, D(2023, 2, 1), None, "granted"),
    ("O2", "SPO", "S2", "A", D(2021, 3, 1), None, None, D(2021, 4, 15), None, None, "refused"),
    ("O3", "RO", "S3", "B", D(2021, 5, 1), None, D(2021, 5, 1), None, D(2021, 11, 1), None, "expired"),
    ("O4", "NMO", "S1", "B", D(2021, 6, 1), D(2021, 6, 1), D(2021, 7, 1), None, None, D(2021, 9, 1), "discharged"),
    ("O5", "DVPO", "S4", "A", D(2021, 12, 20), None, D(2021, 12, 21), None, D(2022, 1, 18), None, "expired"),
    ("O6", "SPO", "S8", "A", D(2021, 10, 1), None, None, None, None, None, "withdrawn"),
    ("O7", "SPO", "S9", "A", D(2021, 11, 1), D(2021, 11, 5), None, None, None, None, "interim"),
]  # fmt: skip
ORDERS = pl.DataFrame(
    [
        {
            "order_id": r[0],
            "order_type": r[1],
            "subject_id": r[2],
            "protected_id": None,
            "crime_ref": None,
            "applied_date": r[4],
            "interim_date": r[5],
            "granted_date": r[6],
            "refused_date": r[7],
            "expiry_date": r[8],
            "discharged_date": r[9],
            "status": r[10],
            "district_code": r[3],
        }
        for r in ORDER_ROWS
    ],
    schema={c.name: polars_type(c.dtype) for c in contract.CIVIL_ORDER.columns},
)
BREACHES = pl.DataFrame(
    [
        ("B1", "O1", D(2021, 3, 10), "C1", "1-charged", "Charged/Summonsed"),
        ("B2", "O1", D(2021, 6, 10), None, None, None),
        ("B3", "O3", D(2021, 10, 1), "C2", None, None),
        ("B4", "O1", D(2020, 12, 1), None, None, None),
    ],
    schema=["breach_id", "order_id", "breach_date", "crime_ref", "outcome_key", "outcome_group"],
    orient="row",
)


def _by_type(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["order_type"]: row for row in frame.iter_rows(named=True)}


def test_orders_in_the_period_by_hand():
    activity = _by_type(orders.order_activity(ORDERS, START, END))
    # SPO: O2, O6, O7 applied in 2021; O7's interim (O1's was in 2020); O1 made full in
    # February; O2 refused; O6 withdrawn; O1 in force on 31 December; O7 on an interim order.
    assert activity["SPO"] == {
        "order_type": "SPO",
        "applied": 3,
        "interim": 1,
        "granted": 1,
        "refused": 1,
        "withdrawn": 1,
        "in_force_end": 1,
        "interim_in_force_end": 1,
        "expired": 0,
        "discharged": 0,
    }
    assert activity["RO"]["expired"] == 1 and activity["RO"]["in_force_end"] == 0
    assert activity["NMO"]["discharged"] == 1 and activity["NMO"]["in_force_end"] == 0
    assert activity["DVPO"]["in_force_end"] == 1  # made 21 December, expires 18 January
    every = activity[orders.ALL_TYPES]
    assert (every["applied"], every["granted"], every["in_force_end"]) == (6, 4, 2)
    assert list(activity) == ["SPO", "RO", "NMO", "DVPO", orders.ALL_TYPES]


def test_orders_by_month_count_applications_grants_and_orders_in_force():
    months = [D(2021, 1, 1), D(2021, 2, 1), D(2021, 12, 1)]
    spo = orders.orders_by_month(ORDERS, months).filter(pl.col("order_type") == "SPO")
    assert spo["applied"].to_list() == [0, 0, 0]
    assert spo["granted"].to_list() == [0, 1, 0]
    assert spo["in_force"].to_list() == [0, 1, 1]  # O1 in force from 1 February


def test_take_up_per_100_offences_by_hand():
    offences = pl.DataFrame({"district_code": ["A", "B"], "offences": [100, 50]})
    rows = {
        (r["district_code"], r["order_type"]): r
        for r in orders.take_up(ORDERS, offences, START, END).iter_rows(named=True)
    }
    # A applied for O2, O6, O7 (SPO) and O5 (DVPO); B for O3 (RO) and O4 (NMO).
    assert rows[("A", "SPO")]["applications"] == 3
    assert rows[("A", "SPO")]["per_100"] == pytest.approx(3.0)
    assert rows[("A", orders.ALL_TYPES)]["per_100"] == pytest.approx(4.0)
    assert rows[("B", "SPO")]["applications"] == 0
    assert rows[("B", orders.ALL_TYPES)]["per_100"] == pytest.approx(4.0)


def test_time_to_order_by_hand():
    times = _by_type(orders.time_to_order(ORDERS, START, END))
    # O7 awaits its full hearing: 4 days to its interim order, no full order yet.
    assert times["SPO"]["applications"] == 3 and times["SPO"]["pending"] == 1
    assert times["SPO"]["interim_days_median"] == 4 and times["SPO"]["full_days_n"] == 0
    # Full orders: O3 same day, O4 30 days, O5 1 day; interim: O4 same day, O7 4 days.
    every = times[orders.ALL_TYPES]
    assert every["full_days_n"] == 3 and every["full_days_median"] == 1
    assert every["interim_days_median"] == 2


def test_breaches_per_order_by_hand():
    summary = _by_type(orders.breach_summary(ORDERS, BREACHES, START, END, EXTRACT))
    # In force during 2021: O1, O7 (SPO), O3, O4, O5; B4 was in 2020.
    assert summary["SPO"]["orders_in_force"] == 2
    assert summary["SPO"]["breaches"] == 2 and summary["SPO"]["orders_breached"] == 1
    every = summary[orders.ALL_TYPES]
    assert (every["orders_in_force"], every["breaches"], every["orders_breached"]) == (5, 3, 2)
    assert every["rate"] == pytest.approx(0.4)
    assert every["breaches_per_order"] == pytest.approx(0.6)


def test_time_to_first_breach_counts_unbreached_orders_only_while_followed():
    first = _by_type(orders.time_to_first_breach(ORDERS, BREACHES, START, END, EXTRACT))
    # Made in 2021: O3 (breached after 153 days), O4 (ended after 91 days), O5 (27 days),
    # O7 (87 days to the extract date). Kaplan-Meier: none breached within 90 days; O3, the
    # only order followed up to 153 days, was breached then, so the estimate is 100% from
    # then on (it read "no estimate" at 180 and 365 days).
    every = first[orders.ALL_TYPES]
    assert (every["orders"], every["breached"], every["median_days_to_breach"]) == (4, 1, 153)
    assert every["within_30"] == 0.0 and every["within_90"] == 0.0
    assert every["within_180"] == 1.0 and every["within_365"] == 1.0
    assert first["DVPO"]["within_30"] is None  # a 28-day order is never followed 30 days


def test_time_to_first_breach_has_no_rows_where_no_order_was_made():
    """Helper 63's finding: with no order made in the period the table gave an "All types" row
    of 0 orders, each share blank, under a note that blank means no order was followed that
    long. It now has no rows, and the page says no order was made (test_app)."""
    first = orders.time_to_first_breach(
        ORDERS, BREACHES, date(2030, 1, 1), date(2030, 12, 31), EXTRACT
    )
    assert first.is_empty()
    assert first.columns[:3] == ["order_type", "orders", "breached"]


def test_kaplan_meier_against_a_textbook_example():
    """Six follow-ups, events at 2, 4 and 6 days, censored at 3, 5 and 8: S(2) = 5/6,
    S(4) = 5/6 x 3/4, S(6) = 5/6 x 3/4 x 1/2."""
    import numpy as np

    days = np.array([2, 3, 4, 5, 6, 8])
    event = np.array([True, False, True, False, True, False])
    shares = orders.kaplan_meier(days, event, (1, 2, 4, 6, 8, 9))
    assert shares[0] == 0.0
    assert shares[1] == pytest.approx(1 / 6)
    assert shares[2] == pytest.approx(1 - 5 / 6 * 3 / 4)
    assert shares[3] == pytest.approx(1 - 5 / 6 * 3 / 4 / 2)
    assert shares[4] == pytest.approx(1 - 5 / 6 * 3 / 4 / 2)
    assert shares[5] is None


def test_kaplan_meier_is_100_percent_after_the_last_follow_up_if_it_was_an_event():
    """Helper 48's cases: orders breached at 0, 15 and 18 days are all breached within 30
    days (it read no estimate); one breached at 100 days beside two cut off at 50 and 80
    gives 100% within 180 days. Cut off last, beyond it is still no estimate."""
    import numpy as np

    assert orders.kaplan_meier(np.array([0, 15, 18]), np.array([True] * 3), (10, 30, 365)) == [
        pytest.approx(1 / 3),
        1.0,
        1.0,
    ]
    shares = orders.kaplan_meier(np.array([50, 80, 100]), np.array([False, False, True]), (180,))
    assert shares == [1.0]
    shares = orders.kaplan_meier(np.array([50, 100, 100]), np.array([True, True, False]), (180,))
    assert shares == [None]


def test_breach_outcomes_by_hand():
    table = orders.breach_outcomes(BREACHES, START, END)
    assert table["breach_outcome"].to_list() == [
        "Charged/Summonsed",
        "No offence recorded",
        "Open",
    ]
    assert table["breaches"].to_list() == [1, 1, 1]


def test_repeat_suspects_without_an_order_by_hand():
    offences = pl.DataFrame(
        [
            (D(2021, 3, 1), "A", "S1"),  # S1: two offences, an SPO applied in 2020
            (D(2021, 4, 1), "A", "S1"),
            (D(2021, 2, 1), "A", "S5"),  # S5: three offences, no order
            (D(2021, 8, 1), "A", "S5"),
            (D(2021, 9, 1), "B", "S5"),
            (D(2021, 5, 1), "B", "S6"),  # S6: one offence
            (D(2021, 12, 25), "A", "S4"),  # S4: two, a DVPO applied 20 December
            (D(2021, 12, 28), "A", "S4"),
            (D(2021, 6, 1), "A", None),
            (D(2020, 12, 15), "B", "S7"),  # S7: only one in the period
            (D(2021, 5, 5), "B", "S7"),
        ],
        schema=["recorded_date", "district_code", "suspect_id"],
        orient="row",
    )
    table = orders.repeat_suspects_without_order(offences, ORDERS, START, END)
    rows = {row["district_code"]: row for row in table.iter_rows(named=True)}
    assert (rows["A"]["repeat_suspect_offences"], rows["A"]["without_order"]) == (6, 2)
    assert (rows["B"]["repeat_suspect_offences"], rows["B"]["without_order"]) == (1, 1)
    assert rows["All"]["suspects_without_order"] == 1
    assert rows["All"]["rate"] == pytest.approx(3 / 7)


CONTACT_ROWS = [
    # crime, recorded, district, end, interval, contact
    ("K1", D(2021, 1, 10), "A", D(2021, 2, 20), 14, D(2021, 1, 20)),
    ("K1", D(2021, 1, 10), "A", D(2021, 2, 20), 14, D(2021, 2, 1)),
    ("K1", D(2021, 1, 10), "A", D(2021, 2, 20), 14, D(2021, 2, 14)),
    ("K2", D(2021, 1, 5), "A", D(2021, 3, 1), 28, D(2021, 1, 25)),
    ("K2", D(2021, 1, 5), "A", D(2021, 3, 1), 28, D(2021, 3, 10)),  # after the outcome
    ("K3", D(2021, 2, 1), "B", D(2021, 2, 20), 28, None),  # open, first update not yet due
    ("K4", D(2021, 2, 3), "B", D(2021, 3, 31), 7, None),  # open, no update in 8 weeks
    ("K5", D(2021, 2, 10), "B", D(2021, 3, 31), None, None),  # no agreement
]


def _contact_rows() -> pl.DataFrame:
    frame = pl.DataFrame(
        CONTACT_ROWS,
        schema=[
            "crime_ref",
            "recorded_date",
            "district_code",
            "end_date",
            "agreed_interval_days",
            "contact_date",
        ],
        orient="row",
    )
    return frame.with_columns(
        recorded_month=pl.col("recorded_date").dt.month_start(),
        has_outcome=pl.col("crime_ref").is_in(["K1", "K2"]),  # the others open
        extract_date=pl.lit(D(2021, 3, 31)),
    )


def test_contact_kept_by_offence_by_hand():
    per = {
        r["crime_ref"]: r for r in contact.contact_by_offence(_contact_rows()).iter_rows(named=True)
    }
    # K1: gaps 10, 12, 13 and 6 days, all within 14: kept.
    assert (per["K1"]["longest_gap_days"], per["K1"]["kept"]) == (13, True)
    # K2: 20 days to the first contact, then 35 to the outcome (the later contact is after it).
    assert (per["K2"]["longest_gap_days"], per["K2"]["contacts"], per["K2"]["kept"]) == (
        35,
        1,
        False,
    )
    assert per["K3"]["kept"] is True  # 19 days open, 28 agreed
    assert per["K4"]["kept"] is False  # 56 days open, 7 agreed
    assert per["K5"]["kept"] is None and per["K5"]["agreed"] is False


def test_contact_rates_by_district_and_month_by_hand():
    per = contact.contact_by_offence(_contact_rows())
    by_district = {
        r["district_code"]: r
        for r in contact.contact_rates(per, "district_code").iter_rows(named=True)
    }
    assert (by_district["A"]["agreements"], by_district["A"]["kept"]) == (2, 1)
    assert by_district["B"]["agreement_share"] == pytest.approx(2 / 3)
    assert (by_district["All"]["offences"], by_district["All"]["agreements"]) == (5, 4)
    assert by_district["All"]["rate"] == pytest.approx(0.5)
    assert by_district["All"]["lower"] == pytest.approx(0.1500, abs=1e-4)  # Wilson, 2 of 4
    monthly = contact.contact_rates(per, "recorded_month")
    assert monthly["agreements"].to_list() == [2, 2] and monthly["kept"].to_list() == [1, 1]


def test_told_the_outcome_by_hand():
    """The final update (seed 002: "how investigations are closed in terms of the final
    update to the victim"): K2's outcome on 1 March with a contact on the 10th, within its 28
    days, told; K1's outcome on 20 February with no contact after it, not told; K3 and K4
    open, and K5 with no agreement, no update due. An outcome whose interval has not run out
    by the extract date is not yet due, whatever the contacts."""
    per = {
        r["crime_ref"]: r for r in contact.contact_by_offence(_contact_rows()).iter_rows(named=True)
    }
    assert [(per[k]["update_due"], per[k]["told"]) for k in ("K1", "K2", "K3", "K4", "K5")] == [
        (True, False),
        (True, True),
        (False, None),
        (False, None),
        (False, None),
    ]
    assert per["K1"]["kept"] is True  # kept up to its outcome, and never told it
    rows = {
        r["district_code"]: r
        for r in contact.contact_rates(
            contact.contact_by_offence(_contact_rows()), "district_code"
        ).iter_rows(named=True)
    }
    assert [rows[d]["updates_due"] for d in ("A", "B", "All")] == [2, 0, 2]
    assert [rows[d]["told"] for d in ("A", "B", "All")] == [1, 0, 1]
    assert rows["All"]["told_rate"] == pytest.approx(0.5)
    assert rows["All"]["told_lower"] == pytest.approx(0.0945, abs=1e-4)  # Wilson, 1 of 2
    assert rows["B"]["told_rate"] is None
    # the told rate is flagged on its own denominator (helper 70: 11 told of 13 updates due
    # read as not small beside 58 agreements)
    assert [rows[d]["told_is_small"] for d in ("A", "B", "All")] == [True, True, True]
    flags = contact.contact_rates(
        contact.contact_by_offence(_contact_rows()), "district_code", small_denominator=2
    ).select("district_code", "is_small", "told_is_small")
    assert flags.rows() == [("A", False, False), ("B", False, True), ("All", False, False)]
    # the day after the outcome, or on it, or the interval's last day: told; a day later, not
    late = _contact_rows().filter(pl.col("crime_ref") == "K2")
    for contact_day, told in (
        (D(2021, 3, 1), True),
        (D(2021, 3, 29), True),
        (D(2021, 3, 30), False),
    ):
        moved = late.with_columns(contact_date=pl.lit(contact_day))
        assert contact.contact_by_offence(moved)["told"].to_list() == [told]
    not_yet = late.with_columns(extract_date=pl.lit(D(2021, 3, 28)))
    assert contact.contact_by_offence(not_yet).select("update_due", "told").row(0) == (False, None)


def test_contact_rates_give_a_row_with_no_offence_zero_counts():
    """The rows asked for are all given, in order: a district with no offence reads 0 offences,
    0 agreements and 0 kept, with no rate or share (nothing to divide by); the others are as
    without it."""
    per = contact.contact_by_offence(_contact_rows())

    def by_district(rows=None) -> dict:
        table = contact.contact_rates(per, "district_code", rows)
        return {r["district_code"]: r for r in table.iter_rows(named=True)}

    padded, plain = by_district(["C", "B", "A"]), by_district()
    assert list(padded) == ["A", "B", "C", "All"]
    assert (padded["C"]["offences"], padded["C"]["agreements"], padded["C"]["kept"]) == (0, 0, 0)
    assert padded["C"]["rate"] is None and padded["C"]["agreement_share"] is None
    assert all(padded[d] == plain[d] for d in ("A", "B", "All"))


# --- importing: templates, two imports joined, hostile rows ---------------------------------


def _force(tmp_path: Path) -> Path:
    return import_texts(
        tmp_path / "force.duckdb",
        {"districts.csv": EXTRACT_DISTRICTS, "offences.csv": extract_like_offences()},
    )


def _import(path: Path, name: str, text: str):
    source = path.parent / name
    source.write_text(text, encoding="utf-8")
    gateway = connect(path, read_only=False)
    try:
        return import_file(gateway, source)
    finally:
        gateway.close()


ORDERS_CSV = """order_id,order_type,subject_id,protected_id,crime_ref,applied_date,interim_date,granted_date,refused_date,expiry_date,discharged_date,status,district_code
R1,Stalking Protection Order,P1,V1,X-0001,2023-01-05,2023-01-06,2023-02-20,,2025-02-20,,granted,AY
R2,restraining order,P2,V2,X-0002,2023-01-10,,,,,,applied,BE
"""


def test_a_dvpo_made_without_an_expiry_date_is_warned_of(tmp_path):
    """Helper 48's trial: a DVPO granted with no expiry date was imported without a word and
    counted as in force to the extract date, years on (a DVPO lasts 14 to 28 days)."""
    path = _force(tmp_path)
    report = _import(
        path,
        "orders.csv",
        ORDERS_CSV
        + "R3,DVPO,P3,V3,X-0003,2023-01-10,,2023-01-11,,,,granted,AY\n"
        + "R4,DVPO,P4,V4,X-0004,2023-01-10,,2023-01-11,,2023-02-08,,expired,AY\n",
    )
    assert report.rows_accepted == 4
    (warning,) = [w for w in report.warnings if "DVPO" in w]
    assert warning.startswith("1 DVPO was made with no expiry or discharge date")
    assert "(e.g. order R3)" in warning


def test_an_order_imported_again_without_some_columns_keeps_their_stored_values(tmp_path):
    """Helper 73: a variation file of order_id, order_type, applied and granted dates and
    status (no subject, protected person, crime reference or interim date) set those to null:
    the order's made date moved from its interim order to the full one, and a breach dated
    between the two was refused. A column the file does not have now keeps what is stored; a
    blank cell in a column it has still clears it."""
    path = _force(tmp_path)
    _import(path, "orders.csv", ORDERS_CSV)
    variation = (
        "order_id,order_type,applied_date,granted_date,expiry_date,status,district_code\n"
        "R1,SPO,2023-01-05,2023-02-20,2027-02-20,granted,AY\n"
        "R2,restraining order,2023-01-10,,,withdrawn,BE\n"
    )
    report = _import(path, "variation.csv", variation)
    assert (report.rows_inserted, report.rows_updated) == (0, 2)
    gateway = connect(path, read_only=True)
    try:
        stored = gateway.sql("SELECT * FROM civil_order ORDER BY order_id")
    finally:
        gateway.close()
    r1, r2 = stored.iter_rows(named=True)
    assert (r1["subject_id"], r1["protected_id"], r1["crime_ref"]) == ("P1", "V1", "X-0001")
    assert r1["interim_date"] == D(2023, 1, 6) and r1["expiry_date"] == D(2027, 2, 20)
    assert (r2["subject_id"], r2["status"]) == ("P2", "withdrawn")
    breach = _import(
        path,
        "breaches.csv",
        "breach_id,order_id,breach_date\nBR1,R1,2023-01-20\n",  # after the interim order
    )
    assert breach.rows_accepted == 1
    # the rules see each order as it will be stored (helper 75): R1 refused, without its
    # granted date, would have been stored granted and refused; granted, without the date,
    # was refused for want of the date the store holds
    refused = _import(
        path,
        "refused.csv",
        "order_id,order_type,applied_date,refused_date,status,district_code\n"
        "R1,SPO,2023-01-05,2023-03-01,refused,AY\n"
        "R2,restraining order,2023-01-10,,withdrawn,BE\n",
    )
    assert (refused.rows_accepted, refused.rows_rejected) == (1, 1)
    # naming the stored grant it was checked beside, which the file does not show
    assert refused.rejects.filter(pl.col("row_number") == 2)["reason"].to_list() == [
        "both granted and refused: give one (beside the stored granted_date: this file has no "
        "granted_date column)"
    ]
    granted = _import(
        path,
        "granted.csv",
        "order_id,order_type,applied_date,status,district_code\nR1,SPO,2023-01-05,granted,AY\n",
    )
    assert (granted.rows_accepted, granted.rows_rejected) == (1, 0)
    # a stored value refused says it is the stored one (helper 77: the reason named a column
    # the file has not got): granted later than the stored expiry
    late = _import(
        path,
        "late.csv",
        "order_id,order_type,applied_date,granted_date,status,district_code\n"
        "R1,SPO,2023-01-05,2030-01-01,granted,AY\n",
    )
    (reason,) = late.rejects.filter(pl.col("column_name") == "expiry_date")["reason"].to_list()
    assert reason.endswith(
        "(the stored value: this file has no expiry_date column; give the column, blank, to "
        "clear it)"
    )
    assert "1 order already stored keeps its values" in " ".join(granted.notes)


def test_an_order_id_in_another_letter_case_is_that_order(tmp_path):
    """Helper 73: a variation file naming ORD-1 as ord-1 stored a second order (orders counted
    twice), and a breach naming ord-1 was refused as 'no order', though within one file the
    two are the same order. As crime references are, an id in another case is the stored one."""
    path = _force(tmp_path)
    _import(path, "orders.csv", ORDERS_CSV)
    varied = _import(path, "varied.csv", ORDERS_CSV.replace("R1,", "r1,").replace("R2,", " r2 ,"))
    assert (varied.rows_inserted, varied.rows_updated) == (0, 2)  # the same two orders
    breach = _import(path, "breaches.csv", "breach_id,order_id,breach_date\nBR1,r1,2023-03-01\n")
    assert breach.rows_accepted == 1
    again = _import(path, "breaches-2.csv", "breach_id,order_id,breach_date\nbr1,R1,2023-03-02\n")
    assert (again.rows_inserted, again.rows_updated) == (0, 1)
    gateway = connect(path, read_only=True)
    try:
        assert gateway.sql("SELECT order_id FROM civil_order ORDER BY 1")["order_id"].to_list() == [
            "R1",
            "R2",
        ]
        assert gateway.sql("SELECT breach_id, order_id FROM breach").rows() == [("BR1", "R1")]
    finally:
        gateway.close()


def test_orders_then_breaches_join_across_two_imports(tmp_path):
    """A breach file names orders imported before it; a later orders file (the order refused
    after all) replaces the order, and the breach still joins to it."""
    path = _force(tmp_path)
    first = _import(path, "orders.csv", ORDERS_CSV)
    assert (first.kind, first.rows_accepted, first.rows_inserted) == ("orders", 2, 2)
    breaches = _import(
        path,
        "breaches.csv",
        "breach_id,order_id,breach_date,crime_ref,outcome_key\n"
        "BR1,R1,2023-03-01,X-0030,16\nBR2,R2,2023-03-01,,\nBR3,R9,2023-03-01,,\n"
        "BR4,R1,2023-01-02,,\n",
    )
    reasons = {row["row_number"]: row["reason"] for row in breaches.rejects.iter_rows(named=True)}
    assert breaches.rows_accepted == 1
    assert "never made" in reasons[3]  # R2 is only an application
    assert "no order with this order_id" in reasons[4]
    assert "before the order was made" in reasons[5]
    updated = _import(
        path, "orders-2.csv", ORDERS_CSV.replace("2025-02-20,,granted", "2026-02-20,,granted")
    )
    assert (updated.rows_inserted, updated.rows_updated) == (0, 2)
    gateway = connect(path, read_only=True)
    try:
        flt = ProfileFilter(D(2022, 12, 1), D(2023, 5, 1), ("AY", "BE", "SE"))
        stored = queries.civil_orders(gateway, flt)
        joined = queries.order_breaches(gateway, flt)
    finally:
        gateway.close()
    assert stored.height == 2  # replaced, not doubled
    assert stored.filter(pl.col("order_id") == "R1")["expiry_date"].item() == D(2026, 2, 20)
    assert stored.filter(pl.col("order_id") == "R1")["order_type"].item() == "SPO"
    assert joined.select("breach_id", "order_id", "outcome_group").row(0) == (
        "BR1",
        "R1",
        "Evidential difficulties (victim does not support action)",
    )


def test_hostile_order_rows_are_refused_with_reasons(tmp_path):
    path = _force(tmp_path)
    header = ORDERS_CSV.splitlines()[0]
    rows = [
        "H1,SPO,P1,V1,,2023-02-01,,2023-01-01,,,,granted,AY",  # granted before applied
        "H2,SPO,P1,V1,,2023-02-01,,2023-03-01,2023-03-01,,,granted,AY",  # granted and refused
        "H3,ASBO,P1,V1,,2023-02-01,,,,,,applied,AY",  # unknown type
        "H4,SPO,P1,V1,,2023-02-01,,,,,,granted,AY",  # status granted, no date
        "H5,SPO,P1,V1,,2023-02-01,,2023-03-01,,2023-02-15,,granted,AY",  # expires before
        "H6,SPO,P1,V1,,2023-02-01,,,,,2023-03-01,discharged,AY",  # discharged, never made
        "H7,SPO,P1,V1,,2023-02-01,,,,,,applied,ZZ",  # unknown district
        "H7,SPO,P1,V1,,2023-02-01,,,,,,applied,AY",  # duplicate id
        "H8,SPO,P1,V1,,2099-02-01,,,,,,applied,AY",  # in the future
    ]
    report = _import(path, "orders.csv", "\n".join([header, *rows]) + "\n")
    reasons = {row["row_number"]: row["reason"] for row in report.rejects.iter_rows(named=True)}
    assert report.rows_read == 9 and report.rows_accepted == 0
    assert "full order dated before the application" in reasons[2]
    assert "both granted and refused" in reasons[3]
    assert "unknown code" in reasons[4]
    assert "status granted or expired needs granted_date" in reasons[5]
    assert "expires on or before" in reasons[6]
    assert "no interim or full order was made" in reasons[7]
    assert "unknown district" in reasons[8]
    assert "duplicate within the file (first at row 8)" in reasons[9]
    assert "date in the future" in reasons[10]


def test_an_ended_status_needs_the_dates_that_end_the_order(tmp_path):
    """Helper 79: an order "expired" with no expiry date, and an application withdrawn after
    its interim order with no date the interim order ended, were accepted and counted in
    force for ever (orders in force at the end, followed up for a time to first breach
    longer than any order ran); "withdrawn" beside a full order is a contradiction too."""
    path = _force(tmp_path)
    header = ORDERS_CSV.splitlines()[0]
    rows = [
        "E1,RO,P1,V1,,2023-02-01,,2023-03-01,,,,expired,AY",  # expired, no expiry date
        "E2,SPO,P1,V1,,2023-02-01,2023-02-02,,,,,withdrawn,AY",  # interim, then withdrawn
        "E3,SPO,P1,V1,,2023-02-01,,2023-03-01,,,,withdrawn,AY",  # full order, withdrawn
        "E4,SPO,P1,V1,,2023-02-01,2023-02-02,,,,2023-04-01,withdrawn,AY",  # interim ended
        "E5,RO,P1,V1,,2023-02-01,,2023-03-01,,2023-06-01,,expired,AY",
    ]
    report = _import(path, "orders.csv", "\n".join([header, *rows]) + "\n")
    reasons = {row["row_number"]: row["reason"] for row in report.rejects.iter_rows(named=True)}
    assert report.rows_accepted == 2 and set(reasons) == {2, 3, 4}
    assert reasons[2] == "status expired needs expiry_date"
    assert reasons[3].startswith("withdrawn after an interim order: give discharged_date")
    assert reasons[4].startswith("withdrawn, but a full order was made (granted_date)")


def test_a_breach_after_its_order_ended_is_noted_not_lost_in_silence(tmp_path):
    """Helper 79: breaches dated on or after the day their order ended were accepted without
    a word and counted in no table; with none left, the page said "No breach of an order was
    recorded in this period". The import notes them, and the page counts them aside."""
    path = _force(tmp_path)
    _import(
        path,
        "orders.csv",
        ORDERS_CSV.splitlines()[0]
        + "\nD1,DVPO,P1,V1,X-0001,2023-01-05,,2023-01-06,,2023-02-03,,expired,AY\n",
    )
    report = _import(
        path,
        "breaches.csv",
        "breach_id,order_id,breach_date\nB1,D1,2023-02-03\nB2,D1,2023-02-06\nB3,D1,2023-01-20\n",
    )
    assert report.rows_accepted == 3
    (note,) = report.warnings
    assert note.startswith("2 breaches are dated on or after the day their order ended")
    assert "(e.g. breach B1 of order D1, which ended on 03 February 2023)" in note
    gateway = connect(path, read_only=True).scoped(Access.for_role("lead", Role.STRATEGIC))
    try:
        flt = ProfileFilter(D(2023, 2, 1), D(2023, 2, 1), ("AY",))
        panel = protection_panels.orders_panel(gateway, flt, "DVPO")
        whole = protection_panels.orders_panel(
            gateway, replace(flt, start_month=D(2023, 1, 1)), "DVPO"
        )
    finally:
        gateway.close()
    assert panel is not None and whole is not None
    assert panel.breach_outcomes.is_empty() and panel.breaches_not_in_force == 2
    assert "2 breaches dated in the period fell outside the order's time in force" in (
        panel.breaches_note
    )
    assert whole.breaches_not_in_force == 2  # B3, in force, is counted
    assert whole.breaches.filter(pl.col("order_type") == "All types")["breaches"].item() == 1


def test_victim_contact_import_replaces_each_offences_log(tmp_path):
    path = _force(tmp_path)
    text = (
        "crime_ref,agreed_interval_days,contact_date\n"
        "X-0001,14,2022-12-10\nX-0001,14,2022-12-20\nX-0002,28,\n"
        "X-9999,14,2023-01-01\nX-0003,0,2023-01-01\nX-0001,7,2022-12-30\n"
        "X-0001,14,2022-12-10\nX-0004,14,2022-11-01\n"
    )
    report = _import(path, "contacts.csv", text)
    reasons = {row["row_number"]: row["reason"] for row in report.rejects.iter_rows(named=True)}
    assert report.rows_accepted == 3
    assert "no offence with this crime reference" in reasons[5]
    assert "at least 1 day" in reasons[6]
    assert "differs from the interval agreed for this offence at row 2" in reasons[7]
    assert "duplicate within the file (first at row 2)" in reasons[8]
    assert "contact dated before the offence was recorded" in reasons[9]
    again = _import(
        path,
        "contacts-2.csv",
        "crime_ref,agreed_interval_days,contact_date\nX-0001,14,2022-12-11\n",
    )
    assert again.rows_accepted == 1
    gateway = connect(path, read_only=True)
    try:
        stored = gateway.sql("SELECT crime_ref, contact_date FROM victim_contact ORDER BY 1, 2")
    finally:
        gateway.close()
    assert stored.rows() == [("X-0001", D(2022, 12, 11)), ("X-0002", None)]


# --- the demo force ---------------------------------------------------------------------------


def test_demo_spo_uptake_is_low_and_three_are_in_force_as_published(demo_gateway: Gateway):
    flt = ProfileFilter(D(2018, 4, 1), D(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    stored = queries.civil_orders(demo_gateway, flt)
    extract = queries.dataset_info(demo_gateway).extract_date
    spo = stored.filter(pl.col("order_type") == "SPO")
    assert spo["applied_date"].min() >= D(2020, 1, 20)  # the Act commenced 20 January 2020
    in_force = orders.order_activity(spo, D(2018, 4, 1), extract)
    assert in_force.filter(pl.col("order_type") == "SPO")["in_force_end"].item() == 3
    by_year = spo.group_by(pl.col("applied_date").dt.year()).len().sort("applied_date")
    assert by_year["len"].to_list() == [3, 11]  # rising: 3 in 2020, 11 in 2021
    breaches = queries.order_breaches(demo_gateway, flt)
    assert breaches.height > 100 and breaches["crime_ref"].null_count() > 0
    contacts = queries.victim_contacts(demo_gateway, flt.with_period(D(2021, 2, 1), D(2022, 1, 1)))
    rates = contact.contact_rates(contact.contact_by_offence(contacts), "district_code")
    kept = dict(zip(rates["district_code"], rates["rate"], strict=True))
    assert kept["KD"] < kept["CD"]  # Kirklees keeps contact least often
    assert 0.5 < kept["All"] < 0.95


# --- a suspect's complete history (recommendation 10) ---------------------------------------


def _breached_subject(demo_gateway: Gateway) -> str:
    """A demo suspect whose order was breached by an offence of theirs in the offence table."""
    every = ("stalking", "harassment")
    flt = ProfileFilter(D(2018, 4, 1), D(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"), "all", every)
    joined = queries.order_breaches(demo_gateway, flt).join(
        queries.civil_orders(demo_gateway, flt).select("order_id", "subject_id"), on="order_id"
    )
    return joined.filter(pl.col("crime_ref").str.starts_with("SYN-BD"))["subject_id"][0]


def test_a_suspects_history_joins_offences_outcomes_orders_and_breaches(demo_gateway):
    from stalking_profile.access import Access, AccessDenied, Role

    subject = _breached_subject(demo_gateway)
    analyst = demo_gateway.scoped(Access.for_role("x", Role.ANALYST))
    history = queries.suspect_history(analyst, subject)
    events = set(history["event"])
    assert {"Offence recorded", "Order applied for", "Breach of order"} <= events
    offences = demo_gateway.sql(
        "SELECT count(*) AS n FROM offence WHERE suspect_id = $s", {"s": subject}
    )["n"].item()
    assert (history["event"] == "Offence recorded").sum() == offences
    assert history["event_date"].is_sorted()
    for role in (Role.COMMISSIONER, Role.STRATEGIC):
        with pytest.raises(AccessDenied):
            queries.suspect_history(demo_gateway.scoped(Access.for_role("x", role)), subject)


def test_the_suspect_history_page_shows_one_suspect_to_analysts_only(app_test, demo_gateway):
    subject = _breached_subject(demo_gateway)
    at = app_test(suspect=subject).run()
    at.switch_page("app_pages/suspects.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Perpetrator prioritisation"
    shown = at.dataframe[-1].value
    assert "Breach of order" in set(shown["What happened"])
    assert any(subject in as_read(text.value) for text in at.markdown)
    ranked = at.dataframe[0].value
    window = "Offences recorded 01 Feb 2021 to 31 Jan 2022"  # the default 12 months
    assert any(caption.value.startswith(window) for caption in at.caption)
    assert list(ranked.columns[:3]) == ["Rank", "Suspect", "Score (0-100)"]
    assert ranked["Rank"].tolist()[:3] == [1, 2, 3]
    # record-level views go to the audit trail, as the Data quality page's do (a helper
    # agent's trial: the ranked list and a suspect's history wrote nothing)
    import os

    from stalking_profile.access import Access
    from stalking_profile.operational import audit, open_store

    trail = audit.events(open_store(os.environ["STALKING_PROFILE_STORE"]), Access.command_line())
    viewed = trail.filter(action="records viewed")["detail"].to_list()
    assert "perpetrator prioritisation: ranked suspects" in viewed
    assert f"suspect history: {subject}" in viewed
    downloads = [b.label for b in at.get("download_button")]
    # it holds the suspects shown, and says so (helper 65: "the ranked suspects" held the
    # first 100 of 6,185)
    assert f"Download the {len(ranked)} suspects shown (CSV)" in downloads
    strategic = app_test(role="strategic", require_login=True).run()
    assert not strategic.exception
    with pytest.raises(ValueError):  # the page is not offered to a strategic lead
        strategic.switch_page("app_pages/suspects.py")


def test_a_suspect_key_typed_in_another_case_is_offered_as_stored(app_test, demo_gateway):
    """A helper agent's trial: keys match exactly, so one typed in lower case read "Nothing is
    recorded for the suspect key" with nothing more. The page now offers the stored key; the
    lookup is record level like the history."""
    subject = _breached_subject(demo_gateway)
    at = app_test(suspect=subject.lower()).run()
    at.switch_page("app_pages/suspects.py").run()
    assert not at.exception, at.exception
    said = [as_read(w.value) for w in at.warning if "Nothing is recorded" in w.value]
    assert said == [
        f"Nothing is recorded for the suspect key “{subject.lower()}”. Did you mean {subject}?"
    ]
    # the key offered is a record shown, written to the trail as the history is (helper 74)
    import os

    from stalking_profile.operational import audit, open_store

    trail = audit.events(open_store(os.environ["STALKING_PROFILE_STORE"]), Access.command_line())
    viewed = trail.filter(action="records viewed")["detail"].to_list()
    assert f"suspect keys like {subject.lower()}: {subject}" in viewed
    with pytest.raises(AccessDenied):
        queries.suspect_keys_like(
            demo_gateway.scoped(Access.for_role("x", Role.STRATEGIC)), subject
        )


def test_a_breach_weighs_in_the_harm_index_days(app_test):
    """A helper agent's trial: with a crime harm index, an offence weighed its days (365 for
    stalking) and a breach still 2 points, so breaches barely moved a suspect. A breach now
    weighs days too, by default the index's days for stalking; an index lacking a code is
    refused on upload, where it had stopped the page with a traceback."""
    at = app_test(type=["Stalking", "Harassment"]).run()
    at.switch_page("app_pages/suspects.py").run()
    at.radio(key="prio_basis").set_value("Crime harm index (days)").run()
    upload = at.file_uploader(key="prio_harm")
    upload.set_value(("harm.csv", b"ho_offence_code,days\n8Q,365\n8L,30\n", "text/csv")).run()
    assert not at.exception
    assert any("no days for 8M, 8R" in e.value for e in at.error)
    complete = b"ho_offence_code,days\n8Q,365\n8L,30\n8M,60\n8R,10\n"
    at.file_uploader(key="prio_harm").set_value(("harm.csv", complete, "text/csv")).run()
    assert not at.exception and not at.error
    assert at.number_input(key="prio_breach_days").value == 365.0
    assert not [n for n in at.number_input if n.key == "prio_breach"]


def test_a_prioritisation_window_before_the_records_says_so(app_test, demo_gateway):
    """Twelve months to a period ending three months after the records start ranked suspects
    on three months of offences under a heading of twelve, and said nothing. The page now
    says the window starts before the records; a window inside them says nothing."""
    first = queries.dataset_info(demo_gateway).first_month
    end = add_months(first, 2)
    at = app_test(to=f"{end:%b %Y}").run()
    at.switch_page("app_pages/suspects.py").run()
    assert not at.exception, at.exception
    said = [w.value for w in at.warning if "before the records do" in w.value]
    assert said and f"({first:%B %Y})" in said[0]
    at = app_test().run()
    at.switch_page("app_pages/suspects.py").run()
    assert not [w.value for w in at.warning if "before the records do" in w.value]


# An offences file with victims and suspects, for the people tests below.
PEOPLE_HEADER = (
    "crime_ref,recorded_date,offence_type,ho_offence_code,district_code,is_domestic,"
    "is_cyber,dash_completed,sash_completed,arrest_made,victim_id,suspect_id,outcome_key,"
    "outcome_date\n"
)


def _force_with_orders(tmp_path: Path, offences: str, orders: str) -> Path:
    """A force of the districts and `offences` (CSV text), then `orders` (rows, no header)."""
    path = import_texts(
        tmp_path / "force.duckdb", {"districts.csv": EXTRACT_DISTRICTS, "offences.csv": offences}
    )
    _import(path, "orders.csv", ORDERS_CSV.splitlines()[0] + "\n" + orders)
    return path


def test_a_suspects_history_across_separate_imports(tmp_path):
    """Offences, then orders, then breaches, each from its own file: the suspect's history
    joins all three, each outcome in order, and nothing of another suspect."""
    offences = PEOPLE_HEADER + (
        "H-1,2023-01-10,stalking,8Q,AY,Y,N,Y,N,Y,V1,P1,16,2023-02-01\n"
        "H-2,2023-03-05,stalking,8Q,AY,Y,N,Y,N,N,V1,P1,,\n"
        "H-3,2023-03-06,stalking,8Q,BE,N,N,N,N,N,V2,P2,,\n"
    )
    path = _force_with_orders(
        tmp_path,
        offences,
        "R1,SPO,P1,V1,H-1,2023-02-10,2023-02-12,2023-04-01,,2025-04-01,,granted,AY\n"
        "R2,NMO,P2,V2,H-3,2023-03-10,,,,,,applied,BE\n",
    )
    _import(
        path,
        "breaches.csv",
        "breach_id,order_id,breach_date,crime_ref,outcome_key\nB1,R1,2023-03-05,H-2,\n",
    )
    _import(path, "outcomes.csv", "crime_ref,outcome_key,outcome_date\nH-1,1-charged,2023-04-20\n")
    gateway = connect(path, read_only=True)
    try:
        history = queries.suspect_history(gateway, "P1")
        extract = queries.dataset_info(gateway).extract_date
    finally:
        gateway.close()
    # the expiry after the extract has not happened (helper 90: "Order expires" read as past)
    assert extract < D(2025, 4, 1)
    assert history.select("event_date", "event", "reference").rows() == [
        (D(2023, 1, 10), "Offence recorded", "H-1"),
        (D(2023, 2, 1), "Outcome", "H-1"),
        (D(2023, 2, 10), "Order applied for", "R1"),
        (D(2023, 2, 12), "Interim order made", "R1"),
        (D(2023, 3, 5), "Offence recorded", "H-2"),
        (D(2023, 3, 5), "Breach of order", "R1"),
        (D(2023, 4, 1), "Full order made", "R1"),
        (D(2023, 4, 20), "Outcome", "H-1"),
        (D(2025, 4, 1), "Order due to expire", "R1"),
    ]
    details = dict(zip(history["event"], history["detail"], strict=False))
    assert details["Breach of order"] == "offence H-2, no outcome yet"
    assert "protects V1" in details["Order applied for"]


def test_orders_follow_the_offence_filter_through_their_offence(demo_gateway):
    """Audit: the Civil orders page showed every order whatever the offence type and DA
    choice. An order follows the filter through the offence it arose from."""
    districts = ("BD", "CD", "KD", "LD", "WD")
    counts = {}
    for types in (("stalking",), ("harassment",), ("stalking", "harassment")):
        for domestic in ("all", "domestic", "non_domestic"):
            flt = ProfileFilter(D(2018, 4, 1), D(2022, 1, 1), districts, domestic, types)
            counts[(types, domestic)] = queries.civil_orders(demo_gateway, flt).height
    both = ("stalking", "harassment")
    assert (
        counts[(("stalking",), "all")] + counts[(("harassment",), "all")] == counts[(both, "all")]
    )
    assert counts[(both, "domestic")] + counts[(both, "non_domestic")] == counts[(both, "all")]
    assert 0 < counts[(("stalking",), "all")] < counts[(("harassment",), "all")]


def test_a_repeat_suspect_with_an_order_made_by_another_district_has_an_order(tmp_path):
    """Repeat suspects without an order counts a suspect with no order applied for in any
    district; the page read only the orders of the chosen districts, so Ayton's P1, whose
    order Beeston applied for, counted as without one when Ayton alone was chosen."""
    offences = PEOPLE_HEADER + (
        "H-1,2023-01-10,stalking,8Q,AY,Y,N,Y,N,Y,V1,P1,,\n"
        "H-2,2023-03-05,stalking,8Q,AY,Y,N,Y,N,N,V1,P1,,\n"
        "H-3,2023-01-06,stalking,8Q,AY,N,N,N,N,N,V2,P2,,\n"
        "H-4,2023-03-06,stalking,8Q,AY,N,N,N,N,N,V2,P2,,\n"
        "H-5,2023-03-06,stalking,8Q,BE,N,N,N,N,N,V3,P1,,\n"
    )
    path = _force_with_orders(tmp_path, offences, "R1,SPO,P1,V3,H-5,2023-03-06,,,,,,applied,BE\n")
    access = Access.for_role("lead", Role.STRATEGIC)
    gateway = connect(path, read_only=True).scoped(access)
    try:
        flt = ProfileFilter(D(2023, 1, 1), D(2023, 3, 1), ("AY",))
        panel = protection_panels.orders_panel(gateway, flt, "SPO")
    finally:
        gateway.close()
    assert panel is not None
    rows = {r["district_code"]: r for r in panel.without_order.iter_rows(named=True)}
    assert (rows["AY"]["repeat_suspect_offences"], rows["AY"]["without_order"]) == (4, 2)
    assert rows["AY"]["suspects_without_order"] == 1  # P2 alone
    assert (rows["Force"]["repeat_suspect_offences"], rows["Force"]["without_order"]) == (5, 2)


def test_an_application_refused_has_not_expired():
    """An audit: an application refused that carried an expiry date counted among the orders
    that expired in the period (the demo's 155 refused restraining orders among them)."""
    refused = ORDERS.filter(pl.col("order_id") == "O2").with_columns(
        pl.lit(D(2021, 8, 1)).alias("expiry_date")
    )
    row = orders.order_activity(refused, START, END).filter(order_type="SPO").row(0, named=True)
    assert (row["refused"], row["expired"]) == (1, 0)
    made = ORDERS.filter(pl.col("order_id") == "O3")  # a full order that expired in November
    assert orders.order_activity(made, START, END).filter(order_type="RO")["expired"].item() == 1


def test_a_breach_on_the_day_its_order_ended_is_no_breach_of_it():
    """An audit: a breach dated on its order's expiry day was a breach in the breaches table
    and none in the time to first breach on one page. Every table reads the breaches dated
    while the order was in force (made to the day before it ended)."""
    late = pl.DataFrame(
        [
            ("B9", "O3", D(2021, 11, 1), None, None, None),
            ("B8", "O3", D(2021, 10, 31), None, None, None),
        ],
        schema=BREACHES.columns,
        orient="row",
    )
    kept = orders.breaches_in_force(ORDERS, pl.concat([BREACHES, late]), EXTRACT)
    assert sorted(kept["breach_id"].to_list()) == ["B1", "B2", "B3", "B4", "B8"]  # not B9


def test_repeat_suspects_without_an_order_give_every_chosen_district_a_row():
    """An audit: a chosen district with no offence in the period lost its row."""
    offences = pl.DataFrame(
        [(D(2021, 3, 1), "A", "S1"), (D(2021, 4, 1), "A", "S1")],
        schema=["recorded_date", "district_code", "suspect_id"],
        orient="row",
    )
    table = orders.repeat_suspects_without_order(offences, ORDERS, START, END, ("A", "B"))
    rows = {r["district_code"]: r for r in table.iter_rows(named=True)}
    assert set(rows) == {"A", "B", "All"}
    assert (rows["B"]["repeat_suspect_offences"], rows["All"]["repeat_suspect_offences"]) == (0, 2)


def test_an_order_type_of_months_of_0_is_not_charted(demo_gateway: Gateway) -> None:
    """April to June 2018, before any SPO: the SPO's months were rows of 0, counted as
    something to chart, so the page opened on an empty SPO chart while restraining orders and
    DVPOs had activity (helper 53)."""
    flt = ProfileFilter(date(2018, 4, 1), date(2018, 6, 1), ("BD", "CD", "KD", "LD", "WD"))
    panel = protection_panels.orders_panel(demo_gateway, flt, "SPO")
    assert panel is not None
    spo = panel.chosen_monthly
    assert (
        spo.height
        and spo.select(pl.sum_horizontal("applied", "granted", "in_force")).sum().item() == 0
    )
    assert "SPO" not in panel.types_charted and panel.types_charted  # others have activity
    assert panel.nothing_to_chart is not None
    # the types that have something are named; where none has, it says so (helper 89:
    # Calderdale's non-DA stalking, July to September 2021, was told to choose another)
    assert "choose another order type to chart (Restraining order" in panel.nothing_to_chart
    calderdale = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), ("CD",), "non_domestic")
    none = protection_panels.orders_panel(demo_gateway, calderdale, "SPO")
    assert none is not None and none.types_charted == []
    assert none.nothing_to_chart is not None
    assert none.nothing_to_chart.endswith(", nor was an order of any other type.")


def test_the_demo_force_tells_victims_the_outcome_as_sql_counts_it(demo_gateway: Gateway):
    """Told the outcome on the Victim contact page, October 2020 to September 2021, against
    SQL over the stored contacts: a final update due where an outcome is recorded and its
    agreed interval after it ran out by the extract date; told where a contact came on the
    outcome's day or within the interval after it. The demo tells about three in four; a
    commissioner's page gives the same figure."""
    from stalking_profile.access import Access, Role
    from stalking_profile.protection_panels import contact_panel

    flt = ProfileFilter(D(2020, 10, 1), D(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"))
    counted = demo_gateway.sql(
        "WITH due AS (SELECT f.crime_ref, f.outcome_date, a.days FROM offence_fact f "
        "JOIN (SELECT crime_ref, max(agreed_interval_days) AS days FROM victim_contact "
        "GROUP BY 1) a USING (crime_ref) CROSS JOIN current_dataset d "
        "WHERE f.offence_type = 'stalking' AND f.recorded_month BETWEEN $a AND $b "
        "AND f.outcome_key IS NOT NULL AND f.outcome_date + a.days <= d.extract_date) "
        "SELECT count(*) AS due, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM victim_contact c "
        "WHERE c.crime_ref = due.crime_ref AND c.contact_date BETWEEN due.outcome_date AND "
        "due.outcome_date + due.days)) AS told FROM due",
        {"a": D(2020, 10, 1), "b": D(2021, 9, 1)},
    ).row(0, named=True)
    view = contact_panel(demo_gateway, flt)
    assert view is not None
    every = view.by_district.filter(district_code="All").row(0, named=True)
    assert (every["updates_due"], every["told"]) == (counted["due"], counted["told"])
    assert 0.7 < every["told_rate"] < 0.85
    assert every["kept"] == 4359  # the contacts up to the outcome are as they were
    reader = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    published = contact_panel(reader, flt)
    assert published is not None
    # published too (its small counts protected: test_disclosure), the force's as they are
    shown = published.by_district.filter(district_code="All").row(0, named=True)
    assert (shown["updates_due"], shown["told"]) == (counted["due"], counted["told"])
    assert shown["told_rate"] == every["told_rate"]
    assert published.monthly["told"].sum() == counted["told"]


def test_the_contact_charts_subtitle_names_the_months_it_shows(demo_gateway: Gateway):
    """The demo records agreements from April 2020 and its months from January 2022 are too
    recent to judge: a period from March 2020 to January 2022 charts April 2020 to December
    2021, and its subtitle says so (it named the whole period, a month past the last bar)."""
    from stalking_profile.protection_panels import contact_panel

    flt = ProfileFilter(D(2020, 3, 1), D(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"))
    view = contact_panel(demo_gateway, flt)
    assert view is not None
    assert (view.data_start, view.provisional_from) == (D(2020, 4, 1), D(2022, 1, 1))
    months = view.monthly["recorded_month"]
    assert (months.min(), months.max()) == (D(2020, 4, 1), D(2021, 12, 1))
    assert view.figure.layout.title.text.endswith("WD, Apr 2020 to Dec 2021</sup>")


def test_the_civil_orders_page_says_who_seeks_each_order(app_test):
    """Helper 90: the page called every order "applied for by the selected districts", and
    gave restraining and non-molestation orders "applications per 100 offences" and an RO
    0 days to a full order without a word: an RO is made by the court at sentence or
    acquittal, and a victim applies for an NMO. The repeat suspects' % is of offences."""
    from tests.conftest import open_tab

    at = app_test().run()
    at.switch_page("app_pages/orders.py").run()
    assert not any("applied for by the selected districts" in c.value for c in at.caption)
    for tab in ("Take-up per 100 offences", "Application to order"):
        open_tab(at, "app_pages/orders.py", tab)
        at.run()
        shown = " ".join(as_read(c.value) for c in at.caption)
        assert "the victim's own application for an NMO" in shown, tab
        assert "at sentence or acquittal for an RO" in shown, tab
    open_tab(at, "app_pages/orders.py", "Repeat suspects with no order")
    at.run()
    table = next(t.value for t in at.dataframe if "Repeat suspects with no order" in t.value)
    assert "Offences with no order applied for (%)" in table.columns
    assert any("the % is of those offences" in as_read(c.value) for c in at.caption)


def test_a_suspects_history_says_which_expiries_are_past_and_which_are_due(demo_gateway):
    """An order's expiry on or before the extract date has happened; one after it is due."""
    extract = queries.dataset_info(demo_gateway).extract_date
    ended = demo_gateway.sql(
        "SELECT subject_id, expiry_date FROM civil_order WHERE expiry_date <= $extract "
        "ORDER BY order_id LIMIT 1",
        {"extract": extract},
    ).row(0)
    events = queries.suspect_history(demo_gateway, ended[0])
    expiry = events.filter(pl.col("event_date") == ended[1])["event"].to_list()
    assert "Order expired" in expiry and "Order due to expire" not in expiry
