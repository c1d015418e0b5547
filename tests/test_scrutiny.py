"""The scrutiny loop (issue 18): reproducible stratified dip samples, answers that survive a
restart and are audited, summaries beside the population, and the recommendations tracker
with exactly what the seed states."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from stalking_profile.access import Access, AccessDenied, Role
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.operational import audit, open_store
from stalking_profile.scrutiny import questions, reviews, tracker
from stalking_profile.scrutiny.sampling import draw_sample
from tests.conftest import as_read, charts

ANALYST = Access.for_role("panel.analyst", Role.ANALYST)
ADMIN = Access.command_line("test")
YEAR = ProfileFilter(
    date(2020, 10, 1), date(2021, 9, 1), ("BD", "CD", "KD", "LD", "WD"), "all", ("stalking",)
)


@pytest.fixture
def store(tmp_path: Path):
    return open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")


def test_the_same_seed_draws_the_same_sample_and_another_seed_differs(demo_gateway: Gateway):
    offences = reviews.population(demo_gateway.scoped(ANALYST), YEAR)
    first = draw_sample(offences, 15, seed=2024)
    again = draw_sample(offences.sample(fraction=1.0, shuffle=True, seed=1), 15, seed=2024)
    other = draw_sample(offences, 15, seed=2025)
    assert first.equals(again)  # the row order of the population does not matter
    assert not first["crime_ref"].equals(other["crime_ref"])
    per_group = first.group_by("district_code", "is_domestic").len()
    assert per_group.height == 10  # every district x DA group
    assert per_group["len"].to_list() == [15] * 10
    assert first["crime_ref"].n_unique() == 150
    assert set(first["crime_ref"]) <= set(offences["crime_ref"])


def test_a_small_group_gives_all_its_offences():
    population = pl.DataFrame(
        {"crime_ref": ["a", "b", "c"], "district_code": ["X", "X", "Y"], "is_domestic": [True] * 3}
    )
    sample = draw_sample(population, 5, seed=1)
    assert sorted(sample["crime_ref"]) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="at least one case"):
        draw_sample(population, 0, seed=1)


def test_answers_survive_a_restart_and_are_audited(demo_gateway: Gateway, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    store = open_store(url)
    question_set = questions.question_sets(store)[0]
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 2, 7, question_set, "Panel", ANALYST
    )
    case = sample.cases["crime_ref"][0]
    key = next(q.key for q in question_set.questions if q.answer == "yes_no_partly_na")
    reviews.record_answer(store, sample, case, question_set, key, "partly", "no plan", ANALYST)
    restarted = open_store(url)  # a new process would open the same store
    kept = reviews.load(restarted, sample.sample_id, ANALYST)
    assert kept.cases.equals(sample.cases) and kept.seed == 7
    answer = reviews.answers(restarted, kept, ANALYST).row(0, named=True)
    assert (answer["crime_ref"], answer["answer"], answer["note"]) == (case, "partly", "no plan")
    trail = audit.events(restarted, ADMIN)
    assert trail["action"].to_list()[:2] == ["review answer", "dip sample drawn"]
    # a change, and a withdrawal, keep in the trail what they replaced (helper 74: the answer
    # was overwritten, and the event named only the new one, so an earlier note was lost)
    reviews.record_answer(store, sample, case, question_set, key, "partly", "a plan", ANALYST)
    reviews.withdraw_answer(store, sample, case, key, ANALYST)
    withdrawn, changed = audit.events(store, ADMIN)["detail"].to_list()[:2]
    assert changed.startswith(f"{sample.sample_id} {case} {key}: partly; note: a plan (it ")
    assert "(it replaced: partly; note: no plan; recorded by panel.analyst at " in changed
    assert withdrawn.startswith(f"{sample.sample_id} {case} {key}: withdrawn (it replaced: ")
    assert "partly; note: a plan; recorded by panel.analyst" in withdrawn
    assert trail["username"][0] == "panel.analyst"


def test_a_wrong_answer_or_case_is_refused(demo_gateway: Gateway, store):
    question_set = questions.question_sets(store)[0]
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 1, 1, question_set, "", ANALYST
    )
    key = next(q.key for q in question_set.questions if q.answer == "yes_no_partly_na")
    with pytest.raises(ValueError, match="one of yes, no, partly, not applicable"):
        reviews.record_answer(
            store, sample, sample.cases["crime_ref"][0], question_set, key, "maybe", "", ANALYST
        )
    with pytest.raises(ValueError, match="not a case of this sample"):
        reviews.record_answer(store, sample, "NOT-IN-IT", question_set, key, "yes", "", ANALYST)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.STRATEGIC, Role.ADMINISTRATOR])
def test_only_analysts_draw_samples(demo_gateway: Gateway, store, role: Role):
    who = Access.for_role("x", role)
    question_set = questions.question_sets(store)[0]
    with pytest.raises(AccessDenied):
        reviews.draw(demo_gateway.scoped(who), store, YEAR, 1, 1, question_set, "", who)
    with pytest.raises(AccessDenied):
        reviews.population(demo_gateway.scoped(who), YEAR)


def test_the_summary_counts_yes_out_of_answered_with_an_interval(demo_gateway, store):
    question_set = questions.question_sets(store)[0]
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 2, 3, question_set, "", ANALYST
    )
    key = next(q.key for q in question_set.questions if q.answer == "yes_no_partly_na")
    refs = sample.cases["crime_ref"].to_list()
    for ref, answer in zip(refs[:5], ["yes", "yes", "no", "partly", "not applicable"], strict=True):
        reviews.record_answer(store, sample, ref, question_set, key, answer, "", ANALYST)
    row = (
        reviews.summary(sample, reviews.answers(store, sample, ANALYST), question_set)
        .filter(question_key=key)
        .row(0, named=True)
    )
    assert (row["numerator"], row["denominator"], row["partly"]) == (2, 4, 1)
    assert row["rate"] == 0.5 and row["lower"] < 0.2 and row["upper"] > 0.8  # Wilson, n = 4


def test_a_filter_with_no_offence_draws_no_sample_and_keeps_none(demo_gateway: Gateway, store):
    """Calderdale non-DA, January 2019 (no offence): "Drew 0 cases from 0 offences", and the
    empty sample was kept and listed with the others."""
    who = Access.for_role("analyst", Role.ANALYST)
    empty = ProfileFilter(date(2019, 1, 1), date(2019, 1, 1), ("CD",), "non_domestic")
    question_set = questions.question_sets(store)[0]
    with pytest.raises(ValueError, match="no offence matches the filter"):
        reviews.draw(demo_gateway.scoped(who), store, empty, 3, 1, question_set, "", who)
    assert reviews.samples(store, who).is_empty()


def test_the_sample_is_compared_with_every_offence_it_was_drawn_from(demo_gateway, store):
    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 2, 3, question_set, "", ANALYST
    )
    for ref in sample.cases["crime_ref"].to_list()[:4]:
        reviews.record_answer(
            store, sample, ref, question_set, "dash_completed", "yes", "", ANALYST
        )
    offences = reviews.population(demo_gateway.scoped(ANALYST), YEAR)
    compared = reviews.compared_with_population(
        sample, reviews.answers(store, sample, ANALYST), question_set, offences
    )
    dash = compared.filter(question_key="dash_completed").row(0, named=True)
    assert (dash["sample_numerator"], dash["sample_denominator"]) == (4, 4)
    groups = sample.cases.head(4).select("district_code", "is_domestic").unique()
    drawn_from = offences.join(groups, on=["district_code", "is_domestic"])
    assert dash["group_offences"] == drawn_from.height
    assert dash["numerator"] == drawn_from["dash_completed"].fill_null(False).sum()


def test_a_sample_answered_as_the_records_read_matches_them(demo_gateway, store):
    """A helper agent's trial: a sample answered true to the records read "Domestic-abuse
    link" 50% against 92.5% of all offences (the sample takes as many cases from each
    district and DA group), and DASH completion among DA cases (non-DA ones answered "not
    applicable") against all offences' 84.5%. The records' rate is now each group's rate
    weighted by its share of the cases answered: the same 50%, and the DA groups' DASH."""
    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 3, 7, question_set, "", ANALYST
    )
    offences = reviews.population(demo_gateway.scoped(ANALYST), YEAR)
    records = sample.cases.join(offences, on=["crime_ref", "district_code", "is_domestic"])
    for case in records.iter_rows(named=True):
        truth = {
            "domestic_abuse_link": "yes" if case["is_domestic"] else "no",
            "dash_completed": ("yes" if case["dash_completed"] else "no")
            if case["is_domestic"]
            else "not applicable",
        }
        for key, answer in truth.items():
            reviews.record_answer(
                store, sample, case["crime_ref"], question_set, key, answer, "", ANALYST
            )
    compared = reviews.compared_with_population(
        sample, reviews.answers(store, sample, ANALYST), question_set, offences
    )
    link = compared.filter(question_key="domestic_abuse_link").row(0, named=True)
    assert link["sample_rate"] == pytest.approx(0.5) and link["rate"] == pytest.approx(0.5)
    # the sample is drawn by the DA flag: that rate is the cases' own flag, exact, not an
    # estimate of every offence with an interval of no width (helper 65: "33.3 to 33.3")
    assert link["lower"] is None and link["upper"] is None
    dash = compared.filter(question_key="dash_completed").row(0, named=True)
    by_district = (
        offences.filter("is_domestic")
        .group_by("district_code")
        .agg(pl.col("dash_completed").fill_null(False).mean())
    )
    assert dash["rate"] == pytest.approx(by_district["dash_completed"].mean())
    assert dash["group_offences"] == offences.filter("is_domestic").height
    assert dash["lower"] < dash["rate"] < dash["upper"]


def test_screening_answered_for_stalking_alone_is_set_against_stalking(demo_gateway, store):
    """Helper 80: a sample of stalking and harassment, S-DASH answered true to the records for
    stalking and "not applicable" for harassment (as the set says), read 31% against 19% "of
    every offence": its groups' harassment was counted too. The records' rate now weighs each
    group's offence types as the cases answered do; and each case shows its offence type."""
    both = replace(YEAR, offence_types=("stalking", "harassment"))
    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, both, 6, 2024, question_set, "", ANALYST
    )
    offences = reviews.population(demo_gateway.scoped(ANALYST), both)
    sample = reviews.with_offence_types(sample, offences)
    assert set(sample.cases["offence_type"]) == {"stalking", "harassment"}
    records = sample.cases.join(offences.drop("offence_type"), on="crime_ref")
    for case in records.iter_rows(named=True):
        stalking = case["offence_type"] == "stalking"
        answer = ("yes" if case["sash_completed"] else "no") if stalking else "not applicable"
        reviews.record_answer(
            store, sample, case["crime_ref"], question_set, "sash_completed", answer, "", ANALYST
        )
    compared = reviews.compared_with_population(
        sample, reviews.answers(store, sample, ANALYST), question_set, offences
    )
    sash = compared.filter(question_key="sash_completed").row(0, named=True)
    answered = records.filter(offence_type="stalking")
    weights = answered.group_by("district_code", "is_domestic").agg(pl.len() / answered.height)
    rates = (
        offences.filter(offence_type="stalking")
        .group_by("district_code", "is_domestic")
        .agg(pl.col("sash_completed").fill_null(False).mean().alias("rate"))
    )
    expected = weights.join(rates, on=["district_code", "is_domestic"])
    assert sash["rate"] == pytest.approx((expected["len"] * expected["rate"]).sum())
    assert (
        sash["group_offences"]
        == offences.filter(offence_type="stalking")
        .join(weights, on=["district_code", "is_domestic"])
        .height
    )
    report = reviews.panel_report(sample, question_set, reviews.answers(store, sample, ANALYST))
    assert "| Case | District | DA | Offence |" in report and " | harassment |" in report


def test_the_question_set_templates_are_the_seeds_panels():
    sets = {s.key: s for s in questions.templates()}
    assert len(sets["opcc_2022_supervision"].questions) == 11
    assert len(sets["opcc_2023_hub"].questions) == 24
    texts = " ".join(q.text for q in sets["opcc_2022_supervision"].questions)
    for asked in ("initial response", "kept informed", "DASH", "SASH", "safeguarding"):
        assert asked in texts


def test_the_stalking_panels_set_is_offered_first(store):
    """Helper 65: the draw form's default was the Crime and Incident Hub's set (by name),
    which never mentions stalking; the stalking panel's, whose DASH, SASH and DA questions are
    compared with the dashboard's measures, comes first."""
    sets = {s.key: s for s in questions.question_sets(store)}
    first = sets[questions.in_drawing_order(sets)[0]]
    assert "stalking" in first.name and any(q.measure for q in first.questions)
    assert sorted(questions.in_drawing_order(sets)) == sorted(sets)


def test_a_bad_question_set_is_explained():
    with pytest.raises(ValueError, match=r"question 1 .* needs a key"):
        questions.parse("x", {"question": [{"key": "Bad Key", "text": "Q?"}]})
    with pytest.raises(ValueError, match="at least one"):
        questions.parse("x", {"name": "empty"})
    # helper 62: `[question]` for `[[question]]`, or a string, stopped the Dip samples page
    # with an AttributeError the upload did not catch
    import tomllib

    for text in ('[question]\nkey = "a"\ntext = "b"', 'question = "abc"', "question = [1, 2]"):
        with pytest.raises(ValueError, match=r"a list of \[\[question\]\] tables"):
            questions.parse("x", tomllib.loads(text))


# ---- the recommendations tracker ----------------------------------------------------------


def test_the_tracker_shows_every_recommendation_and_only_what_the_seed_states(store):
    table = tracker.tracker(store, example=True)
    assert sorted(table["number"].unique()) == list(range(1, 19))
    updates = table.filter(pl.col("update_date").is_not_null())
    dates = updates.group_by("number").agg(pl.col("update_date").sort()).sort("number")
    for number, when in dates.iter_rows():
        expected = (
            ["2024-06-01"] if number in (5, 18) else ["2023-07-01", "2024-02-01", "2024-06-01"]
        )
        assert when == expected, number
    stated = updates.filter(pl.col("status") != tracker.NOT_STATED)
    assert sorted(stated.select("number", "update_date", "status").rows()) == [
        (7, "2024-02-01", "Ongoing activity"),
        (9, "2024-02-01", "No progress"),
        (10, "2024-02-01", "No progress"),
        (13, "2024-02-01", "No progress"),
    ]
    owners = dict(table.select("number", "owner").unique().iter_rows())
    assert owners[5] == "courts" and owners[18] == "commissioner's office"


def test_the_tracker_timeline_keeps_its_row_labels_on_the_chart(store):
    """The recommendations' row labels (number and theme) were cut at the chart's left edge
    (a 10 px margin and no automargin). The axis now makes room for its labels, each label is
    short enough to leave the chart room, and the whole theme is in the hover."""
    long = "Civil orders: a dashboard of applications, orders made and their breaches"
    table = tracker.tracker(store, example=True).with_columns(
        theme=pl.when(pl.col("number") == 3).then(pl.lit(long)).otherwise(pl.col("theme"))
    )
    figure = tracker.timeline_figure(table, "Recommendations")
    assert figure.layout.yaxis.automargin is True
    rows = list(figure.layout.yaxis.categoryarray)
    assert len(rows) == 18 and all(len(row) <= tracker.ROW_LABEL_CHARACTERS for row in rows)
    assert f"3. {long}"[:40] in " ".join(rows)  # cut short, with an ellipsis
    themes = {f"{n}. {t}" for n, t in table.select("number", "theme").unique().iter_rows()}
    assert {point[0] for trace in figure.data for point in trace.customdata} == themes


def test_the_tracker_timeline_tells_statuses_apart_by_shape_not_colour_alone(store):
    """Amber and red markers differed in hue alone, every one a square, and amber's was
    2.25:1 on white (helper 52's accessibility audit): each RAG status has its own shape and
    every marker an outline."""
    table = tracker.tracker(store, example=True)
    figure = tracker.timeline_figure(table, "Recommendations")
    symbols = {trace.name.lower(): trace.marker.symbol for trace in figure.data}
    assert len(symbols) >= 3 and len(set(symbols.values())) == len(symbols), symbols
    assert all(trace.marker.line.color == "#333333" for trace in figure.data)


def test_a_tracker_export_reimports_unchanged(store, tmp_path: Path):
    exported = tmp_path / "tracker.csv"
    tracker.export_frame(tracker.tracker(store, example=True)).write_csv(exported)
    report = tracker.import_tracker(store, exported, ADMIN)
    assert (report.added, report.changed, report.unchanged) == (0, 0, 50)
    assert report.refused.is_empty()


def test_the_pages_tracker_download_reimports_unchanged(store):
    """Helper 65: the Recommendations page's download (provenance lines, then the table with
    a quote before text a spreadsheet would run) was refused on import ("a quote that opens on
    row 11"), and without its first lines every update starting "- " read as changed (50
    earlier versions stored). It re-imports as it was, rows numbered as in the file, and the
    report names the file uploaded."""
    import io
    from datetime import UTC, datetime

    from stalking_profile import exports

    table = tracker.tracker(store, example=True)
    edited = tracker.export_frame(table).with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("- partly done"))
        .when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("1,500"))  # exported as 1500, and read back as a change (helper 74)
        .otherwise(pl.col("progress"))
        .alias("progress")
    )
    first = tracker.import_tracker(store, io.BytesIO(edited.write_csv().encode()), ADMIN)
    assert first.changed == 2
    provenance = exports.Provenance(
        title="recommendations",
        filter_text="",
        force_name="Example Police",
        extract_date=date(2022, 1, 31),
        source="recommendations tracker",
        synthetic=False,
        suppressed_below=0,
        exported_by="ana",
        exported_at=datetime(2026, 12, 6, 9, 30, tzinfo=UTC),
    )
    exported = tracker.export_frame(tracker.tracker(store))
    download = exports.csv_bytes(exported, provenance, as_written=True)  # as the page's is
    assert b"'- partly done" in download  # guarded in the file, as a spreadsheet needs
    assert b',"1,500"' in download
    upload = io.BytesIO(download)
    upload.name = "recommendations.csv"
    report = tracker.import_tracker(store, upload, ADMIN)
    assert (report.added, report.changed, report.unchanged) == (0, 0, 50)
    # a bad row is numbered as a spreadsheet shows it: after the provenance lines, the header
    # and the 50 updates (a record whose quoted text holds a line break is one row)
    lines = download.decode().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("number,"))
    lines.append("x,Data,Dashboards,force,,2024-11-01,Amber,")
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "recommendations.csv"
    refused = tracker.import_tracker(store, upload, ADMIN).refused
    assert refused["row_number"].to_list() == [header + 1 + 50 + 1] and header > 0


def test_a_tracker_file_with_bad_rows_reports_each_and_keeps_the_good(store, tmp_path: Path):
    tracker.tracker(store, example=True)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        "9,Data,Dashboards,force,,2024-11-01,Amber,Dashboard built\n"
        "x,Data,Dashboards,force,,2024-11-01,Amber,\n"
        "9,Data,Dashboards,the mayor,,01/11/2024,,\n"
        # a 23-digit number stopped the page (OverflowError, with its traceback); "²" passed
        # str.isdigit and stopped int(); an update dated after today is refused on the page
        "99999999999999999999999,Data,Dashboards,force,,2024-11-01,Amber,\n"
        "²,Data,Dashboards,force,,2024-11-01,Amber,\n"
        "9,Data,Dashboards,force,,2999-01-01,Amber,\n",
        encoding="utf-8",
    )
    report = tracker.import_tracker(store, bad, ADMIN)
    assert report.added == 1
    assert sorted(set(report.refused["row_number"])) == [3, 4, 5, 6, 7]
    reasons = report.refused.filter(row_number=4)["column_name"].to_list()
    assert reasons == ["owner", "update_date", "status"]
    for row in (5, 6):
        (refusal,) = report.refused.filter(row_number=row).iter_rows(named=True)
        assert refusal["column_name"] == "number" and "up to 9,999" in refusal["reason"]
    (future,) = report.refused.filter(row_number=7).iter_rows(named=True)
    assert future["reason"] == "an update dated today or before"
    latest = (
        tracker.tracker(store, example=True)
        .filter(number=9)
        .sort("update_date")["status"]
        .to_list()
    )
    assert latest[-1] == "Amber"


def test_a_tracker_date_is_written_as_yyyy_mm_dd_or_refused(store, tmp_path: Path):
    """Helper 70: 20261201 and 2024-W40-1 (which Python reads as dates) were stored as
    written, and the tracker compares and sorts its dates as text: a recommendation due
    20261201 was not overdue on 7 December 2026, and 20240901 was a second update beside
    2024-09-01."""
    tracker.tracker(store, example=True)
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        "9,Data,Dashboards,force,20261201,2024-09-01,Amber,Dashboard built\n"
        "9,Data,Dashboards,force,,20240901,Green,Dashboard in use\n"
        "9,Data,Dashboards,force,,2024-W40-1,Green,Dashboard in use\n"
        "9,Data,Dashboards,force,,2024-9-1,Green,Dashboard in use\n"
        "9,Data,Dashboards,force,,2024-10-01,Green,Dashboard in use\n",
        encoding="utf-8",
    )
    report = tracker.import_tracker(store, odd, ADMIN)
    assert report.added == 1
    refused = report.refused.select("row_number", "column_name", "value", "reason").rows()
    assert refused == [
        (2, "due_date", "20261201", "a date as YYYY-MM-DD"),
        (3, "update_date", "20240901", "a date as YYYY-MM-DD"),
        (4, "update_date", "2024-W40-1", "a date as YYYY-MM-DD"),
        (5, "update_date", "2024-9-1", "a date as YYYY-MM-DD"),
    ]


def test_a_second_row_for_the_same_update_is_refused_not_counted(store, tmp_path: Path):
    """Two rows for recommendation 9's update of 1 November 2024 (Amber, then Green): the
    report said "2 new updates" while the second overwrote the first."""
    tracker.tracker(store, example=True)
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        "9,Data,Dashboards,force,,2024-11-01,Amber,Dashboard built\n"
        "9,Data,Dashboards,force,,2024-11-01,Green,Dashboard in use\n"
        "9,Data,Dashboards,force,,2024-12-01,Green,Dashboard in use\n",
        encoding="utf-8",
    )
    report = tracker.import_tracker(store, twice, ADMIN)
    assert (report.rows_read, report.added) == (3, 2)
    (refusal,) = report.refused.iter_rows(named=True)
    assert (refusal["row_number"], refusal["column_name"]) == (3, "update_date")
    assert "already has an update of 2024-11-01 on row 2" in refusal["reason"]
    assert report.text().startswith("3 rows read = 2 accepted + 1 refused; 2 new updates")
    stored = tracker.tracker(store, example=True).filter(
        pl.col("number") == 9, pl.col("update_date").cast(pl.String) == "2024-11-01"
    )
    assert stored["status"].to_list() == ["Amber"]


def test_a_tracker_file_is_read_as_the_importer_reads_an_extract(store, tmp_path: Path):
    """Helper 62: "01" beside "1" passed the check for a second row of one update (two "new
    updates", one stored, and every import of the file again "1 changed" with another
    revision); a row of an extra field, UTF-16 and CR-only line endings refused the whole file
    in Polars' words or as having no columns; a blank line was refused with five reasons; a
    NUL byte and an escape code were stored. Each is now read, or refused on its row."""
    header = "number,theme,text,owner,due_date,update_date,status,progress"
    rows = [
        header,
        "1,T,Text,force,2024-01-01,2024-02-01,red,first words",
        "01,T,Text,force,2024-01-01,2024-02-01,green,second words",
        "",
        "2,T,Te\x07xt,force,2024-01-01,2024-02-01,re\x1bd,",
        "3,T,Text,force,2024-01-01,2024-02-01,red,words,extra",
        "4,T,Text,force,2024-01-01,2024-02-01,amber,fine",
    ]
    path = tmp_path / "tracker.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tracker.import_tracker(store, path, ADMIN)
    refused = {row["row_number"]: row for row in report.refused.iter_rows(named=True)}
    assert sorted(refused) == [3, 5, 6] and report.added == 2
    assert "recommendation 1 already has an update of 2024-02-01 on row 2" in refused[3]["reason"]
    assert "control character" in refused[5]["reason"]
    assert "expected 8 fields, found 9" in refused[6]["reason"]
    again = tracker.import_tracker(store, path, ADMIN)
    assert (again.added, again.changed) == (0, 0)
    for encoding, newline in (("utf-16", "\n"), ("utf-8", "\r")):
        other = tmp_path / f"tracker-{encoding}.csv"
        other.write_bytes(newline.join([header, rows[-1]]).encode(encoding))
        assert tracker.import_tracker(store, other, ADMIN).refused.is_empty()


def test_a_commissioners_office_may_update_the_tracker_a_strategic_lead_may_not(store):
    tracker.tracker(store, example=True)
    tracker.record_update(
        store, 1, date(2024, 11, 1), "Green", "Funded", Access.for_role("pcc", Role.COMMISSIONER)
    )
    with pytest.raises(AccessDenied):
        tracker.record_update(
            store, 1, date(2024, 12, 1), "Green", "", Access.for_role("lead", Role.STRATEGIC)
        )
    with pytest.raises(ValueError, match="no recommendation 99"):
        tracker.record_update(store, 99, date(2024, 12, 1), "Green", "", ADMIN)
    assert "tracker update" in audit.events(store, ADMIN)["action"].to_list()


def test_a_second_update_on_the_same_date_keeps_the_first_in_the_history(store):
    """A helper agent's trial: Amber for recommendation 1 on 15 January 2025 by alice, then
    Green on the same date by bob: the tracker held only bob's Green, alice's words were gone."""
    tracker.tracker(store, example=True)
    alice = Access.for_role("alice", Role.COMMISSIONER)
    bob = Access.for_role("bob", Role.COMMISSIONER)
    day = date(2025, 1, 15)
    assert tracker.record_update(store, 1, day, "Amber", "Bid drafted", alice).startswith(
        "Recorded the 15 January 2025 update of recommendation 1"
    )
    assert tracker.record_update(store, 1, day, "Amber", "Bid drafted", bob).startswith(
        "Nothing changed"
    )
    done = tracker.record_update(store, 1, day, "Green", "Bid funded", bob)
    assert "(Amber, recorded by alice at " in done and "kept in its history" in done
    earlier_updates, earlier_wordings = tracker.revisions(store)
    (old,) = earlier_updates.iter_rows(named=True)
    assert (old["number"], old["update_date"], old["revision"]) == (1, "2025-01-15", 1)
    assert (old["status"], old["progress"], old["recorded_by"], old["replaced_by"]) == (
        "Amber",
        "Bid drafted",
        "alice",
        "bob",
    )
    history = tracker.tracker(store).filter(number=1)
    text = tracker.history_markdown(history, earlier_updates, earlier_wordings)
    assert "**2025-01-15 · Green** (recorded by bob" in text
    assert "Earlier version 1: **Amber** (recorded by alice" in text and "Bid drafted" in text


def test_an_import_that_changes_an_update_or_rewords_a_recommendation_keeps_the_old(
    store, tmp_path: Path
):
    """Re-importing the force's response of July 2023 with other progress replaced it, and a
    file rewording recommendation 1 (another review's, numbered from 1) rewrote it with no
    trace: "0 changed"."""
    tracker.tracker(store, example=True)
    original = tracker.tracker(store).filter(number=1).row(0, named=True)
    edited = tmp_path / "edited.csv"
    edited.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        f"1,Another review,Reworded,courts,2025-03-31,{original['update_date']},"
        f"{original['status']},Other progress\n",
        encoding="utf-8",
    )
    report = tracker.import_tracker(store, edited, ADMIN)
    assert (report.added, report.changed, report.reworded) == (0, 1, (1,))
    assert "recommendation(s) 1 changed" in report.text()
    assert "earlier version is kept" in report.text()
    earlier_updates, earlier_wordings = tracker.revisions(store)
    assert earlier_updates["progress"].to_list() == [original["progress"]]
    (wording,) = earlier_wordings.iter_rows(named=True)
    assert (wording["text"], wording["owner"], wording["due_date"]) == (
        original["text"],
        original["owner"],
        None,
    )
    again = tracker.import_tracker(store, edited, ADMIN)  # the same file again changes nothing
    assert (again.changed, again.unchanged, again.reworded) == (0, 1, ())
    assert tracker.revisions(store)[1].height == 1


def test_rows_giving_one_recommendation_two_wordings_are_refused(store, tmp_path: Path):
    """Two rows for recommendation 1 with different wording, owner and due date: the last row
    won, over every earlier update, and the report said nothing of it."""
    two = tmp_path / "two.csv"
    two.write_text(
        "number,theme,text,owner,due_date,update_date,status,progress\n"
        "1,Data,Dashboards,force,2024-12-31,2024-01-01,Amber,\n"
        "1,Data,Another wording,courts,,2024-02-01,Green,\n"
        "1,Data,Dashboards,force,2024-12-31,2024-03-01,Green,\n",
        encoding="utf-8",
    )
    report = tracker.import_tracker(store, two, ADMIN)
    assert report.added == 2
    (refusal,) = report.refused.iter_rows(named=True)
    assert (refusal["row_number"], refusal["column_name"]) == (3, "text")
    assert "has another text, owner, due_date on row 2" in refusal["reason"]
    assert set(tracker.tracker(store)["text"]) == {"Dashboards"}


def test_a_recommendation_is_overdue_only_past_its_due_date_and_not_stated_done():
    table = pl.DataFrame(
        {
            "number": [1, 1, 2, 3, 4, 5, 6, 7],
            "theme": ["t"] * 8,
            "text": ["x"] * 8,
            "owner": ["force"] * 8,
            "due_date": ["2025-01-31"] * 3 + ["2025-02-01", "", None, "2025-01-31", "2025-01-31"],
            "update_date": ["2025-01-01", "2025-01-20", "2025-01-20", None, "2025-01-01", None]
            + ["2025-01-20"] * 2,
            "status": ["Amber", "Complete.", "Amber", None, "Red", None, "Green", "GREEN"],
        }
    )
    latest = tracker.latest(table, today=date(2025, 2, 1))
    assert latest["overdue"].to_list() == [False, True, False, None, None, False, False]
    # 1: stated complete (a full stop too); 2: due yesterday, "Amber" is not done; 3: due
    # today, no update yet; 4 and 5: no due date; 6 and 7: Green, which the scrutiny review's
    # RAG defines as "Recommendation is complete" (helper 80: flagged overdue)
    assert latest.filter(number=1)["status"].item() == "Complete."


# ---- the pages ------------------------------------------------------------------------------


def test_the_dip_samples_page_draws_and_records_an_answer(app_test):
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    assert not at.exception and at.title[0].value == "Dip samples"
    assert any("No dip sample yet" in info.value for info in at.info)
    at.number_input(key="sample_size").set_value(2)
    at.button[0].click().run()  # Draw the sample
    assert not at.exception
    assert any("Drew 20 cases" in s.value for s in at.success)
    # before any answer, the table by district and DA says why it is empty (an empty grid)
    assert any("No case has an answer yet: each district" in c.value for c in at.caption)
    at.radio[0].set_value("yes")
    submit = next(b for b in at.button if b.label == "Save the answers for this case")
    submit.click().run()
    assert any("Saved 1 answer for " in s.value for s in at.success)
    submit = next(b for b in at.button if b.label == "Save the answers for this case")
    submit.click().run()  # again, nothing changed
    assert any(
        s.value.startswith("No answer changed for ") and s.value.endswith(": nothing to save.")
        for s in at.success
    )
    summaries = [frame.value for frame in at.dataframe if "Answered" in frame.value.columns]
    by_question = summaries[0]
    assert by_question["Answered"].iloc[0] == 1 and by_question["Answered yes"].iloc[0] == 1
    assert "Answered partly" in by_question.columns
    assert summaries[1]["Answered"].tolist() == [1]  # its district and DA group
    assert not any("No case has an answer yet: each district" in c.value for c in at.caption)
    kept = next(f.value for f in at.dataframe if "Offences sampled from" in f.value.columns)
    assert kept["Offences sampled from"].iloc[0] > 1000


def test_a_note_without_an_answer_or_a_link_without_answers_is_said_not_saved(app_test):
    """Helper 48's trial: a note typed under a question left unanswered, and a case with no
    answers linked to a recommendation, were dropped while the form said "nothing to save"."""
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(1)
    at.button[0].click().run()
    _note(at).set_value("Officer's notes missing")
    link = next(s for s in at.selectbox if s.label.startswith("Link this case's findings"))
    link.select_index(3)  # recommendation 3 (the first option is none)
    _save(at)
    (warning,) = [w.value for w in at.warning if w.value.startswith("Not saved: ")]
    assert "the note to " in warning and "a note is kept with an answer" in warning
    assert "the link to recommendation 3" in warning
    _answer(at).set_value("no")
    _save(at)
    assert any("Saved 1 answer for " in s.value for s in at.success)
    assert not [w for w in at.warning if w.value.startswith("Not saved: ")]
    # the link alone changed: said so, not "Saved 1 answer" (helper 90: "Saved 12 answers")
    link = next(s for s in at.selectbox if s.label.startswith("Link this case's findings"))
    link.select_index(5)
    _save(at)
    (said,) = [s.value for s in at.success]
    assert said.startswith("Linked its findings to recommendation 5 for "), said
    link = next(s for s in at.selectbox if s.label.startswith("Link this case's findings"))
    link.select_index(0)
    _save(at)
    (said,) = [s.value for s in at.success]
    assert said.startswith("Removed its link to a recommendation for "), said


def test_form_changes_records_what_changed_and_names_what_it_cannot_keep():
    question_set = questions.parse(
        "s",
        {
            "question": [
                {"key": "a", "text": "Was A done?"},
                {"key": "b", "text": "Was B done?"},
                {"key": "why", "text": "Why?", "answer": "free_text"},
            ]
        },
    )
    previous = {"a": {"answer": "yes", "note": "", "recommendation": None}}
    given = {"a": ("yes", ""), "b": ("(not answered)", "typed"), "why": ("Because", "")}
    changes = reviews.form_changes(previous, given, None, question_set)
    assert changes.record == {"why": ("Because", "")} and changes.withdraw == []
    assert changes.not_kept == [
        'the note to "Was B done?" (a note is kept with an answer: choose one, or "not applicable")'
    ]
    # a new link re-records every answer with it; withdrawing the last answer drops a link
    changes = reviews.form_changes(previous, {"a": ("yes", "")}, 2, question_set)
    assert changes.record == {"a": ("yes", "")} and not changes.not_kept
    assert changes.said("C1") == "Linked its findings to recommendation 2 for C1."
    changes = reviews.form_changes(previous, {"a": ("no", ""), "why": ("So", "")}, 2, question_set)
    assert (
        changes.said("C1") == "Saved 2 answers and linked its findings to recommendation 2 for C1."
    )
    changes = reviews.form_changes(previous, {"a": ("(not answered)", "")}, 2, question_set)
    assert changes.withdraw == ["a"] and "recommendation 2" in changes.not_kept[0]
    assert changes.said("C1") == "Withdrew 1 answer for C1."


def test_a_link_changed_beside_a_colleagues_answer_links_the_case_once():
    """Helper 82: the link changed (3 to 5) beside an answer a colleague changed meanwhile
    left that answer linked to 3 and the rest to 5, a case linked twice in every report; and
    a link both changed was overwritten in silence."""
    question_set = questions.parse(
        "s", {"question": [{"key": "a", "text": "Was A done?"}, {"key": "b", "text": "B?"}]}
    )
    drawn = {
        "a": {"answer": "yes", "note": "", "recommendation": 3},
        "b": {"answer": "yes", "note": "", "recommendation": 3},
    }
    stored = {**drawn, "a": {"answer": "no", "note": "", "recommendation": 3}}
    given = {"a": ("partly", ""), "b": ("no", "")}
    changes = reviews.form_changes(drawn, given, 5, question_set, stored)
    assert changes.link == 5 and changes.record == {"a": ("no", ""), "b": ("no", "")}
    assert changes.conflicts == ['"Was A done?" (now "no")']
    relinked = {k: {**row, "recommendation": 4} for k, row in drawn.items()}
    changes = reviews.form_changes(
        drawn, {"a": ("yes", ""), "b": ("yes", "")}, 5, question_set, relinked
    )
    assert changes.link == 4 and changes.record == {}
    assert changes.conflicts == ["the link to a recommendation (now 4)"]


def _supervision_sample(demo_gateway, store, per_group: int, seed: int):
    """The shipped supervision-focus question set and a sample named "Panel" drawn with it
    (for the force's year to September 2021)."""
    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, per_group, seed, question_set, "Panel", ANALYST
    )
    return question_set, sample


def _answer(at):
    """The first question's answer in the chosen case's review form."""
    return at.radio[0]


def _note(at):
    return next(t for t in at.text_input if t.placeholder == "Note (optional)")


def _save(at) -> None:
    """Press the chosen case's Save button."""
    next(b for b in at.button if b.label == "Save the answers for this case").click().run()


def _sample_drawn(app_test, per_group: int):
    """The Dip samples page with a sample of `per_group` cases per district and DA drawn."""
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(per_group)
    at.button[0].click().run()  # Draw the sample
    return at


def test_a_cases_answers_stay_with_that_case(app_test):
    """A helper agent's trial: after answering one case, the next case's form showed the same
    answers and note (every case's widgets had one key, and a widget is known by its key),
    and pressing Save recorded them against that case. Each case's form now shows its own."""
    at = _sample_drawn(app_test, 2)
    cases = at.selectbox(key="review_case").options
    _answer(at).set_value("yes")
    _note(at).set_value("note for case 1")
    _save(at)
    assert any("Saved 1 answer for " in s.value for s in at.success)
    at.selectbox(key="review_case").set_value(cases[1]).run()
    assert _answer(at).value == "(not answered)" and _note(at).value == ""
    _save(at)
    assert any(s.value.startswith("No answer changed for ") for s in at.success)
    at.selectbox(key="review_case").set_value(cases[0]).run()
    assert _answer(at).value == "yes" and _note(at).value == "note for case 1"
    # and an answer set back to "(not answered)" is withdrawn (it had been "nothing to save")
    _answer(at).set_value("(not answered)")
    _save(at)
    assert any(as_read(s.value) == f"Withdrew 1 answer for {cases[0]}." for s in at.success)
    assert _answer(at).value == "(not answered)"
    summaries = [frame.value for frame in at.dataframe if "Answered" in frame.value.columns]
    assert summaries[0]["Answered"].iloc[0] == 0


def test_saving_a_case_keeps_a_colleagues_answer_saved_meanwhile(app_test):
    """Helper 80's trial: A opened a case, B changed its first answer from "yes" to "no", and A,
    without reloading, answered the second question and saved: "Saved 2 answers", and B's
    "no" was undone by the "yes" A's form still showed. Saving records what the form changed;
    where both changed one answer, the colleague's stands and the page says so."""
    import os

    from stalking_profile.access import Access, Role

    at = _sample_drawn(app_test, 1)
    case = at.selectbox(key="review_case").value
    _answer(at).set_value("yes")
    _save(at)
    colleague = Access.for_role("colleague", Role.ANALYST)
    ops = open_store(os.environ["STALKING_PROFILE_STORE"])
    sample = reviews.load(ops, reviews.samples(ops, colleague)["sample_id"][0], colleague)
    question_set = next(s for s in questions.question_sets(ops) if s.key == sample.set_key)
    first, second = (q.key for q in question_set.questions[:2])
    reviews.record_answer(ops, sample, case, question_set, first, "no", "", colleague)
    at.radio[1].set_value("partly")  # A's form still shows "yes" for the first
    _save(at)
    assert any(as_read(s.value) == f"Saved 1 answer for {case}." for s in at.success)
    kept = reviews.answers(ops, sample, colleague).filter(crime_ref=case)
    assert dict(kept.select("question_key", "answer").iter_rows()) == {
        first: "no",
        second: "partly",
    }
    assert _answer(at).value == "no"  # drawn again from the store
    # both change the second: the colleague's stands, and the page says so
    reviews.record_answer(ops, sample, case, question_set, second, "yes", "", colleague)
    at.radio[1].set_value("no")
    _save(at)
    (warning,) = [w.value for w in at.warning if "someone else" in w.value]
    assert '(now "yes")' in as_read(warning)
    kept = reviews.answers(ops, sample, colleague).filter(crime_ref=case)
    assert dict(kept.select("question_key", "answer").iter_rows())[second] == "yes"
    assert at.radio[1].value == "yes"


def test_a_force_databases_dip_sample_loads_no_example_recommendations(app_test, extract_db_path):
    """On a force's own database, drawing a dip sample (its Review cases tab lists the
    recommendations a finding can be linked to) loaded the shipped example tracker, another
    force's review of 18 recommendations, into that force's operational store."""
    import os

    at = app_test(db=extract_db_path).run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(2)
    at.button[0].click().run()  # Draw the sample
    assert not at.exception
    assert any("Drew " in s.value for s in at.success)
    store = open_store(os.environ["STALKING_PROFILE_STORE"])
    assert store.frame("recommendation_updates", tracker.SCHEMA).is_empty()
    at.switch_page("app_pages/recommendations.py").run()
    assert any("No recommendations yet" in info.value for info in at.info)


def _review_heading(at) -> str:
    return next(m.value for m in at.markdown if " cases of " in m.value and "seed" in m.value)


def test_the_comparison_with_every_offence_waits_for_an_answer(app_test):
    """Helper 64: before any case was answered the comparison table read "All offences of the
    groups answered: 0" beside blank rates for every measure. Now it says nothing is answered
    yet, and then shows each measure with an answer."""
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(2)
    at.button[0].click().run()
    waiting = "No case has an answer yet to a question tied to a measure (DASH completed,"
    assert any(c.value.startswith(waiting) for c in at.caption)
    assert not [
        f
        for f in at.dataframe
        if "All offences of the groups and offence types answered" in f.value
    ]
    dash = next(r for r in at.radio if r.label.startswith("Was a DASH assessment undertaken"))
    dash.set_value("yes")
    _save(at)
    compared = next(
        f.value
        for f in at.dataframe
        if "All offences of the groups and offence types answered" in f.value
    )
    assert compared["Measure"].tolist() == ["DASH completed"]
    assert (
        compared["All offences of the groups and offence types answered"].iloc[0] > 0
    )  # the case's group's
    assert not any(c.value.startswith(waiting) for c in at.caption)


def test_a_sample_just_drawn_is_the_one_reviewed(app_test):
    """With a sample kept, drawing another left the sidebar's choice, and so the Review cases
    tab, on the one before: answers went to the wrong sample."""
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(2)
    at.number_input(key="sample_seed").set_value(7)
    at.button[0].click().run()
    assert "seed 7;" in _review_heading(at)
    at.number_input(key="sample_seed").set_value(11)
    at.button[0].click().run()
    assert not at.exception
    assert any("(seed 11," in s.value for s in at.success)
    assert "seed 11;" in _review_heading(at)
    at.run()  # and on the next run
    assert "seed 11;" in _review_heading(at)
    choice = at.selectbox(key="dip_sample_choice")
    choice.select_index(1 - choice.index).run()  # the other one
    assert "seed 7;" in _review_heading(at)


def test_the_recommendations_page_shows_the_timeline_for_every_role(app_test):
    for role in ("commissioner", "strategic", "analyst", "administrator"):
        at = app_test(role=role, require_login=True).run()
        at.switch_page("app_pages/recommendations.py").run()
        assert not at.exception and at.title[0].value == "Recommendations"
        assert charts(at)
        latest = at.dataframe[0].value
        assert latest.shape[0] == 18
        # the demo says whose recommendations these are (a real review's, not the demo force's)
        assert any("Dyfed-Powys" in info.value for info in at.info)
        can_update = any(form for form in at.get("form"))
        assert can_update == (role != "strategic")


def test_an_update_shows_at_once_and_one_dated_after_today_is_refused_keeping_its_text(app_test):
    """A helper agent's trial: after "Record the update" (recommendation 1, Green), the
    success message showed but the latest-status table still read the old status until the
    next click; and an update dated 2031 was recorded, and became the latest."""
    from datetime import timedelta

    at = app_test(role="commissioner", require_login=True).run()
    at.switch_page("app_pages/recommendations.py").run()

    def status_of_1(at) -> str:
        latest = at.dataframe[0].value
        return str(latest[latest.iloc[:, 0] == 1].iloc[0].to_dict())

    assert "Green" not in status_of_1(at)
    at.date_input(key="rec_date").set_value(date.today() + timedelta(days=400))
    at.text_input(key="rec_status").set_value("Green")
    at.text_area(key="rec_progress").set_value("Funding agreed")
    next(b for b in at.button if b.label == "Record the update").click().run()
    assert any("after today" in e.value for e in at.error)
    assert at.text_area(key="rec_progress").value == "Funding agreed"  # kept, to correct
    assert "Green" not in status_of_1(at)
    at.date_input(key="rec_date").set_value(date.today())
    next(b for b in at.button if b.label == "Record the update").click().run()
    assert any("Recorded the " in s.value for s in at.success)
    assert "Green" in status_of_1(at)
    assert at.text_area(key="rec_progress").value == ""
    # the same date again, with other words: changed, and the first version kept and shown
    at.text_input(key="rec_status").set_value("Amber")
    at.text_area(key="rec_progress").set_value("Funding withdrawn")
    next(b for b in at.button if b.label == "Record the update").click().run()
    assert any("kept in its history" in s.value for s in at.success)
    assert "Amber" in status_of_1(at)
    shown = " ".join(m.value for m in at.markdown)
    assert "Earlier version 1: **Green**" in shown and "Funding agreed" in shown
    assert {"Due", "Overdue"} <= set(at.dataframe[0].value.columns)


def test_the_panel_report_has_the_seeds_shape(demo_gateway, store):
    question_set, sample = _supervision_sample(demo_gateway, store, 1, 5)
    case = sample.cases["crime_ref"][0]
    reviews.record_answer(
        store,
        sample,
        case,
        question_set,
        "dash_completed",
        "no",
        "No DASH although a DA link",
        ANALYST,
        recommendation=9,
    )
    recorded = reviews.answers(store, sample, ANALYST)
    text = reviews.panel_report(sample, question_set, recorded, {9: "Performance dashboards"})
    for heading in (
        "## Overview",
        "## Cases drawn",
        "## Findings by case",
        "## Observations",
        "## Summary by question",
    ):
        assert heading in text
    assert f"| {case} | No DASH although a DA link | 9. Performance dashboards |" in text
    assert "Not reviewed yet." in text  # the other cases
    assert "seed 5" in text
    # helper 90: "Cases reviewed: 30" with one case answered
    drawn = sample.cases.height
    assert drawn > 2
    assert f"; 1 reviewed so far, {drawn - 1} not yet." in text
    assert "| yes |" in text and text.count("| not yet |") == drawn - 1
    # record level: marked above and below (helper 90: the marking was in no page)
    assert text.startswith("**OFFICIAL-SENSITIVE**") and text.endswith("**OFFICIAL-SENSITIVE**\n")
    # a reference as written, in the file too (helper 80: "SYN\-BD\-2109\-00417")
    assert f"### Case 1: `{case}`" in text and f"| `{case}` | " in text
    # helper 80: a case with the force's response alone, linked, lost its link in the reports
    other = sample.cases["crime_ref"][1]
    reviews.record_answer(
        store, sample, other, question_set, reviews.FORCE_RESPONSE, "Agreed", "", ANALYST,
        recommendation=9,
    )  # fmt: skip
    recorded = reviews.answers(store, sample, ANALYST)
    seen = reviews.observations(sample, question_set, recorded, {9: "Dashboards"})
    assert {"case": other, "observations": "", "recommendations": "9. Dashboards",
            "response": "Agreed"} in seen  # fmt: skip


def test_the_panel_reports_give_every_case_every_answer_in_words_and_any_text(demo_gateway, store):
    """Helper 48's trial: the PowerPoint's tables stopped at 15 rows without saying so (30
    cases drawn, 15 shown); neither it nor the PDF had the free-text answers (seed 002's
    rationale, positives and negatives); and the PDF read a note as markup ("R&D" came out
    as "R&D;", and "<b>" stopped it)."""
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    from stalking_profile.scrutiny import report

    question_set = next(s for s in questions.question_sets(store) if s.key == "opcc_2023_hub")
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 3, 9, question_set, "Panel", ANALYST
    )
    assert sample.cases.height == 30
    case = sample.cases["crime_ref"][0]
    reviews.record_answer(
        store, sample, case, question_set, "outcome_rationale", "Victim withdrew <b>", "", ANALYST
    )
    reviews.record_answer(
        store, sample, case, question_set, "safeguarding_considered", "no", "R&D note <b>", ANALYST
    )
    recorded = reviews.answers(store, sample, ANALYST)
    deck = Presentation(io.BytesIO(report.pptx_bytes(sample, question_set, recorded)))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert "Cases drawn (1 of 2)" in titles and "Cases drawn (2 of 2)" in titles
    assert "Answers in words" in titles
    cells = set(_table_cells(deck))
    assert set(sample.cases["crime_ref"]) <= cells
    assert {"Victim withdrew <b>", "R&D note <b>"} <= cells
    pdf = report.pdf_bytes(sample, question_set, recorded)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Victim withdrew <b>" in text and "R&D note <b>" in text
    assert all(ref in text for ref in sample.cases["crime_ref"])
    # 1 of the 30 cases answered, said so (helper 90: "Cases reviewed: 30")
    assert "30 cases drawn at random" in text and "1 reviewed so far, 29 not yet" in " ".join(
        text.split()
    )


def test_every_page_of_a_panel_report_carries_its_marking(demo_gateway, store):
    """Helper 90: the PDF and the deck list crime references and the panel's findings, and
    their marking was in the file's properties alone. Every page and slide now says it; the
    demo's synthetic cases say they are synthetic."""
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    from stalking_profile.exports import report_marking
    from stalking_profile.scrutiny import report

    question_set = next(s for s in questions.question_sets(store) if s.key == "opcc_2023_hub")
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 3, 9, question_set, "Panel", ANALYST
    )
    recorded = reviews.answers(store, sample, ANALYST)
    for synthetic, expected in ((False, "OFFICIAL-SENSITIVE"), (True, "SYNTHETIC DATA")):
        marking = report_marking(synthetic)
        assert expected in marking
        deck = report.pptx_bytes(sample, question_set, recorded, None, marking)
        slides = Presentation(io.BytesIO(deck)).slides
        assert len(slides) > 4
        for slide in slides:
            assert marking in [
                shape.text_frame.text for shape in slide.shapes if shape.has_text_frame
            ]
        pdf = report.pdf_bytes(sample, question_set, recorded, None, marking)
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) > 1
        for page in pages:
            assert page.extract_text().count(marking) == 2  # head and foot


def test_the_pdf_gives_the_panels_words_whole_and_the_slides_hold_their_tables(demo_gateway, store):
    """Helper 80: the PDF cut a note at 300 characters (three of a case's four notes lost from
    its observations), and the deck put 15 rows on a slide at 0.35 inch each, so notes ran
    far below its 7.5 inches. The PDF gives them whole; a slide takes the rows that fit; the
    tables give the cases in the sample's order, a case's answers in the set's."""
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    from stalking_profile.scrutiny import report

    question_set = next(s for s in questions.question_sets(store) if s.key == "opcc_2023_hub")
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 2, 9, question_set, "Panel", ANALYST
    )
    chosen = [q.key for q in question_set.questions if q.answer != "free_text"]
    cases = sample.cases["crime_ref"].to_list()
    for number, case in enumerate(reversed(cases)):
        for key in chosen:
            note = f"Note {number} {key} " + "the supervisor reviewed the file " * 9 + "END"
            reviews.record_answer(store, sample, case, question_set, key, "no", note, ANALYST)
    response = "Agreed.\nThe officer was spoken to.\nTraining follows."  # typed over lines
    reviews.record_answer(
        store, sample, cases[0], question_set, reviews.FORCE_RESPONSE, response, "", ANALYST
    )
    recorded = reviews.answers(store, sample, ANALYST)
    pdf = report.pdf_bytes(sample, question_set, recorded)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # each note whole, in the findings by case and in the observations
    assert " ".join(text.split()).count("reviewed the file END") == 2 * len(cases) * len(chosen)
    deck = Presentation(io.BytesIO(report.pptx_bytes(sample, question_set, recorded)))
    bottoms = [
        (shape.top + sum(row.height for row in shape.table.rows)) / 914400
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
    ]
    assert bottoms and max(bottoms) <= 7.5
    # as tall as planned: every line of a cell in 11 pt (helper 82: the lines after a cell's
    # first were left at the default size, so a response typed over lines ran off the slide)
    sizes = {
        paragraph.font.size.pt if paragraph.font.size else None
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
        for paragraph in cell.text_frame.paragraphs
    }
    assert sizes == {11.0}
    findings = [
        [cell.text for cell in row.cells]
        for slide in deck.slides
        if slide.shapes.title.text.startswith("Findings by case")
        for shape in slide.shapes
        if shape.has_table
        for row in list(shape.table.rows)[1:]
    ]
    assert [row[0] for row in findings] == [c for c in cases for _ in chosen]


def test_a_question_set_edited_after_answers_keeps_them_readable(demo_gateway, store):
    """A question removed from a set (saved again under its key) after it was answered: the
    Markdown report stopped with StopIteration, as did an answer to a key no question has."""
    question_set, sample = _supervision_sample(demo_gateway, store, 1, 9)
    case = sample.cases["crime_ref"][0]
    removed = question_set.questions[0]
    reviews.record_answer(store, sample, case, question_set, removed.key, "yes", "", ANALYST)
    edited = questions.QuestionSet(
        question_set.key, question_set.name, question_set.source, question_set.questions[1:]
    )
    recorded = reviews.answers(store, sample, ANALYST)
    text = reviews.panel_report(sample, edited, recorded)
    assert f"({removed.key}: no longer in {edited.name}) **yes**" in text
    with pytest.raises(ValueError, match=f"has no question '{removed.key}'"):
        reviews.record_answer(store, sample, case, edited, removed.key, "yes", "", ANALYST)


def test_the_markdown_report_shows_a_question_and_a_note_as_written(demo_gateway, store):
    """A question set is a file a force writes: a question's text with a bar split its row of
    the summary table, and its tags went into the report as HTML, as a note's bar did."""
    import dataclasses

    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    hostile = "Safeguarding | referral <img src=x onerror=alert(1)>?"
    first = dataclasses.replace(question_set.questions[0], text=hostile)
    question_set = dataclasses.replace(question_set, questions=(first, *question_set.questions[1:]))
    sample = reviews.draw(
        demo_gateway.scoped(ANALYST), store, YEAR, 1, 9, question_set, "Panel", ANALYST
    )
    case = sample.cases["crime_ref"][0]
    reviews.record_answer(store, sample, case, question_set, first.key, "yes", "a | b", ANALYST)
    text = reviews.panel_report(sample, question_set, reviews.answers(store, sample, ANALYST))
    assert "<img" not in text
    row = next(line for line in text.splitlines() if line.startswith("| Safeguarding"))
    cells = re.split(r"(?<!\\)\|", row.strip("|"))
    assert cells[0].strip() == "Safeguarding \\| referral &lt;img src=x onerror=alert(1)&gt;?"
    assert [c.strip() for c in cells[1:4]] == ["1", "0", "1"]
    observed = text.split("## Observations")[1].splitlines()
    seen = next(line for line in observed if line.startswith(f"| {case}"))
    assert "a \\| b" in seen and len(re.split(r"(?<!\\)\|", seen.strip("|"))) == 4


def test_only_a_yes_no_question_may_be_compared_with_a_measure(store):
    """Seed 002's rationale (free text) was tied to the outcome 16 rate: its comparison row was
    always 0 of 0. A new set giving a free-text question a measure is refused; a set stored
    before keeps the question, without the measure."""
    data = {
        "question": [
            {"key": "why", "text": "Why?", "answer": "free_text", "measure": "outcome_16_rate"}
        ]
    }
    with pytest.raises(ValueError, match="no measure, or a yes/no answer"):
        questions.parse("mine", data)
    assert questions.parse("mine", data, stored=True).questions[0].measure == ""
    hub = next(s for s in questions.templates() if s.key == "opcc_2023_hub")
    assert hub.question("outcome_rationale").measure == ""


def _table_cells(deck) -> list[str]:
    """The text of every cell of every table of a deck."""
    return [
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]


def test_the_panel_report_as_powerpoint_and_pdf_with_the_force_response(demo_gateway, store):
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    from stalking_profile.scrutiny import report

    question_set, sample = _supervision_sample(demo_gateway, store, 1, 9)
    case = sample.cases["crime_ref"][0]
    reviews.record_answer(
        store, sample, case, question_set, "dash_completed", "no", "No DASH recorded", ANALYST
    )
    reviews.record_answer(
        store,
        sample,
        case,
        question_set,
        reviews.FORCE_RESPONSE,
        "Officer reminded of the DASH policy",
        "",
        ANALYST,
    )
    recorded = reviews.answers(store, sample, ANALYST)
    deck = Presentation(io.BytesIO(report.pptx_bytes(sample, question_set, recorded)))
    titles = [slide.shapes.title.text.split(" (")[0] for slide in deck.slides]  # "(1 of 2)"
    assert list(dict.fromkeys(titles)) == [
        "Panel",
        "Overview",
        "Cases drawn",
        "Summary by question",
        "Findings by case",
        "Observations and the force's responses",
    ]
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(report.pdf_bytes(sample, question_set, recorded))).pages
    )
    text = " ".join(text.split())  # a table's cell wraps its words over lines
    assert "No DASH recorded" in text and "Officer reminded of the DASH policy" in text
    markdown = reviews.panel_report(sample, question_set, recorded)
    assert "and the force's response to 1 case." in markdown  # it read "to 1 cases"
    summary = reviews.summary(sample, recorded, question_set)
    assert reviews.FORCE_RESPONSE not in summary["question_key"].to_list()

    # helper 65: a response on a case with no note was in neither the deck nor the PDF, one
    # beside two notes was given twice, and a finding linked to a recommendation with no note
    # was in no report
    other, third = sample.cases["crime_ref"][1], sample.cases["crime_ref"][2]
    reviews.record_answer(
        store, sample, other, question_set, reviews.FORCE_RESPONSE, "Training booked", "", ANALYST
    )
    for key, note in (("dash_completed", "Late"), ("domestic_abuse_link", "Not flagged")):
        reviews.record_answer(store, sample, third, question_set, key, "no", note, ANALYST)
    reviews.record_answer(
        store, sample, third, question_set, reviews.FORCE_RESPONSE, "Will review", "", ANALYST
    )
    reviews.record_answer(
        store, sample, other, question_set, "sash_completed", "no", "", ANALYST, recommendation=9
    )
    recorded = reviews.answers(store, sample, ANALYST)
    seen = {
        row["case"]: row
        for row in reviews.observations(sample, question_set, recorded, {9: "Dashboards"})
    }
    assert seen[other]["response"] == "Training booked" and seen[other]["observations"] == ""
    assert seen[other]["recommendations"] == "9. Dashboards"
    assert seen[third]["observations"] == "Late; Not flagged"
    deck = Presentation(io.BytesIO(report.pptx_bytes(sample, question_set, recorded)))
    words = " ".join(
        shape.text_frame.text if shape.has_text_frame else ""
        for slide in deck.slides
        for shape in slide.shapes
    ) + " ".join(_table_cells(deck))
    assert words.count("Training booked") == 1 and words.count("Will review") == 1
    markdown = reviews.panel_report(sample, question_set, recorded, {9: "Dashboards"})
    assert "9. Dashboards" in markdown and "Training booked" in markdown


def test_text_typed_into_the_tracker_is_shown_as_written_never_as_markdown(store):
    """Helper 49's trial: a commissioner's office recorded progress holding an image from
    another host and a link "Session expired - sign in again"; every role's Recommendations
    page drew them (the image loaded with the expander closed), and the status went into the
    timeline's hover template as markup."""
    tracker.tracker(store, example=True)
    office = Access.for_role("pcc", Role.COMMISSIONER)
    progress = "Funded\n![b](http://127.0.0.1:8650/b.png) [Sign in again](http://evil.example)"
    tracker.record_update(store, 1, date(2025, 1, 15), "<a href='x'>Green</a>", progress, office)
    history = tracker.tracker(store).filter(number=1)
    text = tracker.history_markdown(history, *tracker.revisions(store))
    assert "![b](" not in text and "[Sign in again](" not in text
    assert "\\!\\[b\\]\\(http" in text and "Funded  \n" in text  # as written, line by line
    figure = tracker.timeline_figure(history, "Recommendations")
    assert all("<a href" not in trace.hovertemplate for trace in figure.data)
    assert any(
        [row[2] for row in trace.customdata][:1] == ["<a href='x'>Green</a>"]
        for trace in figure.data
    )


def test_a_question_set_replaced_is_kept_in_the_trail_and_its_key_is_checked(store):
    """Helper 74: an upload named as a template's file replaced the set samples were drawn
    with, and nothing kept the questions their answers were recorded against; its save was
    written to the trail as a review answer (an administrator saw its detail withheld). The
    set's key comes from the file's name, which was not checked."""
    template = questions.question_sets(store)[0]
    text = '[[question]]\nkey = "plan"\ntext = "Was there a plan?"\nanswer = "yes_no_partly_na"\n'
    new = questions.parse(template.key, tomllib.loads(text))
    said = questions.save(store, new, ANALYST)
    assert said.startswith(f"Replaced the question set {template.key} (")
    event = audit.events(store, ADMIN).row(0, named=True)
    assert event["action"] == "question set saved"
    kept = json.loads(event["detail"].split("; it replaced: ", 1)[1])
    assert kept["question"] == [asdict(q) for q in template.questions]  # the earlier, whole
    assert [s for s in questions.question_sets(store) if s.key == template.key] == [new]
    assert questions.save(store, questions.parse("fresh", tomllib.loads(text)), ANALYST) == (
        "Added the question set fresh."
    )
    assert questions.key_of_file("questions_Case Review-2.toml") == "case_review_2"
    with pytest.raises(ValueError, match="name it with letters, digits and _"):
        questions.key_of_file("questions_[x](http).toml")


def test_a_tracker_download_says_what_it_holds_not_the_offences_filter(store):
    """Helper 90: the tracker's downloads on the demo were headed with the sidebar's offence
    filter, the demo force's extract and "SYNTHETIC DATA", over a real review's
    recommendations. They now say which recommendations, and whose."""
    from stalking_profile import exports
    from tests.test_exports import _provenance

    table = tracker.tracker(store, example=True)
    demo_page = _provenance(synthetic=True)  # a page's download: its filter, the demo's data
    about = tracker.export_about(table)
    head = exports.csv_bytes(table, replace(demo_page, **about)).decode().split("number,")[0]
    assert "# Filter: every recommendation, with every update" in head
    assert "Dyfed-Powys Police and Crime Commissioner's review" in head
    assert "Example Police" not in head and "SYNTHETIC" not in head and "2021" not in head
    assert "# Marking: OFFICIAL-SENSITIVE" in head
    latest = tracker.latest(table)
    assert tracker.export_about(table, latest)["filter_text"] == "every recommendation"
    some = latest.filter(pl.col("theme") == latest["theme"][0])
    assert tracker.export_about(table, some)["filter_text"] == (
        "the recommendations of the themes and owners chosen on the page"
    )
    own = table.with_columns(pl.col("text") + " (ours)")  # a force's own tracker
    assert tracker.export_about(own)["data"] == (
        "the force's recommendations tracker, as recorded in the operational store"
    )


def test_the_answers_download_reads_as_the_panel_reads_them(demo_gateway, store):
    """Helper 90: the answers' CSV gave question keys ("dash_completed") under headers such as
    "Question key" and "answer", and no case's place in the sample. It now gives each case's
    place, the question in words and the answer, in the reports' order, the key last."""
    question_set, sample = _supervision_sample(demo_gateway, store, 1, 5)
    second = sample.cases["crime_ref"][1]
    reviews.record_answer(
        store, sample, second, question_set, "dash_completed", "no", "None found", ANALYST
    )
    reviews.record_answer(
        store, sample, second, question_set, reviews.FORCE_RESPONSE, "Agreed", "", ANALYST
    )
    recorded = reviews.answers(store, sample, ANALYST)
    read = reviews.answers_as_read(sample, question_set, recorded)
    assert read.columns[:6] == ["Case", "Crime reference", "District", "DA", "Question", "Answer"]
    assert read.columns[-1] == "Question key"
    dash = question_set.find("dash_completed")
    assert dash is not None
    assert read.rows()[0][:6] == (
        2, second, read["District"][0], read["DA"][0], dash.text, "no"
    )  # fmt: skip
    assert read["Question"][1] == "The force's response to this case's findings"
    assert read["Note"][0] == "None found" and read["DA"][0] in ("DA", "non-DA")


def test_a_due_date_set_on_the_page_makes_a_recommendation_overdue(app_test):
    """Helper 90: due dates came only from a tracker file, so on a tracker kept in the app
    the Due and Overdue columns were blank for every recommendation. A due date set on the
    page shows, a past one makes the recommendation overdue unless its latest update states
    it closed, clearing it is kept in the history, and nothing is set without a date."""
    at = app_test(role="commissioner", require_login=True).run()
    at.switch_page("app_pages/recommendations.py").run()

    def row_of(number: int) -> dict:
        latest = at.dataframe[0].value
        return latest[latest.iloc[:, 0] == number].iloc[0].to_dict()

    assert not row_of(1)["Due"]
    next(b for b in at.button if b.label == "Set the due date").click().run()
    assert any("choose a date" in e.value for e in at.error)
    at.selectbox(key="rec_due_number").set_value(1)
    at.date_input(key="rec_due").set_value(date(2024, 3, 31))
    next(b for b in at.button if b.label == "Set the due date").click().run()
    assert any("Recommendation 1 is now due 2024-03-31" in s.value for s in at.success)
    assert str(row_of(1)["Due"]).startswith("2024-03-31")
    assert row_of(1)["Overdue"] == (row_of(1)["Status as stated"] not in tracker.CLOSED_STATUSES)
    at.checkbox(key="rec_due_clear").check()
    next(b for b in at.button if b.label == "Set the due date").click().run()
    assert not row_of(1)["Due"]
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")  # as markdown escapes it
    assert "due 2024-03-31" in shown  # the earlier version, in the history


def test_a_finding_linked_to_a_recommendation_is_listed_under_it(app_test):
    """Helper 90: a case's findings linked to recommendation 9 appeared in the panel report
    alone; the Recommendations page, where the tracker is updated, never said a case bore on
    it. Those who record reviews now see each linked case under its recommendation; the
    commissioner's office, which sees no record-level data, does not."""
    at = app_test().run()
    at.switch_page("app_pages/dip_samples.py").run()
    at.number_input(key="sample_size").set_value(1)
    at.button[0].click().run()
    case = at.selectbox(key="review_case").value
    _answer(at).set_value("no")
    _note(at).set_value("No DASH although a DA link")
    link = next(s for s in at.selectbox if s.label.startswith("Link this case's findings"))
    link.select_index(3)  # the third recommendation (the first option is none)
    _save(at)
    at.switch_page("app_pages/recommendations.py").run()
    shown = as_read(" ".join(m.value for m in at.markdown))
    assert "Dip-sample findings linked to it (1 case):" in shown
    assert f"case `{case}`: No DASH although a DA link" in shown
    assert shown.count("Dip-sample findings linked to it") == 1  # under recommendation 3 alone
    office = app_test(role="commissioner", require_login=True).run()
    office.switch_page("app_pages/recommendations.py").run()
    assert "Dip-sample findings" not in " ".join(m.value for m in office.markdown)


def test_the_same_sample_drawn_again_under_its_name_is_refused(demo_gateway, store):
    """Helper 90: drawing twice with the same name, seed and filter kept two samples of the
    same cases that the sidebar could not tell apart. Under another name (a second panel's
    review of the same cases) it is drawn."""
    question_set = next(s for s in questions.question_sets(store) if "supervision" in s.key)
    gateway = demo_gateway.scoped(ANALYST)
    first = reviews.draw(gateway, store, YEAR, 1, 5, question_set, "Panel", ANALYST)
    with pytest.raises(ValueError, match=r"already kept .* the same cases"):
        reviews.draw(gateway, store, YEAR, 1, 5, question_set, " Panel ", ANALYST)
    second = reviews.draw(gateway, store, YEAR, 1, 5, question_set, "Second panel", ANALYST)
    assert second.cases["crime_ref"].to_list() == first.cases["crime_ref"].to_list()
    assert reviews.draw(gateway, store, YEAR, 1, 6, question_set, "Panel", ANALYST).seed == 6
    assert reviews.samples(store, ANALYST).height == 3
