"""House rules that keep the layout honest: import boundaries and SQL hygiene."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from stalking_profile.db import DatabaseError, load_sql

ROOT = Path(__file__).resolve().parents[1]
PY_FILES = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "tests" not in p.parts]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_streamlit_only_in_app_pages_and_ui() -> None:
    # bench/bare_app.py is the browser benchmark's floor: a bare Streamlit page with one chart;
    # bench/load_sessions.py speaks Streamlit's websocket protocol (its protobuf messages)
    allowed = re.compile(
        r"^(app\.py|app_pages/.*|stalking_profile/ui/.*"
        r"|bench/bare_app\.py|bench/load_sessions\.py)$"
    )
    offenders = [
        _relative(p)
        for p in PY_FILES
        if "streamlit" in _imports(p) and not allowed.match(_relative(p))
    ]
    assert offenders == []


def test_duckdb_only_in_db_module() -> None:
    allowed = re.compile(r"^(stalking_profile/db\.py|bench/.*)$")
    offenders = [
        _relative(p)
        for p in PY_FILES
        if "duckdb" in _imports(p) and not allowed.match(_relative(p))
    ]
    assert offenders == []


def test_no_python_function_runs_on_polars_thread_pool() -> None:
    """`map_elements` and `map_batches` run Python on Polars' thread pool, whose workers then
    need the GIL; with several sessions at once, a thread holding the GIL while it waits for
    that pool (Polars' `to_pandas`, for a table on a page) deadlocked the server
    (bench/load_sessions.py, twenty sessions). tables.python_values runs such a function in
    the caller's thread instead."""
    pattern = re.compile(r"\.(map_elements|map_batches|map_rows)\(")
    offenders = [
        _relative(p)
        for p in PY_FILES
        if re.match(r"^(app\.py|app_pages/|stalking_profile/)", _relative(p))
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_package_shadows_the_standard_library_profile_module() -> None:
    assert not (ROOT / "profile").exists()
    import cProfile  # noqa: F401  (fails if a local `profile` package shadows the stdlib)


def test_every_sql_file_starts_with_its_purpose() -> None:
    files = list((ROOT / "sql").rglob("*.sql"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("-- Purpose:"), _relative(path)


def test_sql_is_never_built_with_f_strings_in_the_package() -> None:
    pattern = re.compile(r"(execute|sql|query)\(\s*f[\"']")
    offenders = [
        _relative(p)
        for p in PY_FILES
        if _relative(p).startswith("stalking_profile/")
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_named_queries_cannot_escape_the_sql_folder() -> None:
    with pytest.raises(DatabaseError, match="no SQL file"):
        load_sql("../pyproject")
    with pytest.raises(DatabaseError, match="no SQL file"):
        load_sql("queries/no_such_query")


def test_no_legacy_pages_folder() -> None:
    # Streamlit treats a `pages/` folder beside the entry script as legacy multipage mode until
    # st.navigation first runs, so a bookmarked /trends on a fresh server would skip app.py.
    assert not (ROOT / "pages").exists()


def test_pages_are_thin() -> None:
    pages = list((ROOT / "app_pages").glob("*.py"))
    assert pages
    for page in pages:
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(lines) <= 90, (
            f"{page.name} has {len(lines)} lines: move logic into stalking_profile/"
        )


def test_store_drivers_and_password_hashing_each_live_in_one_module() -> None:
    """sqlite3 and psycopg only behind the operational store's interface; argon2 only in
    accounts (so a page or a measure can never write to the store or see a hash directly)."""
    owners = {
        "sqlite3": "stalking_profile/operational/store.py",
        "psycopg": "stalking_profile/operational/store.py",
        "argon2": "stalking_profile/operational/accounts.py",
    }
    for module, owner in owners.items():
        users = sorted(_relative(p) for p in PY_FILES if module in _imports(p))
        assert users == [owner], module
