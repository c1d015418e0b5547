"""The README tells the truth about the code: every setting is documented, and the layout
section lists what is in the tree (as datasette's tests/test_docs.py checks its settings)."""

from __future__ import annotations

import re
from pathlib import Path

from stalking_profile.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_variables() -> list[str]:
    source = (ROOT / "stalking_profile" / "config.py").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'"(STALKING_PROFILE_[A-Z_]+)"', source)))


def test_every_setting_is_in_the_readme() -> None:
    variables = _settings_variables()
    assert len(variables) == len(Settings.__dataclass_fields__)
    missing = [name for name in variables if name not in README]
    assert missing == []


def _layout_block() -> str:
    section = README.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_the_layout_section_matches_the_tree() -> None:
    """Every top-level folder and every package module or subpackage is named in the README's
    layout, and everything named there exists."""
    layout = _layout_block()
    named = set(re.findall(r"^[ \t]*([\w./-]+?/?)[ \t]{2,}", layout, flags=re.MULTILINE))
    named |= set(re.findall(r"^\s*([\w.]+\.py), ([\w.]+\.py)", layout, flags=re.MULTILINE)[0])
    package = ROOT / "stalking_profile"
    expected = {
        f"{p.name}/" if p.is_dir() else p.name
        for p in package.iterdir()
        if not p.name.startswith("_")
        and p.name != "py.typed"
        and p.suffix in ("", ".py")
        and (p.is_dir() or p.suffix == ".py")
    } - {"__pycache__/"}
    missing = sorted(expected - named)
    assert missing == [], f"stalking_profile/ entries not in the README layout: {missing}"
    for folder in ("app_pages/", "sql/", "data/", "static/", "bench/", "scripts/", "tests/"):
        assert folder in named and (ROOT / folder).is_dir(), folder


def test_every_statistical_method_is_in_the_readme() -> None:
    """Issue 12: method lines on the Definitions page and in the README."""
    from stalking_profile.measures.methods import METHODS

    section = README.split("## Statistics", 1)[1].split("\n## ", 1)[0]
    statistics = " ".join(section.split()).lower()
    missing = [method.name for method in METHODS if method.name.lower() not in statistics]
    assert missing == []


def test_the_roles_table_says_what_each_role_may_do() -> None:
    """The README's roles table gave a commissioner's office "download the (suppressed) tables"
    alone, while the package lets it update the recommendations tracker; an analyst's row left
    out dip samples. Each row's "may also" names every permission the role has beyond what it
    sees (Permission's own words, in its order)."""
    from stalking_profile.access import PERMISSIONS, Permission, Role

    seen = {Permission.UNSUPPRESSED, Permission.RECORDS}  # the "sees" column says these
    rows = {
        line.split("|")[1].strip().split()[0].strip("`"): line.split("|")[3]
        for line in README.split("| role | sees | may also |", 1)[1].splitlines()[2:6]
    }
    for role in Role:
        may = [p.value for p in Permission if p in PERMISSIONS[role] and p not in seen]
        named = [p.value for p in Permission if p.value in rows[role.value]]
        assert named == may, role


def test_the_definitions_page_gives_readers_no_engineers_notes() -> None:
    """Helper 84: the Definitions page showed "a month at a time took 3-4 ms a month ... at 10
    million offences" and "lifelines took 25 ms a fit" beside what each measure counts."""
    from stalking_profile.measures.registry import ENGINEERS_NOTE, definitions

    shown = definitions()["definition"].to_list()
    assert [text[:60] for text in shown if ENGINEERS_NOTE.search(text)] == []
    assert all(text.strip() for text in shown)  # nothing left empty by it


def test_the_quick_runs_list_names_only_tests_that_exist() -> None:
    """tests/slow.txt (the tests the README's quick run leaves out) names tests by their ids:
    a test renamed or removed would leave a line that marks nothing, and the renamed test,
    slow, would run in the quick run. Each line's file holds its function (a doctest's
    object)."""
    from tests.conftest import slow_tests

    listed = slow_tests()
    assert len(listed) > 100  # publication mode's audits, at least
    missing = []
    for name in sorted(listed):
        path, _, test = name.partition("::")
        function = test.split("[", 1)[0].rsplit(".", 1)[-1]
        source = ROOT / path
        if not source.is_file() or not re.search(
            rf"^\s*(async )?def {re.escape(function)}\(", source.read_text(encoding="utf-8"), re.M
        ):
            missing.append(name)
    assert not missing, missing
