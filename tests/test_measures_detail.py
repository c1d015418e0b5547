"""Outcome, risk, scorecard and registry measures against the hand-made database."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from stalking_profile import queries
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.measures import outcomes, registry, risk, scorecard

Q1_2021 = ProfileFilter(date(2021, 1, 1), date(2021, 3, 1), ("A", "B", "C"))


def _cell(frame: pl.DataFrame, **keys: object) -> dict:
    selected = frame
    for column, value in keys.items():
        selected = selected.filter(pl.col(column) == value)
    assert selected.height == 1, keys
    return selected.row(0, named=True)


def test_flag_rates_by_district_by_hand(tiny_gateway: Gateway) -> None:
    rates = risk.flag_rates_by_district(
        queries.offence_counts(tiny_gateway, Q1_2021), ["A", "B", "C"]
    )
    a_da = _cell(rates, flag="arrest_made", district_code="A", category="domestic")
    assert (a_da["numerator"], a_da["denominator"]) == (1, 3)  # T1 of T1 T2 T8
    b_non = _cell(rates, flag="arrest_made", district_code="B", category="non_domestic")
    assert (b_non["numerator"], b_non["denominator"], b_non["rate"]) == (1, 1, 1.0)
    c_all = _cell(rates, flag="is_cyber", district_code="C", category="all")
    assert (c_all["denominator"], c_all["rate"], c_all["lower"]) == (0, None, None)
    force = _cell(rates, flag="dash_completed", district_code="Force", category="all")
    assert (force["numerator"], force["denominator"]) == (4, 6)
    assert rates.height == 4 * 4 * 3  # flags x (3 districts + force) x categories


def test_domestic_comparison_by_hand(tiny_gateway: Gateway) -> None:
    rates = risk.flag_rates_by_district(
        queries.offence_counts(tiny_gateway, Q1_2021), ["A", "B", "C"]
    )
    arrest = _cell(risk.domestic_comparison(rates), flag="arrest_made", district_code="Force")
    assert (arrest["da_numerator"], arrest["da_denominator"]) == (1, 4)
    assert (arrest["non_da_numerator"], arrest["non_da_denominator"]) == (1, 2)
    assert arrest["difference_points"] == pytest.approx(-25.0)
    assert 0 < arrest["p_value"] < 1 and not arrest["significant"]
    empty = _cell(risk.domestic_comparison(rates), flag="arrest_made", district_code="C")
    assert empty["p_value"] is None


def test_dash_risk_mix_by_hand(tiny_gateway: Gateway) -> None:
    mix = risk.dash_risk_mix(queries.offence_counts(tiny_gateway, Q1_2021))
    domestic = {
        r["dash_risk"]: (r["numerator"], r["denominator"])
        for r in mix.filter(pl.col("category") == "domestic").iter_rows(named=True)
    }
    assert domestic == {"standard": (1, 4), "medium": (2, 4), "high": (1, 4)}
    assert mix.filter(pl.col("category") == "non_domestic")["rate"].is_null().all()


def test_monthly_flag_rates_by_hand(tiny_gateway: Gateway) -> None:
    months = [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)]
    monthly = risk.monthly_flag_rates(
        queries.offence_counts(tiny_gateway, Q1_2021), "arrest_made", months
    )
    all_rows = monthly.filter(pl.col("category") == "all")
    assert list(zip(all_rows["numerator"], all_rows["denominator"], strict=True)) == [
        (1, 2),
        (1, 3),
        (0, 1),
    ]


def test_outcome_rates_by_hand(tiny_gateway: Gateway) -> None:
    rates = outcomes.outcome_rates_by_category(queries.offence_counts(tiny_gateway, Q1_2021))
    shown = {
        r["outcome"]: (r["numerator"], r["denominator"])
        for r in rates.filter(pl.col("category") == "all").iter_rows(named=True)
    }
    assert shown == {
        "outcome_1_8_rate": (1, 6),
        "outcome_15_rate": (0, 6),
        "outcome_16_rate": (2, 6),
        "outcome_18_rate": (0, 6),
        "open_rate": (2, 6),
    }


def test_outcome_groups_by_hand(tiny_gateway: Gateway) -> None:
    groups = outcomes.outcome_group_table(
        queries.outcome_counts(tiny_gateway, Q1_2021), queries.outcome_types(tiny_gateway)
    )
    shown = {
        r["group_short"]: r["offences"]
        for r in groups.filter(pl.col("category") == "all").iter_rows(named=True)
    }
    assert shown == {
        "Charged/summonsed": 1,
        "Prosecution prevented/not in public interest": 1,
        "Evidential difficulties (victim does not support)": 2,
        "Open": 2,
    }
    assert groups.filter(pl.col("category") == "all")["share"].sum() == pytest.approx(1.0)


def test_median_days_to_outcome_by_hand(tiny_gateway: Gateway) -> None:
    medians = outcomes.median_days_to_outcome(queries.outcome_days(tiny_gateway, Q1_2021))
    shown = {
        r["group_short"]: (r["median_days"], r["offences_with_outcome"])
        for r in medians.filter(pl.col("category") == "all").iter_rows(named=True)
    }
    # T1 charged after 36 days; T4 outcome 5 after 19; T2 and T8 outcome 16 after 12 and 14
    assert shown == {
        "Charged/summonsed": (36, 1),
        "Prosecution prevented/not in public interest": (19, 1),
        "Evidential difficulties (victim does not support)": (12, 2),
    }


def test_median_days_to_outcome_orders_ties_the_same_every_time(tiny_gateway: Gateway) -> None:
    days = queries.outcome_days(tiny_gateway, Q1_2021).with_columns(
        pl.lit(20).cast(pl.Int64).alias("days_to_outcome")  # every group's median ties at 20
    )
    shown = [
        outcomes.median_days_to_outcome(days.sample(fraction=1.0, shuffle=True, seed=seed))
        for seed in range(20)
    ]
    for medians in shown:
        assert medians.equals(shown[0])
    first = shown[0].filter(pl.col("category") == "all")
    assert set(first["median_days"]) == {20}
    assert first["outcome_group"].to_list() == sorted(first["outcome_group"])


def test_monthly_indicators_by_hand(tiny_gateway: Gateway) -> None:
    monthly = scorecard.monthly_indicators(
        queries.offence_counts(tiny_gateway, Q1_2021), date(2021, 1, 1), date(2021, 3, 1)
    )
    offences = monthly.filter(pl.col("indicator") == "offences")["value"].to_list()
    assert offences == [2.0, 3.0, 1.0]
    arrests = monthly.filter(pl.col("indicator") == "arrest_rate")["value"].to_list()
    assert arrests == pytest.approx([0.5, 1 / 3, 0.0])
    card = scorecard.scorecard(monthly, [], 6)
    assert set(card["variation"]) == {"too few points"}  # three months is not an SPC chart


def test_every_listed_measure_states_what_it_counts() -> None:
    from stalking_profile.measures import quality

    definitions = registry.definitions()
    assert definitions.height == (
        len(registry.MEASURES)
        + len(registry.INDICATORS)
        + len(quality.INDICATORS)  # the Data quality page's (helper 76: not listed before)
        + len(registry.MODULE_RULES)  # the prioritisation score's parts, victim contact's rules
    )
    listed = set(definitions["measure"])
    assert {q.key for q in quality.INDICATORS} <= listed
    said = " ".join(definitions.filter(pl.col("measure") == "how it is counted")["definition"])
    assert "recency = 100 x" in said and "kept" in said
    assert definitions["definition"].str.len_chars().min() > 30
    for row in definitions.iter_rows(named=True):
        assert ">>>" not in row["definition"], row["measure"]
    rates = definitions.filter(pl.col("section").is_in(["Indicators", "Risk and flags"]))
    assert rates["definition"].str.contains("(?i)offences").all()


def test_quality_indicators_by_hand(tiny_gateway: Gateway) -> None:
    from stalking_profile.measures import quality

    table = quality.quality_indicators(queries.quality_counts(tiny_gateway, Q1_2021))
    shown = {
        r["indicator"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)
    }
    assert shown["da_stalking_without_dash"] == (0, 4)  # T1 T2 T5 T8 all have a DASH
    assert shown["non_da_stalking_without_dash"] == (2, 2)  # T3 T4
    assert shown["stalking_without_sash"] == (6, 6)
    # extract 31 March 2021: recorded on or before 31 Dec 2020 is 90+ days old; none in Q1 2021
    assert shown["open_after_90_days"] == (0, 0)
    assert shown["missing_ward"] == (6, 6)
    assert shown["contradictory_screen"] == (1, 1)  # T5 is the only stalking offence screened
    assert table.filter(pl.col("denominator") == 0)["rate"].is_null().all()
    listed = queries.quality_records(tiny_gateway, Q1_2021, "non_da_stalking_without_dash")
    assert sorted(listed.records["crime_ref"].to_list()) == ["T3", "T4"]
    assert (listed.matching, listed.caption) == (2, "2 records, newest first.")
    nothing = queries.quality_records(tiny_gateway, Q1_2021, "no-such-indicator")
    assert nothing.records.is_empty() and nothing.matching == 0

    newest = queries.quality_records(tiny_gateway, Q1_2021, "stalking_without_sash", max_rows=2)
    assert newest.records.height == 2 and newest.matching == 6
    assert newest.caption == "The newest 2 of 6 records are listed; the download holds all 6."
    every = queries.quality_records(tiny_gateway, Q1_2021, "stalking_without_sash", None)
    assert every.records.height == every.matching == 6
    assert every.records.head(2).equals(newest.records)


def test_da_flagged_offences_with_a_party_under_16_are_counted_and_listed(tmp_path) -> None:
    """Domestic abuse is between people aged 16 or over: T2 (DA, victim 15) and T5 (DA,
    suspect 14) are counted; T3 (non-DA, victim 12), T8 (DA, victim 16) and DA offences of no
    recorded age are not. The denominator is the DA stalking offences of Q1 2021: T1 T2 T5 T8."""
    from stalking_profile.measures import quality
    from tests.conftest import TINY_OFFENCES, tiny_database

    ages = {"T2": (15, 30), "T3": (12, 40), "T5": (33, 14), "T8": (16, 16)}
    offences = [
        {**row, "victim_age": ages.get(row["crime_ref"], (None, None))[0]}
        | {"suspect_age": ages.get(row["crime_ref"], (None, None))[1]}
        for row in TINY_OFFENCES
    ]
    gateway = tiny_database(tmp_path / "aged.duckdb", offences)
    try:
        table = quality.quality_indicators(queries.quality_counts(gateway, Q1_2021))
        row = table.filter(pl.col("indicator") == "da_party_under_16").row(0, named=True)
        assert (row["numerator"], row["denominator"]) == (2, 4)
        assert "Domestic Abuse Act 2021" in row["definition"]
        listed = queries.quality_records(gateway, Q1_2021, "da_party_under_16")
        assert sorted(listed.records["crime_ref"].to_list()) == ["T2", "T5"]
        assert listed.records.sort("crime_ref")["victim_age"].to_list() == [15, 33]
    finally:
        gateway.close()
    assert "da_party_under_16" not in {i.key for i in quality.indicators_for("non_domestic")}
    assert "da_party_under_16" in {i.key for i in quality.indicators_for("all", ("harassment",))}


def test_small_gaps_use_an_exact_test_and_every_gap_has_an_interval() -> None:
    """Issue 12, fault 7: DA against non-DA on small counts used the z-test, carried no
    interval, and each of a table's many tests was read at p < 0.05 alone."""
    from stalking_profile.measures import rates as r

    assert r.proportion_difference_test(3, 10, 9, 12)[1] == "mid-p exact"
    assert r.proportion_difference_test(1226, 5669, 64, 460)[1] == "z-test"
    rates_frame = pl.DataFrame(
        {
            "flag": ["arrest_made"] * 4,
            "label": ["Arrest rate"] * 4,
            "district_code": ["A", "A", "B", "B"],
            "category": ["domestic", "non_domestic"] * 2,
            "numerator": [3, 9, 300, 310],
            "denominator": [10, 12, 1000, 1000],
        }
    ).pipe(r.with_rate_columns)
    table = risk.domestic_comparison(rates_frame)
    small = table.filter(pl.col("district_code") == "A").row(0, named=True)
    assert small["test"] == "mid-p exact"
    assert small["difference_lower"] < small["difference_points"] < small["difference_upper"]
    assert all(table["q_value"] >= table["p_value"])  # the FDR adjustment never lowers a p-value


def test_the_period_table_gives_every_change_an_interval_and_q_values(
    tiny_gateway: Gateway,
) -> None:
    from stalking_profile.measures import volumes

    table = volumes.district_period_table(
        queries.offence_counts(tiny_gateway, Q1_2021),
        queries.offence_counts(tiny_gateway, Q1_2021.previous()),
        ["A", "B", "C"],
    )
    tested = table.filter(pl.col("previous") > 0)
    assert (tested["change_lower"] <= tested["change_pct"]).all()
    assert (tested["change_pct"] <= tested["change_upper"]).all()
    assert (table.drop_nulls("p_value")["q_value"] >= table.drop_nulls("p_value")["p_value"]).all()


def _follow_up(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "is_domestic": pl.Boolean,
            "has_outcome": pl.Boolean,
            "days": pl.Int64,
            "followed_90": pl.Boolean,
            "followed_180": pl.Boolean,
            "offences": pl.Int64,
        },
        orient="row",
    )


def test_outcome_within_counts_only_offences_followed_up_that_long() -> None:
    """Issue 12, fault 8: recent, still-open offences pulled outcome rates down."""
    from stalking_profile.measures import outcomes

    frame = _follow_up(
        [
            (True, True, 30, True, True, 4),  # outcome within 90 days
            (True, True, 120, True, True, 2),  # outcome after 90, within 180
            (True, False, 200, True, True, 4),  # open, followed 200 days
            (True, False, 20, False, False, 10),  # recorded 20 days ago: too recent for both
        ]
    )
    table = outcomes.outcome_within(frame).filter(pl.col("category") == "domestic")
    by_label = {r["label"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}
    assert by_label == {"Outcome within 90 days": (4, 10), "Outcome within 180 days": (6, 10)}
    assert table["followed_share"].to_list() == [0.5, 0.5]


def test_outcome_within_names_both_horizons_when_there_are_no_offences() -> None:
    """Helper 59: with no offences, the table had a row per category and no label, not "Outcome
    within 90 days" and "... 180 days" at 0 of 0."""
    from stalking_profile.measures import outcomes

    table = outcomes.outcome_within(_follow_up([]))
    assert table.select("label", "category", "numerator", "denominator").rows() == [
        (f"Outcome within {h} days", category, 0, 0)
        for h in (180, 90)
        for category in ("all", "domestic", "non_domestic")
    ]
    assert table["rate"].null_count() == 6


def test_outcome_within_by_month_leaves_out_months_not_yet_followed_up() -> None:
    """Issue 12, fault 8: a month whose offences have not all had 90 days reads low only
    because they are open. By hand: October has 10 DA offences, 6 with an outcome within 90
    days (one of them on day 91 does not count); November has one offence recorded too
    recently, so the whole month is left out, not read as 2 of 5."""
    from datetime import date

    from stalking_profile.measures import outcomes

    oct_, nov = date(2021, 10, 1), date(2021, 11, 1)
    frame = pl.DataFrame(
        [
            (oct_, True, True, 30, True, True, 5),
            (oct_, True, True, 90, True, True, 1),
            (oct_, True, True, 91, True, True, 1),
            (oct_, True, False, 100, True, False, 3),
            (nov, True, True, 10, True, False, 2),
            (nov, True, False, 60, False, False, 3),
        ],
        schema=[
            "recorded_month",
            "is_domestic",
            "has_outcome",
            "days",
            "followed_90",
            "followed_180",
            "offences",
        ],
        orient="row",
    )
    table = outcomes.outcome_within_by_month(frame).filter(pl.col("category") == "domestic")
    assert table.select("recorded_month", "numerator", "denominator").rows() == [(oct_, 6, 10)]
    assert table["rate"].item() == pytest.approx(0.6)
    # the extract date's 90 days back: 31 January 2022 -> offences from 3 November 2021 on
    assert outcomes.first_incomplete_month(date(2022, 1, 31)) == nov
    assert outcomes.first_incomplete_month(date(2021, 12, 29)) == oct_  # 30 Sep + 90 = 29 Dec
    assert outcomes.first_incomplete_month(date(2021, 12, 28)) == date(2021, 9, 1)


def test_kaplan_meier_median_by_hand() -> None:
    """Open offences are censored at their follow-up, not dropped: 40 offences, 10 outcomes
    on day 1, 10 followed up 2 days with none, 10 outcomes on day 3 and 10 on day 4. The
    survival is 30/40 = 0.75 after day 1 and 0.75 x (1 - 10/20) = 0.375 after day 3, so the
    median is day 3 (dropping the open ten would give 10/30 then 20/30: also day 3, but by
    luck - shift them and it differs, below)."""
    from stalking_profile.measures import outcomes

    frame = _follow_up(
        [
            (True, True, 1, False, False, 10),
            (True, False, 2, False, False, 10),
            (True, True, 3, False, False, 10),
            (True, True, 4, False, False, 10),
        ]
    )
    row = (
        outcomes.time_to_outcome(frame).filter(pl.col("category") == "domestic").row(0, named=True)
    )
    assert (row["offences"], row["offences_with_outcome"], row["median_days"]) == (40, 30, 3.0)
    open_long = _follow_up(
        [
            (True, True, 1, False, False, 10),
            (True, True, 3, False, False, 10),
            (True, True, 4, False, False, 10),
            (True, False, 400, True, True, 30),  # thirty still open after 400 days
        ]
    )
    row = (
        outcomes.time_to_outcome(open_long)
        .filter(pl.col("category") == "domestic")
        .row(0, named=True)
    )
    assert row["median_days"] is None and "under half" in row["note"]  # not "3 days"


def test_outcome_rates_are_not_on_the_scorecard() -> None:
    from stalking_profile.measures import scorecard

    assert not {"outcome_1_8_rate", "outcome_16_rate"} & {i.key for i in scorecard.INDICATORS}


def test_kaplan_meier_from_one_row_per_day_is_the_curve_from_every_row(demo_gateway) -> None:
    """time_to_outcome sums the follow-up rows to one per day and event before fitting; the
    median and its interval are those lifelines fits on the rows as the query gives them
    (month by month, split by follow-up), for DA, non-DA and all."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    from stalking_profile import queries
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.measures import outcomes

    info = queries.dataset_info(demo_gateway)
    districts = tuple(queries.districts(demo_gateway)["district_code"].to_list())
    flt = ProfileFilter(info.first_month, info.last_month, districts, "all", ("stalking",))
    follow_up = queries.outcome_follow_up(demo_gateway, flt)
    result = outcomes.time_to_outcome(follow_up)
    for category, rows in (
        ("domestic", follow_up.filter(pl.col("is_domestic"))),
        ("non_domestic", follow_up.filter(~pl.col("is_domestic"))),
        ("all", follow_up),
    ):
        rows = rows.filter(pl.col("offences") > 0)
        assert rows.height > rows.select("days", "has_outcome").n_unique()  # rows to collapse
        fitter = KaplanMeierFitter().fit(
            rows["days"].to_numpy(), rows["has_outcome"].to_numpy(), weights=rows["offences"]
        )
        lower, upper = sorted(median_survival_times(fitter.confidence_interval_).to_numpy()[0])
        shown = result.filter(pl.col("category") == category).row(0, named=True)
        assert shown["median_days"] == pytest.approx(fitter.median_survival_time_)
        assert (shown["median_lower"], shown["median_upper"]) == pytest.approx((lower, upper))


@pytest.mark.parametrize("seed", range(6))
def test_kaplan_meier_median_is_lifelines_median_and_interval(seed: int) -> None:
    """kaplan_meier_median against lifelines' KaplanMeierFitter on random weighted data with
    ties, outcomes on day 0 and heavy censoring (some curves never fall to half)."""
    import numpy as np
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    from stalking_profile.measures import outcomes

    rng = np.random.default_rng(seed)
    rows = int(rng.integers(5, 400))
    days = rng.integers(0, 60, rows)
    event = rng.random(rows) < (0.2 + 0.15 * seed)
    weights = rng.integers(1, 40, rows)
    fitter = KaplanMeierFitter().fit(days, event, weights=weights)
    expected = [
        fitter.median_survival_time_,
        *sorted(median_survival_times(fitter.confidence_interval_).to_numpy()[0]),
    ]
    median, *bounds = outcomes.kaplan_meier_median(days, event, weights)
    assert [median, *sorted(bounds)] == pytest.approx(expected)
