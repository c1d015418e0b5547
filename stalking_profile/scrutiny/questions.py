"""Question sets as data: the panels' questions from the seeds ship as templates
(`reference/scrutiny/questions_*.toml`); a set can be edited or a new one made."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass

from stalking_profile.access import Access, Permission
from stalking_profile.config import PROJECT_ROOT
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore

TEMPLATES = PROJECT_ROOT / "stalking_profile" / "reference" / "scrutiny"
ANSWER_KINDS = ("yes_no_partly_na", "free_text")
CHOICES = ("yes", "no", "partly", "not applicable")
# Measures a question may be compared with, on every offence of the sampled population.
MEASURES = {
    "dash_completion_rate": "DASH completed",
    "sash_completed": "stalking screening (SASH or S-DASH) completed",
    "arrest_rate": "Arrest made",
    "is_domestic": "Domestic-abuse link",
    "outcome_16_rate": "Outcome 16 (victim does not support action)",
}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    answer: str = "yes_no_partly_na"
    measure: str = ""


@dataclass(frozen=True)
class QuestionSet:
    key: str
    name: str
    source: str
    questions: tuple[Question, ...]

    def find(self, key: str) -> Question | None:
        """The question with this key, or None (a set edited after answers were recorded)."""
        return next((q for q in self.questions if q.key == key), None)

    def question(self, key: str) -> Question:
        """The question with this key (ValueError naming the set if it has none)."""
        question = self.find(key)
        if question is None:
            raise ValueError(f"the question set {self.name} has no question {key!r}")
        return question


def parse(key: str, data: dict, stored: bool = False) -> QuestionSet:
    """A question set from its TOML/JSON form, checked (ValueError says what is wrong). A
    measure is compared with the share answered yes, so only a yes/no question may have one;
    a set `stored` before that rule keeps its free-text questions without their measure."""
    questions = []
    seen: set[str] = set()
    items = data.get("question", [])
    # `[question]` (one table, not `[[question]]`) or `question = "..."` reached item.get
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(
            "the questions must be a list of [[question]] tables, each with a key, a text and "
            "an answer kind"
        )
    for number, item in enumerate(items, start=1):
        answer = str(item.get("answer", "yes_no_partly_na"))
        measure = str(item.get("measure", ""))
        question = Question(
            key=str(item.get("key", "")),
            text=str(item.get("text", "")).strip(),
            answer=answer,
            measure="" if stored and answer == "free_text" else measure,
        )
        problems = [
            "a key of lower-case letters, digits and _" if not _KEY.match(question.key) else "",
            "a text" if not question.text else "",
            f"an answer kind of {' or '.join(ANSWER_KINDS)}"
            if question.answer not in ANSWER_KINDS
            else "",
            f"a measure of {', '.join(MEASURES)} or none"
            if question.measure and question.measure not in MEASURES
            else "",
            "a key no other question has" if question.key in seen else "",
            "no measure, or a yes/no answer (a measure is compared with the share answered yes)"
            if question.measure and question.answer != "yes_no_partly_na"
            else "",
        ]
        if any(problems):
            needed = "; ".join(p for p in problems if p)
            raise ValueError(f"question {number} ({question.key or 'no key'}) needs {needed}")
        seen.add(question.key)
        questions.append(question)
    if not questions:
        raise ValueError("a question set needs at least one [[question]]")
    return QuestionSet(
        key, str(data.get("name") or key), str(data.get("source", "")), tuple(questions)
    )


def templates() -> list[QuestionSet]:
    """The question sets shipped with the product (the seeds' panels)."""
    return [
        parse(path.stem.removeprefix("questions_"), tomllib.loads(path.read_text("utf-8")))
        for path in sorted(TEMPLATES.glob("questions_*.toml"))
    ]


def _to_json(question_set: QuestionSet) -> str:
    return json.dumps({"question": [asdict(q) for q in question_set.questions]})


def _put(store: OperationalStore, question_set: QuestionSet, username: str) -> None:
    store.execute(
        "question_set_put",
        set_key=question_set.key,
        name=question_set.name,
        source=question_set.source,
        questions=_to_json(question_set),
        now=now_text(),
        username=username,
    )


def key_of_file(file_name: str) -> str:
    """A question set's key from its file's name (`questions_stalking.toml`: stalking), in
    the form of a question's key; ValueError if the name gives none."""
    stem = file_name.removesuffix(".toml").removeprefix("questions_")
    key = re.sub(r"[\s\-]+", "_", stem.strip().lower())
    if not _KEY.match(key):
        raise ValueError(
            f"the file's name ({file_name}) gives the set its key: name it with letters, "
            "digits and _ (questions_stalking.toml)"
        )
    return key


def save(store: OperationalStore, question_set: QuestionSet, by: Access) -> str:
    """Add or replace a question set (those who record reviews); returns what was done, in
    words. A set replaced is kept whole in the audit trail's event (which nothing changes):
    samples drawn with it read their answers against the new questions, and nothing kept the
    questions they were recorded against (helper 74)."""
    by.require(Permission.REVIEW)
    before = next((s for s in question_sets(store) if s.key == question_set.key), None)
    _put(store, question_set, by.username)
    detail = f"question set {question_set.key} saved"
    if before is not None:
        earlier: dict[str, object] = {"name": before.name, "source": before.source}
        earlier["question"] = [asdict(q) for q in before.questions]
        detail += f"; it replaced: {json.dumps(earlier, ensure_ascii=False)}"
    audit.record(store, Action.QUESTION_SET, by, detail)
    if before is None:
        return f"Added the question set {question_set.key}."
    return (
        f"Replaced the question set {question_set.key} ({len(before.questions)} questions "
        "before); the version it replaced is kept in the audit trail."
    )


def question_sets(store: OperationalStore) -> list[QuestionSet]:
    """Every question set in the store; the templates are added the first time."""
    rows = store.fetch("question_sets")
    if not rows:
        for template in templates():
            _put(store, template, "template")
        rows = store.fetch("question_sets")
    return [
        parse(
            row["set_key"],
            {**json.loads(row["questions"]), "name": row["name"], "source": row["source"]},
            stored=True,
        )
        for row in rows
    ]


def in_drawing_order(sets: dict[str, QuestionSet]) -> list[str]:
    """The sets' keys as the draw form offers them: those with the most questions compared
    with the dashboard's measures first (the stalking panel's, with its DASH, SASH and DA
    questions), then by name. By name alone, the Crime and Incident Hub's set, which never
    mentions stalking, was the default (helper 65)."""
    return sorted(
        sets,
        key=lambda key: (-sum(bool(q.measure) for q in sets[key].questions), sets[key].name),
    )
