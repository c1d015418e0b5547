"""Dip-sample audits: drawing a sample for a filter, recording reviewers' answers (in the
operational store, with the audit trail), and summarising them beside the same measures on
every offence the sample was drawn from."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import date

import polars as pl

from stalking_profile import queries
from stalking_profile.access import Access, Permission
from stalking_profile.db import Gateway
from stalking_profile.exports import FORCE_MARKING
from stalking_profile.filters import ProfileFilter
from stalking_profile.formatting import drawn_literal, literal, plural
from stalking_profile.measures.rates import Z_95, with_rate_columns
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore
from stalking_profile.rounding import percent_text
from stalking_profile.scrutiny.questions import CHOICES, MEASURES, Question, QuestionSet
from stalking_profile.scrutiny.sampling import draw_sample

FORCE_RESPONSE = "force_response"  # the force's response to a case's findings (free text)

PARTLY_NOTE = (
    "Share: the cases answered yes, of those answered yes, no or partly (partly counts against "
    "the share, and is given beside it); not applicable and unanswered are left out."
)
WIDE_INTERVAL_NOTE = (
    "A sample of a dozen or so cases supports only wide intervals: a share of 8 in 12 (67%) "
    "is consistent with anything from about 39% to 86%. The shares are of the cases sampled, "
    "not estimates for every offence: the sample takes as many cases from each district and "
    "DA group, so a small group counts for as much as a large one (the comparison with every "
    "offence weighs the records as the sample is)."
)


@dataclass(frozen=True)
class DipSample:
    sample_id: str
    name: str
    set_key: str
    filter_text: str
    seed: int
    per_stratum: int
    population: int
    cases: pl.DataFrame  # position, crime_ref, district_code, is_domestic
    flt: ProfileFilter


def _filter_json(flt: ProfileFilter) -> str:
    data = asdict(flt)
    return json.dumps(
        {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in data.items()
        }
    )


def _filter_from_json(text: str) -> ProfileFilter:
    data = json.loads(text)
    return ProfileFilter(
        date.fromisoformat(data["start_month"]),
        date.fromisoformat(data["end_month"]),
        tuple(data["districts"]),
        data["domestic"],
        tuple(data["offence_types"]),
    )


def population(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Every offence matching the filter (record level: refused unless the gateway's access
    may see records)."""
    return queries.sample_population(gateway, flt)


def draw(
    gateway: Gateway,
    store: OperationalStore,
    flt: ProfileFilter,
    per_stratum: int,
    seed: int,
    question_set: QuestionSet,
    name: str,
    by: Access,
) -> DipSample:
    """Draw and keep a dip sample: `per_stratum` offences per district and DA group of the
    filter, reproducibly from `seed`; recorded with the filter and seed in the store. A
    sample of the same name, filter, seed, size and questions as one kept is refused: it
    would be the same cases under the same name, and drawing twice kept two that could not be
    told apart (helper 90). Another name draws them again (a second panel's review)."""
    by.require(Permission.REVIEW)
    name = name.strip() or f"Dip sample {date.today():%d %b %Y}"
    same = samples(store, by).filter(
        name=name,
        filter_json=_filter_json(flt),
        seed=seed,
        per_stratum=per_stratum,
        set_key=question_set.key,
    )
    if same.height:
        raise ValueError(
            f"a sample named {name!r} with this filter, seed, size and question set is "
            f"already kept (drawn {same['created_at'][0]}): it holds the same cases. Choose "
            "it under Dip sample in the sidebar, or change the seed or the name"
        )
    offences = population(gateway, flt)
    if offences.is_empty():  # a sample of nothing was kept, listed with the others
        raise ValueError(f"no offence matches the filter ({flt.describe()}) to draw cases from")
    cases = draw_sample(offences, per_stratum, seed)
    sample_id = uuid.uuid4().hex[:12]
    with store.transaction() as transaction:
        transaction.execute(
            "dip_sample_insert",
            sample_id=sample_id,
            name=name,
            set_key=question_set.key,
            filter_text=flt.describe(),
            filter_json=_filter_json(flt),
            seed=seed,
            per_stratum=per_stratum,
            population=offences.height,
            now=now_text(),
            username=by.username,
        )
        for row in cases.iter_rows(named=True):
            transaction.execute(
                "dip_sample_case_insert",
                sample_id=sample_id,
                position=row["position"],
                crime_ref=row["crime_ref"],
                district_code=row["district_code"],
                is_domestic=int(row["is_domestic"]),
            )
    audit.record(
        store,
        Action.SAMPLE_DRAWN,
        by,
        f"{sample_id}: {cases.height} cases, seed {seed}, {per_stratum} per group",
        flt.describe(),
    )
    return load(store, sample_id, by)


def samples(store: OperationalStore, by: Access) -> pl.DataFrame:
    """Every dip sample (name, filter, seed, size), newest first."""
    by.require(Permission.REVIEW)
    schema = {
        "sample_id": pl.String,
        "name": pl.String,
        "set_key": pl.String,
        "filter_text": pl.String,
        "filter_json": pl.String,
        "seed": pl.Int64,
        "per_stratum": pl.Int64,
        "population": pl.Int64,
        "created_at": pl.String,
        "created_by": pl.String,
    }
    return store.frame("dip_samples", schema)


def load(store: OperationalStore, sample_id: str, by: Access) -> DipSample:
    """A kept dip sample and its cases."""
    by.require(Permission.REVIEW)
    row = samples(store, by).filter(sample_id=sample_id).row(0, named=True)
    cases = store.frame(
        "dip_sample_cases",
        {
            "position": pl.Int64,
            "crime_ref": pl.String,
            "district_code": pl.String,
            "is_domestic": pl.Int64,
        },
        sample_id=sample_id,
    ).with_columns(pl.col("is_domestic").cast(pl.Boolean))
    return DipSample(
        sample_id,
        row["name"],
        row["set_key"],
        row["filter_text"],
        row["seed"],
        row["per_stratum"],
        row["population"],
        cases,
        _filter_from_json(row["filter_json"]),
    )


def with_offence_types(sample: DipSample, offences: pl.DataFrame) -> DipSample:
    """The sample with each case's offence type (`offences`: the population it was drawn
    from; null for a case no longer in it): a reviewer answers screening "not applicable"
    for harassment, and the list, the form and the reports did not say which a case was
    (helper 80)."""
    types = offences.select("crime_ref", "offence_type")
    cases = sample.cases.drop("offence_type", strict=False).join(
        types, on="crime_ref", how="left", maintain_order="left"
    )
    return replace(sample, cases=cases)


def offence_of(case: dict) -> str:
    """A case's offence type as the reports write it ("stalking"; "not known" where the
    sample has no types, or the offence is no longer stored)."""
    return case.get("offence_type") or "not known"


def record_answer(
    store: OperationalStore,
    sample: DipSample,
    crime_ref: str,
    question_set: QuestionSet,
    question_key: str,
    answer: str,
    note: str,
    by: Access,
    recommendation: int | None = None,
) -> None:
    """Record a reviewer's answer for one case and question (kept, and in the audit trail)."""
    by.require(Permission.REVIEW)
    question = (
        Question(FORCE_RESPONSE, "The force's response", "free_text")
        if question_key == FORCE_RESPONSE
        else question_set.question(question_key)
    )
    _require_case(sample, crime_ref)
    if question.answer == "yes_no_partly_na" and answer not in CHOICES:
        raise ValueError(f"the answer to {question_key} is one of {', '.join(CHOICES)}")
    before = _replaced(store, sample, crime_ref, question_key)
    store.execute(
        "review_answer_put",
        sample_id=sample.sample_id,
        crime_ref=crime_ref,
        question_key=question_key,
        answer=answer,
        note=note,
        recommendation=recommendation,
        now=now_text(),
        username=by.username,
    )
    said = f"{sample.sample_id} {crime_ref} {question_key}: {answer}" + (
        f"; note: {note}" if note else ""
    )
    audit.record(store, Action.REVIEW, by, said + before)


def _replaced(store: OperationalStore, sample: DipSample, crime_ref: str, key: str) -> str:
    """The answer a change replaces, as its audit event keeps it ('' if none): the answer was
    overwritten (or deleted) and the event named only the new answer, so an earlier note, or
    a change to a note alone, could not be recovered (helper 74)."""
    rows = store.fetch("review_answers", sample_id=sample.sample_id)
    row = next((r for r in rows if (r["crime_ref"], r["question_key"]) == (crime_ref, key)), None)
    if row is None:
        return ""
    note = f"; note: {row['note']}" if row["note"] else ""
    return (
        f" (it replaced: {row['answer']}{note}; recorded by {row['updated_by']} at "
        f"{row['updated_at']})"
    )


def _require_case(sample: DipSample, crime_ref: str) -> None:
    if crime_ref not in sample.cases["crime_ref"].to_list():
        raise ValueError(f"{crime_ref} is not a case of this sample")


def withdraw_answer(
    store: OperationalStore, sample: DipSample, crime_ref: str, question_key: str, by: Access
) -> None:
    """Withdraw a reviewer's answer for one case and question (it reads "not answered" again,
    and leaves the summaries; the audit trail keeps the withdrawal). Setting an answer back
    to "(not answered)" had been "nothing to save", and the old answer stayed."""
    by.require(Permission.REVIEW)
    _require_case(sample, crime_ref)
    before = _replaced(store, sample, crime_ref, question_key)
    store.execute(
        "review_answer_delete",
        sample_id=sample.sample_id,
        crime_ref=crime_ref,
        question_key=question_key,
    )
    audit.record(
        store,
        Action.REVIEW,
        by,
        f"{sample.sample_id} {crime_ref} {question_key}: withdrawn{before}",
    )


ANSWER_SCHEMA = {
    "crime_ref": pl.String,
    "question_key": pl.String,
    "answer": pl.String,
    "note": pl.String,
    "recommendation": pl.Int64,
    "updated_at": pl.String,
    "updated_by": pl.String,
}


def answers(store: OperationalStore, sample: DipSample, by: Access) -> pl.DataFrame:
    """Every answer recorded for a sample, with each case's district and DA (and offence
    type, where the sample has it: with_offence_types)."""
    by.require(Permission.REVIEW)
    rows = store.frame("review_answers", ANSWER_SCHEMA, sample_id=sample.sample_id)
    case_columns = ("crime_ref", "district_code", "is_domestic", "offence_type")
    return rows.join(
        sample.cases.select(c for c in case_columns if c in sample.cases.columns), on="crime_ref"
    )


NOT_ANSWERED = "(not answered)"  # the review form's choice for a question left unanswered


@dataclass(frozen=True)
class FormChanges:
    """What saving a case's review form does: answers to record (key -> answer, note) with
    the recommendation `link`, keys whose answers are withdrawn (set back to not answered),
    what cannot be kept, in words (a note needs an answer; a recommendation link is kept with
    the case's answers), and the questions not saved because another user changed their
    answer since the form was drawn (`conflicts`, in words)."""

    record: dict[str, tuple[str, str]]
    withdraw: list[str]
    not_kept: list[str]
    conflicts: list[str] = field(default_factory=list)
    link: int | None = None
    link_changed: bool = False  # the form changed the case's link, and it is kept
    relinked: frozenset[str] = frozenset()  # recorded again only to carry the new link

    def said(self, case: str) -> str:
        """What saving did, in words: answers saved and withdrawn, and a link changed (a
        change of link alone read "Saved 12 answers", each answer being recorded again to
        carry it: helper 90)."""
        saved = len(self.record) - len(self.relinked)
        done = [
            f"{verb} {plural(n, 'answer')}"
            for verb, n in (("saved", saved), ("withdrew", len(self.withdraw)))
            if n
        ]
        if self.link_changed:
            done.append(
                f"linked its findings to recommendation {self.link}"
                if self.link is not None
                else "removed its link to a recommendation"
            )
        if not done:
            return f"No answer changed for {literal(case)}: nothing to save."
        text = " and ".join(done) if len(done) < 3 else f"{done[0]}, {done[1]} and {done[2]}"
        return f"{text[0].upper()}{text[1:]} for {literal(case)}."


def link_of(rows: dict[str, dict]) -> int | None:
    """The recommendation a case's answers are linked to (None: none)."""
    return next((row["recommendation"] for row in rows.values() if row.get("recommendation")), None)


def _as_shown(row: dict | None, chosen: bool) -> tuple[str, str]:
    """An answer as the review form shows it: (answer, note); not answered, a chosen answer's
    NOT_ANSWERED, a text's "" (a text answer has no note)."""
    if not row:
        return (NOT_ANSWERED if chosen else "", "")
    return (row["answer"], (row.get("note") or "") if chosen else "")


def form_changes(
    drawn: dict[str, dict],
    given: dict[str, tuple[str, str]],
    linked: int | None,
    question_set: QuestionSet,
    stored: dict[str, dict] | None = None,
) -> FormChanges:
    """Compare a case's review form (`given`: key -> answer, note; `linked`: the
    recommendation chosen) with the answers it was drawn with (`drawn`: key -> row) and those
    recorded now (`stored`, default `drawn`). Only what the form changed is recorded: a
    colleague's answer saved meanwhile to a question this form left alone was undone by the
    form's older value (helper 80); where both changed one answer, the colleague's stands and
    the question is named in `conflicts`. A note typed without an answer, and a link for a
    case with no answer, were dropped while the form said "nothing to save": they are named
    in `not_kept`."""
    stored = drawn if stored is None else stored
    chosen = {q.key for q in question_set.questions if q.answer != "free_text"}
    record: dict[str, tuple[str, str]] = {}
    relinked: set[str] = set()
    withdraw: list[str] = []
    not_kept: list[str] = []
    conflicts: list[str] = []
    link_changed = linked != link_of(drawn)
    if link_changed and link_of(stored) not in (link_of(drawn), linked):  # both changed it
        conflicts.append(f"the link to a recommendation (now {link_of(stored)})")
        link_changed = False
    link = linked if link_changed else link_of(stored)
    for key, mine in given.items():
        was, now = (
            _as_shown(drawn.get(key), key in chosen),
            _as_shown(stored.get(key), key in chosen),
        )
        question = question_set.find(key)
        text = question.text if question else "the force's response"
        if mine == was:  # left alone: re-recorded only to carry a new link
            if link_changed and stored.get(key) and stored[key].get("recommendation") != link:
                record[key] = now
                relinked.add(key)
            continue
        if now not in (was, mine):
            conflicts.append(f'"{text}" (now "{now[0]}")')
            if link_changed and stored.get(key):  # the colleague's answer, with the one link
                record[key] = now
                relinked.add(key)
            continue
        answer, note = mine
        if answer in (NOT_ANSWERED, ""):
            if stored.get(key):
                withdraw.append(key)
            if note.strip():
                not_kept.append(
                    f'the note to "{text}" (a note is kept with an answer: choose one, or '
                    '"not applicable")'
                )
            continue
        if mine != now or stored[key].get("recommendation") != link:
            record[key] = mine
            if mine == now:
                relinked.add(key)
    answered_after = set(stored) - set(withdraw) | set(record)
    kept = bool(answered_after)
    if link_changed and linked is not None and not answered_after:
        not_kept.append(
            f"the link to recommendation {linked} (a link is kept with the case's answers: "
            "record at least one)"
        )
    return FormChanges(
        record, withdraw, not_kept, conflicts, link, link_changed and kept, frozenset(relinked)
    )


def summary(
    sample: DipSample, recorded: pl.DataFrame, question_set: QuestionSet, by: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Per yes/no question (and per `by` group: district_code, is_domestic): cases answered
    yes (numerator) out of those answered yes, no or partly (denominator; "not applicable"
    and unanswered excluded), the share with its 95% Wilson interval, and the partly count.
    """
    keys = [q.key for q in question_set.questions if q.answer == "yes_no_partly_na"]
    answered = recorded.filter(
        pl.col("question_key").is_in(keys) & pl.col("answer").is_in(["yes", "no", "partly"])
    )
    grouped = answered.group_by(["question_key", *by]).agg(
        (pl.col("answer") == "yes").sum().alias("numerator"),
        pl.len().alias("denominator"),
        (pl.col("answer") == "partly").sum().alias("partly"),
    )
    labels = pl.DataFrame(
        {
            "question_key": keys,
            "label": [question_set.question(k).text for k in keys],
            "order": list(range(len(keys))),
        }
    )
    table = labels.join(grouped, on="question_key", how="left").with_columns(
        pl.col("numerator").fill_null(0),
        pl.col("denominator").fill_null(0),
        pl.col("partly").fill_null(0),
    )
    return with_rate_columns(table).sort(["order", *by]).drop("order")  # flagged under 30 cases


STRATA = ("district_code", "is_domestic")  # a sample's groups: equal cases drawn from each
CELLS = (*STRATA, "offence_type")  # what a comparison weights by: groups and offence types


def compared_with_population(
    sample: DipSample, recorded: pl.DataFrame, question_set: QuestionSet, offences: pl.DataFrame
) -> pl.DataFrame:
    """For each question tied to a measure: the sample's share answered yes (sample_numerator
    of sample_denominator answered yes, no or partly, with its Wilson interval) against the
    same measure on every offence of the groups the sample drew from, weighted as the sample
    is (direct standardisation: each district and DA group's rate over all its offences,
    weighted by that group's share of the cases answered; a normal 95% interval from the
    groups' binomial variances). The sample takes as many cases from each group, so an
    unweighted rate over every offence compared unlike with like: the share of DA offences
    read 50% in the sample against 92.5% in the records, with every answer true to them; and
    a question answered "not applicable" outside DA cases (DASH) was set against all offences.
    `group_offences`: the offences of the groups (and offence types) answered, `numerator`:
    those with the measure.
    A measure the sample is drawn by (the DA flag: a group is all DA or all non-DA) has one
    value in each group, so its weighted rate is exactly the records' flag on the cases
    answered: no interval (it read "33.3%, 95% interval 33.3 to 33.3", as if an estimate of
    every offence: helper 65).

    Within a group, the offence types weigh as the cases answered do (each group and offence
    type's rate, weighted by its share of the cases answered): stalking screening is answered
    "not applicable" for harassment, and was set against every offence of its groups,
    harassment too, so a panel true to the records read 31% against 19% (35.8% on the
    stalking offences alone: helper 80)."""
    rows = []
    shares = summary(sample, recorded, question_set)
    typed = recorded.drop("offence_type", strict=False).join(
        offences.select("crime_ref", "offence_type"), on="crime_ref", how="left"
    )
    by_group = summary(sample, typed, question_set, CELLS)
    for question in question_set.questions:
        if not question.measure:
            continue
        measured = offences.select(*CELLS).with_columns(
            _population_measure(offences, question.measure).alias("yes")
        )
        groups = measured.group_by(CELLS).agg(
            pl.col("yes").sum().alias("with_measure"), pl.len().alias("offences")
        )
        answered = by_group.filter(question_key=question.key).filter(pl.col("denominator") > 0)
        weighted = answered.join(groups, on=CELLS, how="inner").with_columns(
            (pl.col("denominator") / pl.col("denominator").sum()).alias("weight"),
            (pl.col("with_measure") / pl.col("offences")).alias("group_rate"),
        )
        rate = float((weighted["weight"] * weighted["group_rate"]).sum())
        variance = (
            weighted["weight"] ** 2
            * weighted["group_rate"]
            * (1 - weighted["group_rate"])
            / weighted["offences"]
        ).sum()
        half = Z_95 * float(variance) ** 0.5
        exact = question.measure in STRATA  # one value per group: the cases' own flag
        sample_row = shares.filter(question_key=question.key)
        rows.append(
            {
                "question_key": question.key,
                "label": MEASURES[question.measure],
                "sample_numerator": int(sample_row["numerator"].sum()),
                "sample_denominator": int(sample_row["denominator"].sum()),
                "numerator": int(weighted["with_measure"].sum()),
                "group_offences": int(weighted["offences"].sum()),
                "rate": rate if weighted.height else None,
                "lower": max(0.0, rate - half) if weighted.height and not exact else None,
                "upper": min(1.0, rate + half) if weighted.height and not exact else None,
            }
        )
    if not rows:
        return pl.DataFrame()
    sample_rates = with_rate_columns(
        pl.DataFrame(rows).select(
            "question_key",
            pl.col("sample_numerator").alias("numerator"),
            pl.col("sample_denominator").alias("denominator"),
        ),
        small_denominator=30,
    ).select(
        "question_key",
        pl.col("rate").alias("sample_rate"),
        pl.col("lower").alias("sample_lower"),
        pl.col("upper").alias("sample_upper"),
    )
    table = pl.DataFrame(
        rows, schema_overrides={"rate": pl.Float64, "lower": pl.Float64, "upper": pl.Float64}
    )
    return table.join(sample_rates, on="question_key")


def _population_measure(offences: pl.DataFrame, measure: str) -> pl.Series:
    """The 0/1 value of a measure for every offence."""
    expressions = {
        "dash_completion_rate": pl.col("dash_completed").fill_null(False),
        "sash_completed": pl.col("sash_completed").fill_null(False),
        "arrest_rate": pl.col("arrest_made").fill_null(False),
        "is_domestic": pl.col("is_domestic"),
        "outcome_16_rate": (pl.col("outcome_code") == "16").fill_null(False),
    }
    return offences.select(expressions[measure].cast(pl.Int64)).to_series()


def _as_text(text: str) -> str:
    """A reviewer's text as a Markdown report shows it: markup written out, not run (a note's
    <b> went into the report as HTML)."""
    return drawn_literal(" ".join(str(text).splitlines()))


def as_code(text: str) -> str:
    r"""A reference (a crime reference) in the Markdown report as a code span: read as written
    in the file and when drawn ("SYN\-BD\-2109" had been the file's text: helper 80), a bar
    escaped so that a table keeps its cells, a backtick in it fenced by two.

    >>> print(as_code("SYN-BD-2109-00417"), as_code("A`B|C"))
    `SYN-BD-2109-00417` `` A`B\|C ``
    """
    text = " ".join(str(text).splitlines()).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _cell(text: str) -> str:
    """Text in a cell of the Markdown report's tables: as `_as_text` gives it, with a bar
    written as GitHub's tables escape it, so a cell is one cell (a question's text with `|`
    split its row, and its tags went into the report as HTML)."""
    return _as_text(text).replace("|", "\\|")


def in_question_order(recorded: pl.DataFrame, question_set: QuestionSet) -> pl.DataFrame:
    """The answers as the set asks its questions (the store gives them by key: a report read
    DASH, DA link, the free text, the force's response and only then the panel's focus), a
    question no longer in the set after them and the force's response last."""
    order = {question.key: place for place, question in enumerate(question_set.questions)}
    rank = (
        pl.when(pl.col("question_key") == FORCE_RESPONSE)
        .then(len(order) + 1)
        .otherwise(
            pl.col("question_key").replace_strict(order, default=len(order), return_dtype=pl.Int64)
        )
    )
    return recorded.sort(rank, maintain_order=True)


def by_case(recorded: pl.DataFrame, sample: DipSample, question_set: QuestionSet) -> pl.DataFrame:
    """The answers in the sample's order of cases and each case's in the set's order of
    questions, as the reports give them (the tables had them by crime reference, and a
    case's answers in words by key: Actions, Negatives, Positives, Queries)."""
    position = dict(zip(sample.cases["crime_ref"], sample.cases["position"], strict=True))
    ordered = in_question_order(recorded, question_set)
    at = pl.col("crime_ref").replace_strict(position, default=None, return_dtype=pl.Int64)
    return ordered.sort(at, maintain_order=True, nulls_last=True)


def answers_as_read(
    sample: DipSample, question_set: QuestionSet, recorded: pl.DataFrame
) -> pl.DataFrame:
    """Every answer as a panel reads it, for the answers' download: by case and question
    (`by_case`), each question in words, its key last (the file gave keys alone, such as
    "dash_completed", headed "Question key", "answer": helper 90)."""
    texts = {q.key: q.text for q in question_set.questions} | {
        FORCE_RESPONSE: "The force's response to this case's findings"
    }
    position = dict(zip(sample.cases["crime_ref"], sample.cases["position"], strict=True))
    ordered = by_case(recorded, sample, question_set)
    return ordered.select(
        pl.col("crime_ref")
        .replace_strict(position, default=None, return_dtype=pl.Int64)
        .alias("Case"),
        pl.col("crime_ref").alias("Crime reference"),
        pl.col("district_code").alias("District"),
        pl.when(pl.col("is_domestic")).then(pl.lit("DA")).otherwise(pl.lit("non-DA")).alias("DA"),
        pl.col("question_key")
        .replace_strict(texts, default=pl.lit(f"(no longer in {question_set.name})"))
        .alias("Question"),
        pl.col("answer").alias("Answer"),
        pl.col("note").alias("Note"),
        pl.col("recommendation").alias("Recommendation"),
        pl.col("updated_at").alias("Recorded at"),
        pl.col("updated_by").alias("Recorded by"),
        pl.col("question_key").alias("Question key"),
    )


def reviewed_cases(sample: DipSample, recorded: pl.DataFrame) -> pl.DataFrame:
    """The sample's cases, each with whether it is reviewed ("reviewed": a question of the
    set answered; the force's response alone is not a review)."""
    answered = recorded.filter(pl.col("question_key") != FORCE_RESPONSE)["crime_ref"]
    done = pl.col("crime_ref").is_in(answered.unique().implode())
    return sample.cases.with_columns(done.alias("reviewed"))


def coverage(sample: DipSample, recorded: pl.DataFrame) -> str:
    """How many cases were drawn, how, and how many are reviewed so far (the panel report read
    "Cases reviewed: 30" with one case answered and 29 listed as not reviewed: helper 90).

    The count reviewed is `reviewed_cases`'s."""
    drawn = sample.cases.height
    done = int(reviewed_cases(sample, recorded)["reviewed"].sum())
    how = (
        f"drawn at random, up to {sample.per_stratum} per district and DA group (seed "
        f"{sample.seed}: the same filter and seed re-draw the same cases)"
    )
    if drawn and done == drawn:
        return f"Cases: {plural(drawn, 'case')} {how}; all {drawn} reviewed."
    reviewed = f"{done} reviewed so far, {drawn - done} not yet" if done else "none reviewed yet"
    return f"Cases: {plural(drawn, 'case')} {how}; {reviewed}."


LINK_SCHEMA = {
    "recommendation": pl.Int64,
    "sample_id": pl.String,
    "sample_name": pl.String,
    "crime_ref": pl.String,
    "question_key": pl.String,
    "answer": pl.String,
    "note": pl.String,
}


def linked_findings(store: OperationalStore, by: Access) -> pl.DataFrame:
    """Every case's findings linked to a recommendation, across the dip samples (record
    level: for those who record reviews): recommendation, sample_name, crime_ref, the case's
    notes ("observations") and the force's response. A link was in the panel report alone,
    never beside the recommendation it was made for (helper 90)."""
    by.require(Permission.REVIEW)
    rows = store.frame("review_links", LINK_SCHEMA)
    is_response = pl.col("question_key") == FORCE_RESPONSE
    return (
        rows.group_by(
            "recommendation", "sample_id", "sample_name", "crime_ref", maintain_order=True
        )
        .agg(
            pl.col("note")
            .filter(~is_response & (pl.col("note") != ""))
            .str.join("; ")
            .alias("observations"),
            pl.col("answer").filter(is_response).first().fill_null("").alias("response"),
        )
        .drop("sample_id")
    )


def linked_markdown(findings: pl.DataFrame, number: int) -> str:
    """The findings linked to recommendation `number` (`linked_findings`), in words ('' for
    none)."""
    mine = findings.filter(recommendation=number)
    if mine.is_empty():
        return ""
    lines = [f"**Dip-sample findings linked to it ({plural(mine.height, 'case')}):**", ""]
    for row in mine.iter_rows(named=True):
        said = [_as_text(row["observations"]) or "no note"]
        if row["response"]:
            said.append(f"the force's response: {_as_text(row['response'])}")
        lines.append(
            f"- {literal(row['sample_name'])}, case {as_code(row['crime_ref'])}: " + "; ".join(said)
        )
    return "\n".join(lines)


def observations(
    sample: DipSample,
    question_set: QuestionSet,
    recorded: pl.DataFrame,
    recommendations: dict[int, str] | None = None,
) -> list[dict[str, str]]:
    """Each case with a note, a finding linked to a recommendation or the force's response,
    in the sample's order: its notes (in question order), the recommendations linked, and the
    force's response. The reports listed notes only, so a response or a link on a case with no
    note was left out, and a response beside two notes given twice (helper 65)."""
    recommendations = recommendations or {}
    ordered = in_question_order(recorded, question_set)
    rows = []
    for case in sample.cases["crime_ref"]:
        answers = ordered.filter(crime_ref=case)
        findings = answers.filter(pl.col("question_key") != FORCE_RESPONSE)
        notes = [note for note in findings["note"] if note]
        # the force's response carries the link too: a case with a response alone lost it
        linked = sorted({int(n) for n in answers["recommendation"].drop_nulls()})
        response = answers.filter(question_key=FORCE_RESPONSE)["answer"]
        if notes or linked or response.len():
            rows.append(
                {
                    "case": case,
                    "observations": "; ".join(notes),
                    "recommendations": "; ".join(
                        f"{n}. {recommendations.get(n, '')}".strip() for n in linked
                    ),
                    "response": response[0] if response.len() else "",
                }
            )
    return rows


def panel_report(
    sample: DipSample,
    question_set: QuestionSet,
    recorded: pl.DataFrame,
    recommendations: dict[int, str] | None = None,
    marking: str = FORCE_MARKING,
) -> str:
    """The panel's report in the shape of the seeds' reports (Markdown): overview, cases
    drawn and whether each is reviewed, findings by case (each answer with its note),
    observations (every note) with the recommendation a finding was linked to, and the
    summary by question; `marking` (exports.report_marking) above and below it."""
    recommendations = recommendations or {}
    responses = recorded.filter(question_key=FORCE_RESPONSE).height
    answered = recorded.height - responses
    lines = [
        f"**{marking}**",
        "",
        f"# {literal(sample.name)}",
        "",
        "## Overview",
        "",
        f"- Population: {literal(sample.filter_text)} ({sample.population:,} offences).",
        f"- {coverage(sample, recorded)}",
        f"- Questions: {literal(question_set.name)}.",
        f"- Answers recorded: {answered:,}"
        + (f", and the force's response to {plural(responses, 'case')}." if responses else "."),
        "",
        "## Cases drawn",
        "",
        "| Case | District | DA | Offence | Reviewed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in reviewed_cases(sample, recorded).iter_rows(named=True):
        lines.append(
            f"| {as_code(row['crime_ref'])} | {literal(row['district_code'])} | "
            f"{'DA' if row['is_domestic'] else 'non-DA'} | {offence_of(row)} | "
            f"{'yes' if row['reviewed'] else 'not yet'} |"
        )
    lines += ["", "## Findings by case", ""]
    ordered = in_question_order(recorded, question_set)
    for row in sample.cases.iter_rows(named=True):
        answers = ordered.filter(crime_ref=row["crime_ref"])
        lines.append(f"### Case {row['position']}: {as_code(row['crime_ref'])}")
        lines.append("")
        if answers.is_empty():
            lines += ["Not reviewed yet.", ""]
            continue
        for answer in answers.iter_rows(named=True):
            if answer["question_key"] == FORCE_RESPONSE:
                lines.append(f"- The force's response: {_as_text(answer['answer'])}")
                continue
            question = question_set.find(answer["question_key"])
            text = (  # a set edited after answers were recorded keeps them readable
                question.text
                if question
                else f"({answer['question_key']}: no longer in {question_set.name})"
            )
            note = f" {_as_text(answer['note'])}" if answer["note"] else ""
            lines.append(f"- {_as_text(text)} **{_as_text(answer['answer'])}**.{note}")
        lines.append("")
    lines += [
        "## Observations",
        "",
        "| Case | Observation | Recommendation | The force's response |",
        "| --- | --- | --- | --- |",
    ]
    for seen in observations(sample, question_set, recorded, recommendations):
        cells = (seen[k] for k in ("case", "observations", "recommendations", "response"))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Summary by question", "", WIDE_INTERVAL_NOTE, "", PARTLY_NOTE, ""]
    lines += [
        "| Question | Yes | Partly | Answered | Share (95% interval) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for share in summary(sample, recorded, question_set).iter_rows(named=True):
        interval = (
            f"{percent_text(share['rate'], 0)} ({percent_text(share['lower'], 0)} to {percent_text(share['upper'], 0)})"
            if share["denominator"]
            else "no answers"
        )
        lines.append(
            f"| {_cell(share['label'])} | {share['numerator']} | {share['partly']} | "
            f"{share['denominator']} | {interval} |"
        )
    lines += ["", f"**{marking}**"]
    return "\n".join(lines) + "\n"
