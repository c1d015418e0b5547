"""Perpetrator prioritisation (issue 17, recommendation 11): the RFGV score recomputed by hand
for three suspects, under the default weights, changed weights and a harm index."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from stalking_profile.measures.prioritisation import Weights, prioritise, read_harm_index

END, LOOKBACK = date(2021, 12, 31), 365  # the window: 1 January to 31 December 2021
D = date
OFFENCES = pl.DataFrame(
    [
        ("A", D(2021, 12, 21), "V1", "high", "8Q"),
        ("A", D(2021, 6, 1), "V1", "standard", "8L"),
        ("A", D(2021, 3, 1), "V2", None, "8R"),
        ("A", D(2020, 11, 1), "V3", "high", "8Q"),  # before the window
        ("B", D(2021, 10, 2), "V4", "medium", "8Q"),
        ("B", D(2021, 10, 12), "V5", "medium", "8Q"),
        ("B", D(2021, 11, 1), "V6", "medium", "8Q"),
        ("B", D(2021, 11, 21), "V4", "standard", "8Q"),
        ("C", D(2021, 1, 31), "V7", "high", "8M"),
        (None, D(2021, 5, 5), "V8", "high", "8Q"),  # no suspect identified
    ],
    schema=["suspect_id", "recorded_date", "victim_id", "dash_risk", "ho_offence_code"],
    orient="row",
)
BREACHES = pl.DataFrame({"subject_id": ["A", "A"], "breach_date": [D(2021, 7, 1), D(2020, 12, 1)]})


def _by_suspect(weights: Weights) -> dict[str, dict]:
    ranked = prioritise(OFFENCES, BREACHES, END, LOOKBACK, weights)
    return {row["suspect_id"]: row for row in ranked.iter_rows(named=True)}


def test_three_suspects_scored_by_hand_with_equal_weights():
    """A: 3 offences in the window (last 10 days before the end), victims V1 and V2, DASH
    points 3 + 1 + 1 (no DASH counts as standard) and one breach in the window (2): 7.
    B: 4 offences, last 40 days before, 3 victims, 2 + 2 + 2 + 1 = 7. C: 1 offence 334 days
    before, 1 victim, 3 points. The most: 4 offences, 7 points, 3 victims."""
    rows = _by_suspect(Weights())
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a["offences"], a["victims"], a["breaches"], a["gravity_points"]) == (3, 2, 1, 7)
    assert a["recency"] == pytest.approx(100 * (1 - 10 / 365))
    assert (a["frequency"], a["gravity"]) == (75.0, 100.0)
    assert a["victims_points"] == pytest.approx(200 / 3)
    assert a["score"] == pytest.approx((100 * (1 - 10 / 365) + 75 + 100 + 200 / 3) / 4)
    assert b["score"] == pytest.approx((100 * (1 - 40 / 365) + 100 + 100 + 100) / 4)
    assert c["score"] == pytest.approx((100 * (1 - 334 / 365) + 25 + 300 / 7 + 100 / 3) / 4)
    assert [b["rank"], a["rank"], c["rank"]] == [1, 2, 3]
    assert "None" not in a["why"] and "(7.0 points)" in a["why"] and "over 4" in a["why"]


def test_changed_weights_reorder_the_list_by_hand():
    """Recency twice, victims not at all: A (97.26 x 2 + 75 + 100) / 4 = 92.38 still trails
    B (89.04 x 2 + 100 + 100) / 4 = 94.52; with recency 6 A leads."""
    rows = _by_suspect(Weights(recency=2, victims=0))
    assert rows["A"]["score"] == pytest.approx((2 * 100 * (1 - 10 / 365) + 75 + 100) / 4)
    assert rows["B"]["score"] == pytest.approx((2 * 100 * (1 - 40 / 365) + 200) / 4)
    rows = _by_suspect(Weights(recency=6, victims=0))
    assert rows["A"]["rank"] == 1


def test_gravity_by_a_harm_index_by_hand():
    """Days per offence code (illustrative figures for the test, not the Cambridge index's):
    A 10 + 5 + 2 plus a breach at 2 = 19, B 4 x 10 = 40, C 6."""
    index = read_harm_index("ho_offence_code,days\n8Q,10\n8L,5\n8M,6\n8R,2\n")
    rows = _by_suspect(Weights(harm_days=index))
    assert [rows[s]["gravity_points"] for s in "ABC"] == [19, 40, 6]
    assert rows["A"]["gravity"] == pytest.approx(47.5)
    with pytest.raises(ValueError, match="no days for offence code 8M"):
        prioritise(
            OFFENCES, BREACHES, END, LOOKBACK, Weights(harm_days={"8Q": 1, "8L": 1, "8R": 1})
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,days\n8Q,1\n", "needs columns ho_offence_code and days"),
        ("ho_offence_code,days\n9Z,1\n", "unknown offence code '9Z'"),
        ("ho_offence_code,days\n8Q,1\n8q,2\n", "row 3: offence code 8Q given twice"),
        ("ho_offence_code,days\n8Q,-3\n", "days must be a number above 0"),
        ("ho_offence_code,days\n8Q,lots\n", "days must be a number above 0"),
        # helper 62: inf ranked one suspect first with a score of NaN, every other gravity 0
        ("ho_offence_code,days\n8Q,inf\n", r"row 2: days .* at most 36,525 \(100 years\)"),
        ("ho_offence_code,days\n8Q,1e308\n", "at most 36,525"),
        ("ho_offence_code,days\n8Q,nan\n", "at most 36,525"),
        # a helper agent's trial: an index of 8Q and 8L stopped the page with a traceback
        # once an offence coded 8M was in the window
        ("ho_offence_code,days\n8Q,365\n8L,30\n", "no days for 8M, 8R: give a row for every"),
    ],
)
def test_a_bad_harm_index_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        read_harm_index(text)


def test_weights_must_leave_something_to_score():
    with pytest.raises(ValueError):
        Weights(recency=0, frequency=0, gravity=0, victims=0)


def test_the_score_sums_say_one_offence_and_one_day():
    """A user trial: the score's sum read "(1 offences)" for C's one offence."""
    c = _by_suspect(Weights())["C"]
    assert "(1 offence)" in c["why"] and "(334 days since the last offence)" in c["why"]
    assert "(3 offences)" in _by_suspect(Weights())["A"]["why"]


def test_a_database_without_order_tables_says_why_no_history_is_read(
    demo_db_path, tmp_path
) -> None:
    """A helper agent's trial: in a database made before civil orders joined the contract, a
    suspect's history read "Nothing is recorded for the suspect key", also for one with
    offences. It now says the history needs the order tables, and how to add them."""
    import shutil
    from datetime import date

    import duckdb

    from stalking_profile.access import Access
    from stalking_profile.db import connect
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.protection_panels import HISTORY_NEEDS_ORDERS, prioritisation_panel

    database = tmp_path / "old.duckdb"
    shutil.copy(demo_db_path, database)
    with duckdb.connect(str(database)) as con:
        con.execute("DROP TABLE breach CASCADE")
        con.execute("DROP TABLE civil_order CASCADE")
        con.execute("DROP TABLE victim_contact CASCADE")
    gateway = connect(database, read_only=True).scoped(Access.command_line())
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("CD",))
    first = prioritisation_panel(gateway, flt, 12, Weights(), None)
    suspect = first.ranked["suspect_id"][0]
    assert first.history_note == ""  # nothing asked for yet
    panel = prioritisation_panel(gateway, flt, 12, Weights(), suspect)
    assert panel.history is None and panel.history_note == HISTORY_NEEDS_ORDERS


def test_a_breach_after_its_order_ended_weighs_nothing(demo_db_path, tmp_path) -> None:
    """Helper 48's trial: a breach dated on or after its order's expiry counted in a suspect's
    score while the Civil orders page, rightly, counted it as no breach of that order. The
    score now counts the breaches the page counts (measures.orders.breaches_in_force)."""
    import shutil
    from datetime import date, timedelta

    import duckdb

    from stalking_profile import queries
    from stalking_profile.access import Access
    from stalking_profile.db import connect
    from stalking_profile.measures import orders

    database = tmp_path / "breaches.duckdb"
    shutil.copy(demo_db_path, database)
    find = (
        "SELECT order_id, subject_id, LEAST(interim_date, granted_date) AS made, expiry_date "
        "FROM civil_order WHERE subject_id IS NOT NULL AND expiry_date IS NOT NULL "
        "AND discharged_date IS NULL AND granted_date IS NOT NULL ORDER BY order_id LIMIT 1"
    )
    with duckdb.connect(str(database)) as con:
        order_id, subject, made, expiry = con.execute(find).fetchone()
        for number, day in enumerate((made, expiry, expiry + timedelta(days=10))):
            con.execute(
                "INSERT INTO breach (breach_id, order_id, breach_date) VALUES (?, ?, ?)",
                [f"TEST-B{number}", order_id, day],
            )
    gateway = connect(database, read_only=True).scoped(Access.command_line())
    stored_orders = gateway.sql("SELECT * FROM civil_order")
    stored_breaches = gateway.sql("SELECT * FROM breach")
    counted = queries.subject_breaches(gateway, date(1990, 1, 1), date(2100, 1, 1))
    extract = queries.dataset_info(gateway).extract_date
    in_force = orders.breaches_in_force(stored_orders, stored_breaches, extract)
    assert set(in_force.filter(pl.col("breach_id").str.starts_with("TEST"))["breach_id"]) == {
        "TEST-B0"
    }
    dates = counted.filter(subject_id=subject)["breach_date"].to_list()
    assert made in dates and expiry not in dates and expiry + timedelta(days=10) not in dates
    assert (
        counted.height
        == in_force.join(
            stored_orders.filter(pl.col("subject_id").is_not_null()).select("order_id"),
            on="order_id",
        ).height
    )
