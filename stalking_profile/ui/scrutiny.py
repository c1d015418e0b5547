"""The Dip samples page's sections: the draw form, the review form for one case, the
summaries and the question sets (widgets only; every figure from stalking_profile.scrutiny)."""

from __future__ import annotations

import tomllib
from datetime import date

import polars as pl
import streamlit as st

from stalking_profile import exports
from stalking_profile.access import Permission
from stalking_profile.filters import ProfileFilter
from stalking_profile.formatting import literal, plural, shortened
from stalking_profile.operational.audit import Action
from stalking_profile.scrutiny import questions, reviews, tracker
from stalking_profile.scrutiny import report as report_module
from stalking_profile.scrutiny.questions import QuestionSet
from stalking_profile.scrutiny.reviews import DipSample
from stalking_profile.ui.auth import audit_view, audited, store
from stalking_profile.ui.cache import current_access, current_gateway, synthetic_demo
from stalking_profile.ui.widgets import described, download, record_download, show_table

NOT_ANSWERED = reviews.NOT_ANSWERED
SAMPLE_KEY = "dip_sample_choice"  # the sidebar's choice of sample


def draw_section(flt: ProfileFilter, sets: dict[str, QuestionSet]) -> None:
    """Draw a sample for the sidebar's filter, and list the samples kept."""
    st.markdown(f"**Population:** {described(flt)} (change it in the sidebar).")
    with st.form("draw_sample"):
        name = st.text_input("Name", value=f"Dip sample {date.today():%B %Y}", key="sample_name")
        set_key = st.selectbox(
            "Question set",
            questions.in_drawing_order(sets),
            format_func=lambda key: sets[key].name,
            key="sample_set",
        )
        per_stratum = st.number_input(
            "Cases per district and DA group", 1, 200, 3, key="sample_size"
        )
        seed = st.number_input(
            "Seed (the same seed and filter always draw the same cases)",
            0,
            2**31 - 1,
            int(date.today().strftime("%Y%m%d")),
            key="sample_seed",
        )
        drawn = st.form_submit_button("Draw the sample", type="primary")
    if drawn:
        try:
            sample = reviews.draw(
                current_gateway(),
                store(),
                flt,
                int(per_stratum),
                int(seed),
                sets[set_key or next(iter(sets))],
                name,
                current_access(),
            )
        except ValueError as error:
            st.error(f"No sample drawn: {error}.")
        else:
            # the sample just drawn is the one chosen (set before the sidebar's select box
            # is made this run: given as its index, its own state kept the previous sample,
            # and answers were recorded against that one)
            st.session_state[SAMPLE_KEY] = sample.sample_id
            st.success(
                f"Drew {plural(sample.cases.height, 'case')} from "
                f"{plural(sample.population, 'offence')} (seed {sample.seed}, up to "
                f"{sample.per_stratum} per district and DA group)."
            )
    kept = reviews.samples(store(), current_access())
    if kept.height:
        st.header("Samples kept")
        show_table(
            # the seed as written, not as a count ("20,261,207": helper 90)
            kept.select(
                "name",
                "filter_text",
                pl.col("seed").cast(pl.String),
                "per_stratum",
                "population",
                "created_by",
            ),
            labels={"population": "Offences sampled from"},  # not the registry's residents
        )


def chosen_sample() -> tuple[DipSample, pl.DataFrame] | None:
    """The sample chosen in the sidebar (the newest, or the one just drawn), with its cases'
    offence types, and the offences it was drawn from (reviews.population); or None."""
    kept = reviews.samples(store(), current_access())
    if kept.is_empty():
        return None
    # told apart by their seed too: two drawn in the same second read the same
    labels = kept["name"] + " · seed " + kept["seed"].cast(pl.String) + " · " + kept["created_at"]
    names = dict(zip(kept["sample_id"], labels, strict=True))
    if st.session_state.get(SAMPLE_KEY) not in names:
        st.session_state.pop(SAMPLE_KEY, None)  # the newest, where none is chosen yet
    chosen = st.sidebar.selectbox(
        "Dip sample", list(names), format_func=lambda key: names[key], key=SAMPLE_KEY
    )
    sample = reviews.load(store(), chosen or next(iter(names)), current_access())
    offences = reviews.population(current_gateway(), sample.flt)
    return reviews.with_offence_types(sample, offences), offences


def review_section(sample: DipSample, question_set: QuestionSet, recorded: pl.DataFrame) -> None:
    """The sample's cases and, for the case chosen, every question with its answer and note."""
    st.markdown(
        f"**{literal(sample.name)}**: {plural(sample.cases.height, 'case')} of "
        f"{plural(sample.population, 'offence')}; {literal(sample.filter_text)}; seed "
        f"{sample.seed}; question set: {literal(question_set.name)}."
    )
    st.caption(reviews.coverage(sample, recorded))
    audit_view(f"dip sample {sample.sample_id} cases", sample.filter_text)  # then shown
    show_table(reviews.reviewed_cases(sample, recorded), labels={"reviewed": "Reviewed"})
    record_download(
        sample.cases,
        f"dip-sample-{sample.sample_id}.csv",
        "Download the sample list (CSV)",
        f"dip sample {sample.sample_id} list",
        sample.filter_text,
    )
    case = st.selectbox("Case", sample.cases["crime_ref"].to_list(), key="review_case")
    stored = {
        row["question_key"]: row for row in recorded.filter(crime_ref=case).iter_rows(named=True)
    }
    # every widget keyed by its case: a widget is known by its key, so one key for every case
    # carried a case's answers into the next case's form, and saving recorded them there
    form = f"review_{sample.sample_id}_{case}"
    # a keyed widget keeps what it first showed: the answers it was drawn with are kept beside
    # it, so that saving records what this form changed, not a colleague's answer undone
    if f"{form}_recommendation" not in st.session_state:  # drawn afresh: from the store now
        st.session_state[f"{form}_drawn"] = stored
    previous = st.session_state[f"{form}_drawn"]
    linked_before = reviews.link_of(previous)
    titles = recommendation_titles()
    numbers: list[int | None] = [None, *titles]
    with st.form(form):
        given = {q.key: _question_widget(q, previous, form) for q in question_set.questions}
        given[reviews.FORCE_RESPONSE] = (
            st.text_area(
                "The force's response to this case's findings",
                previous.get(reviews.FORCE_RESPONSE, {}).get("answer", ""),
                key=f"{form}_a_force_response",
            ),
            "",
        )
        linked = st.selectbox(
            "Link this case's findings to a recommendation (optional)",
            numbers,
            index=numbers.index(linked_before) if linked_before in numbers else 0,
            format_func=lambda n: "(none)" if n is None else f"{n}. {titles[n]}",
            key=f"{form}_recommendation",
        )
        saved = st.form_submit_button("Save the answers for this case", type="primary")
    if saved:
        changes = reviews.form_changes(previous, given, linked, question_set, stored)
        for key in changes.withdraw:  # set back to not answered: withdrawn
            reviews.withdraw_answer(store(), sample, str(case), key, current_access())
        for key, (answer, note) in changes.record.items():
            reviews.record_answer(
                store(),
                sample,
                str(case),
                question_set,
                key,
                answer,
                note,
                current_access(),
                recommendation=changes.link,
            )
        for key in [k for k in st.session_state if str(k).startswith(f"{form}_")]:
            del st.session_state[key]  # drawn again from the answers recorded now
        st.session_state["review_saved"] = changes.said(str(case))
        st.session_state["review_not_kept"] = changes.not_kept
        st.session_state["review_conflicts"] = changes.conflicts
        st.rerun()
    if message := st.session_state.pop("review_saved", None):
        st.success(message)
    if not_kept := st.session_state.pop("review_not_kept", None):
        st.warning("Not saved: " + "; ".join(not_kept) + ".", icon=":material/warning:")
    if conflicts := st.session_state.pop("review_conflicts", None):
        st.warning(
            "Not saved, as someone else changed the answer since this case was opened: "
            + literal("; ".join(conflicts))
            + ". The form now shows the answers recorded.",
            icon=":material/warning:",
        )


def recommendation_titles() -> dict[int, str]:
    """Each recommendation's number and the start of its text (for linking findings)."""
    table = tracker.tracker(store(), example=synthetic_demo()).unique("number").sort("number")
    # cut at a word, and said to be cut ("...closer sc": helper 90)
    return {row["number"]: shortened(row["text"], 70) for row in table.iter_rows(named=True)}


def _question_widget(question: questions.Question, previous: dict, form: str) -> tuple[str, str]:
    """A question's answer and note widgets, keyed by the case's form and the question."""
    before = previous.get(question.key, {})
    if question.answer == "free_text":
        text = st.text_area(
            literal(question.text), before.get("answer", ""), key=f"{form}_a_{question.key}"
        )
        return text, ""
    options = [NOT_ANSWERED, *questions.CHOICES]
    answer = st.radio(
        literal(question.text),
        options,
        index=options.index(before["answer"]) if before else 0,
        horizontal=True,
        key=f"{form}_a_{question.key}",
    )
    note = st.text_input(
        "Note",
        before.get("note", ""),
        key=f"{form}_n_{question.key}",
        label_visibility="collapsed",
        placeholder="Note (optional)",
    )
    return str(answer), note


ANSWERED = {
    "label": "Question",
    "numerator": "Answered yes",
    "denominator": "Answered",
    "partly": "Answered partly",
}


def summary_section(
    sample: DipSample, question_set: QuestionSet, recorded: pl.DataFrame, offences: pl.DataFrame
) -> None:
    """Shares answered yes, by question and by district and DA, and against every offence of
    `offences`, those the sample was drawn from."""
    st.caption(f"{reviews.coverage(sample, recorded)} {reviews.WIDE_INTERVAL_NOTE}")
    shares = reviews.summary(sample, recorded, question_set)
    show_table(
        shares.select("label", "numerator", "denominator", "rate", "lower", "upper", "partly"),
        labels=ANSWERED,
    )
    st.header("By district and DA")
    by_group = reviews.summary(
        sample, recorded, question_set, by=("district_code", "is_domestic")
    ).filter(pl.col("denominator") > 0)
    if by_group.is_empty():  # an empty grid had stood here (helper 70)
        st.caption("No case has an answer yet: each district and DA group is shown once one does.")
    else:
        show_table(
            by_group.select(
                "label", "district_code", "is_domestic", "numerator", "denominator", "rate"
            ),
            labels=ANSWERED,
        )
    st.header("The sample against every offence it was drawn from")
    compared = reviews.compared_with_population(sample, recorded, question_set, offences)
    answered = compared.filter(pl.col("sample_denominator") > 0) if compared.width else compared
    if compared.is_empty():
        st.caption("No question of this set is tied to a measure the dashboard computes.")
    elif answered.is_empty():
        st.caption(
            "No case has an answer yet to a question tied to a measure ("
            + ", ".join(compared["label"])
            + "): each is compared once a case is answered."
        )
    else:
        show_table(
            answered.select(
                "label",
                "sample_numerator",
                "sample_denominator",
                "sample_rate",
                "sample_lower",
                "sample_upper",
                "group_offences",
                "rate",
                "lower",
                "upper",
            ),
            labels={"label": "Measure", "rate": "All offences, weighted as the sample (%)"},
        )
        st.caption(
            "The sample takes as many cases from each district and DA group, so the records' "
            "rate is each group's rate over all its offences of each offence type, weighted by "
            "that group and type's share of the cases answered (those with no answer left out: "
            "a DASH question is answered 'not applicable' outside DA cases, stalking screening "
            "for harassment). The sample is drawn by DA group, so for the "
            "domestic-abuse link that rate is the records' DA flag on the cases answered, "
            "exact, with no interval: the panel's judgement against the flag."
        )
    record_download(
        reviews.answers_as_read(sample, question_set, recorded),
        f"dip-sample-{sample.sample_id}-answers.csv",
        "Download every answer (CSV)",
        f"dip sample {sample.sample_id} answers",
        f"{sample.name}: {sample.filter_text}",  # the sample's, not the sidebar's
    )
    titles = recommendation_titles()
    log = audited(Action.RECORDS_DOWNLOADED, f"panel report of dip sample {sample.sample_id}")

    marking = exports.report_marking(synthetic_demo())

    def report() -> str:  # made when clicked, and written to the audit trail then
        log()
        return reviews.panel_report(sample, question_set, recorded, titles, marking)

    stem = f"panel-report-{sample.sample_id}"
    for suffix, make in (("pptx", report_module.pptx_bytes), ("pdf", report_module.pdf_bytes)):

        def made(make=make) -> bytes:
            log()
            return make(sample, question_set, recorded, titles, marking)

        text = f"Download the panel report ({suffix.upper()})"
        download(st, text, f"{stem}.{suffix}", made, "panel-report", ":material/description:")
    markdown = "Download the panel report (Markdown)"
    download(st, markdown, f"{stem}.md", report, "panel-report", ":material/description:")


def question_sets_section(sets: dict[str, QuestionSet]) -> None:
    """Every question set, and a TOML upload to add or replace one."""
    for question_set in sets.values():
        with st.expander(f"{literal(question_set.name)} ({len(question_set.questions)} questions)"):
            st.caption(literal(question_set.source))
            for question in question_set.questions:
                measure = (
                    f" · compared with: {questions.MEASURES[question.measure]}"
                    if question.measure
                    else ""
                )
                st.markdown(
                    f"- {literal(question.text)} *({question.answer.replace('_', ' ')}{measure})*"
                )
    upload = st.file_uploader(
        "Add or replace a question set (TOML, as the templates)", type=["toml"], key="set_upload"
    )
    if upload is not None and st.button("Save the question set", key="set_save"):
        try:
            key = questions.key_of_file(upload.name)
            question_set = questions.parse(key, tomllib.loads(upload.getvalue().decode("utf-8")))
            done = questions.save(store(), question_set, current_access())
            st.success(
                f"Saved {literal(question_set.name)} ({len(question_set.questions)} questions). "
                + literal(done)
            )
        except (ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            st.error(f"Not saved: {error}.")


def recommendation_histories(shown: pl.DataFrame) -> None:
    """Each recommendation of the tracker rows `shown` in an expander: its dated updates and
    earlier versions, and for those who record reviews, the dip-sample findings linked to
    it."""
    access = current_access()
    findings = (
        reviews.linked_findings(store(), access) if access.allows(Permission.REVIEW) else None
    )
    if findings is not None and not findings.is_empty():
        audit_view("dip-sample findings linked to recommendations", "the recommendations shown")
    earlier_updates, earlier_wordings = tracker.revisions(store())
    for number, history in shown.group_by("number", maintain_order=True):
        first = history.row(0, named=True)
        text = shortened(first["text"], 90)
        with st.expander(literal(f"{number[0]}. {first['theme']} ({first['owner']}): {text}")):
            st.markdown(tracker.history_markdown(history, earlier_updates, earlier_wordings))
            if findings is not None and (linked := reviews.linked_markdown(findings, number[0])):
                st.markdown(linked)


def tracker_edit_section(numbers: list[int]) -> None:
    """Record a dated update of a recommendation, and import a tracker file."""
    access = current_access()
    st.header("Record an update")
    if recorded := st.session_state.pop("rec_recorded", None):
        for key in ("rec_status", "rec_progress"):  # a new form once the update is in
            st.session_state.pop(key, None)
        st.success(recorded)
    # not cleared on submit: an update refused keeps what was typed, to correct it
    with st.form("tracker_update"):
        number = st.selectbox("Recommendation", numbers, key="rec_number")
        when = st.date_input(
            "Date of the update", date.today(), key="rec_date", format="DD/MM/YYYY"
        )
        status = st.text_input(
            "Status as stated (Red, Amber, Green, Complete, ... or not stated)",
            tracker.NOT_STATED,
            key="rec_status",
        )
        progress = st.text_area("Progress", key="rec_progress")
        if st.form_submit_button("Record the update"):
            try:
                done = tracker.record_update(store(), int(number), when, status, progress, access)
            except ValueError as error:
                st.error(f"Not recorded: {error}.")
            else:  # drawn again, so the tables above show the update (they showed the old one)
                st.session_state["rec_recorded"] = done
                st.rerun()
    due_date_section(numbers)
    tracker_import_section()


def due_date_section(numbers: list[int]) -> None:
    """Set or clear a recommendation's due date (the Overdue column reads it)."""
    with st.form("tracker_due"):
        st.markdown("**Set a due date**")
        number = st.selectbox("Recommendation", numbers, key="rec_due_number")
        due = st.date_input("Due", None, key="rec_due", format="DD/MM/YYYY")
        cleared = st.checkbox("No due date (clear it)", key="rec_due_clear")
        if st.form_submit_button("Set the due date"):
            if due is None and not cleared:
                st.error("Not set: choose a date, or tick 'No due date' to clear it.")
                return
            try:
                done = tracker.set_due_date(
                    store(), int(number), None if cleared else due, current_access()
                )
            except ValueError as error:
                st.error(f"Not set: {error}.")
            else:
                st.session_state["rec_recorded"] = done
                st.rerun()


TRACKER_REPORT_KEY = "rec_import_report"  # an import's report, shown after the rerun


def tracker_import_section() -> None:
    """Import a tracker file with the importer's guarantees (every row checked, refused rows
    listed with their reasons, re-importing the same file changes nothing)."""
    access = current_access()
    upload = st.file_uploader(
        "Import a tracker file (CSV: number, theme, text, owner, due_date, update_date, status, "
        "progress)",
        type=["csv"],
        key="rec_upload",
    )
    done = st.session_state.pop(TRACKER_REPORT_KEY, None)
    if done is not None:  # the import of the run before, now shown in the table above
        (st.success if done.refused.is_empty() else st.warning)(done.text())
        if done.refused.height:
            show_table(done.refused)
    if upload is not None and st.button("Import the tracker file", key="rec_import"):
        try:
            report = tracker.import_tracker(store(), upload, access)
        except ValueError as error:
            st.error(f"{upload.name} was not imported: {error}.")
        else:
            # the page again, so the table, timeline and lists above hold what was imported
            # (they showed the tracker as before until the next click: helper 65)
            st.session_state[TRACKER_REPORT_KEY] = report
            st.rerun()
