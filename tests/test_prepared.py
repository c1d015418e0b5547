"""Publication mode's pages prepared ahead (prepared.py), on the demo store: what a page opened
after the preparation shows, and what it waits for."""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from stalking_profile import (
    disclosure,
    linked_protection,
    map_panels,
    panels,
    people_panels,
    prepared,
    protection_panels,
    publication,
    queries,
)
from stalking_profile.access import Access, Role
from stalking_profile.db import Gateway, connect
from stalking_profile.filters import DOMESTIC_KEYS, ProfileFilter
from stalking_profile.geography import ward_geometry

FORCE = ("BD", "CD", "KD", "LD", "WD")
QUARTER = ProfileFilter(date(2021, 7, 1), date(2021, 9, 1), FORCE)  # as publication shows it


def _reading_as(path: Path, role: str) -> Gateway:
    """A connection of its own (nothing worked out yet), read as `role`."""
    return connect(path, read_only=True).scoped(Access.for_role("x", Role(role)))


def _opened(gateway: Gateway, flt: ProfileFilter) -> dict:
    """The prepared pages as they are opened for the filter under each DA choice."""
    geometry = ward_geometry(gateway, flt.districts)
    first = queries.dataset_info(gateway).first_month
    opened = {}
    for choice in DOMESTIC_KEYS:
        chosen = replace(flt, domestic=choice)
        opened[choice] = (
            panels.outcome_districts(gateway, chosen),
            map_panels.hotspot_panel(gateway, chosen, geometry, "rate", True),
            people_panels.people_panel(gateway, chosen),
            protection_panels.contact_panel(gateway, chosen),
            # its quarters' span no other page protects: 9-14 s at each first opening
            map_panels.emerging_panel(gateway, chosen, geometry, first),
        )
    return opened


def _same(a: object, b: object) -> bool:
    """Whether two panels show the same: frames, figures and every other field."""
    if isinstance(a, pl.DataFrame):
        return isinstance(b, pl.DataFrame) and a.equals(b)
    if isinstance(a, go.Figure):
        return isinstance(b, go.Figure) and a.to_json() == b.to_json()
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


@pytest.fixture
def protections(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every secondary suppression worked out from now on (disclosure.protect_system)."""
    made: list = []

    def counted(*args, **kwargs):
        made.append(args)
        return disclosure.protect_system(*args, **kwargs)

    monkeypatch.setattr(linked_protection, "protect_system", counted)
    monkeypatch.setattr(publication, "protect_system", counted)
    return made


def test_pages_prepared_ahead_open_without_protecting_and_show_the_same(
    demo_db_path: Path, protections: list
) -> None:
    """A commissioner's office opens the Outcomes, Hotspot maps (and its emerging hotspots),
    Victims and suspects and Victim contact pages for a filter already prepared (from a page for the DA choice alone):
    none is protected again, under any DA choice, and each shows what it shows worked out
    when opened."""
    reader = _reading_as(demo_db_path, "commissioner")
    asked = replace(QUARTER, domestic="domestic")
    assert prepared.prepare_pages(reader, asked) == list(prepared.PAGES)
    assert protections, "preparing protects the pages"
    protections.clear()
    shown = _opened(reader, QUARTER)
    assert protections == []
    worked_out_when_opened = _opened(_reading_as(demo_db_path, "commissioner"), QUARTER)
    assert protections, "a page not prepared is protected when opened"
    assert _same(shown, worked_out_when_opened)
    withheld = shown["all"][0].tables["DA and non-DA"].select(pl.exclude(pl.String)).null_count()
    assert withheld.sum_horizontal().item() > 0  # the tables compared hold withheld counts


def test_nothing_is_prepared_outside_publication_mode(
    demo_db_path: Path, protections: list
) -> None:
    analyst = _reading_as(demo_db_path, "analyst")
    assert prepared.prepare_pages(analyst, QUARTER) == []
    assert prepared.Preparer().ask(analyst, QUARTER) is False
    assert protections == []


def test_the_preparer_prepares_each_filter_once_and_only_the_latest_waiting(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One filter at a time in the background: a filter asked for again (under another DA
    choice too) while it waits, is prepared, or once prepared, is not prepared again; of those
    asked for while one is being prepared, only the latest waits (the office has moved on from
    the others), and one passed over is prepared when asked for again; one that fails is logged
    (and not tried again) and the next is prepared."""
    started, release = threading.Event(), threading.Event()
    done: list[ProfileFilter] = []

    def prepare(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> list[str]:
        if flt.start_month == date(2021, 1, 1):
            started.set()
            release.wait(timeout=60)
        if flt.start_month == date(2021, 4, 1):
            raise ValueError("no answer")
        done.append(flt)
        return ["a page"]

    monkeypatch.setattr(prepared, "prepare_pages", prepare)
    reader = _reading_as(demo_db_path, "commissioner")
    preparer = prepared.Preparer()
    first = QUARTER.with_period(date(2021, 1, 1), date(2021, 3, 1))
    assert preparer.ask(reader, first)
    assert started.wait(timeout=60)
    assert not preparer.idle.is_set()
    assert not preparer.ask(reader, replace(first, domestic="non_domestic"))  # being prepared
    assert preparer.ask(reader, QUARTER)  # waits, then is passed over for the latest
    failing = QUARTER.with_period(date(2021, 4, 1), date(2021, 6, 1))
    assert preparer.ask(reader, failing)
    assert not preparer.ask(reader, failing)  # waiting already
    release.set()
    assert preparer.idle.wait(timeout=60)
    assert done == [first]
    assert "could not prepare the pages for" in caplog.text
    assert not preparer.ask(reader, first)  # prepared
    assert not preparer.ask(reader, failing)  # failed: not tried again
    with caplog.at_level(logging.ERROR):
        assert preparer.ask(reader, QUARTER)  # passed over: asked for again, prepared now
        assert preparer.idle.wait(timeout=60)
    assert done == [first, QUARTER]
    assert [flt for flt, _ in preparer.prepared] == [first, QUARTER]


def test_a_filter_is_prepared_again_once_the_snapshots_answers_let_it_go(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mark that a filter is prepared is kept among the answers worked out on the
    snapshot: once they have let it go (the last MEMO_SIZE kept), so have they its pages'
    protection, and it is prepared again when asked for."""
    done: list[ProfileFilter] = []
    monkeypatch.setattr(prepared, "prepare_pages", lambda g, flt, small: done.append(flt) or [])
    reader = connect(demo_db_path, read_only=True, memo_size=2).scoped(
        Access.for_role("x", Role("commissioner"))
    )
    preparer = prepared.Preparer()
    assert preparer.ask(reader, QUARTER)
    assert preparer.idle.wait(timeout=60)
    assert not preparer.ask(reader, QUARTER)
    for key in ("another answer", "and another"):
        reader.remembered(key, lambda: 0)
    assert preparer.ask(reader, QUARTER)
    assert preparer.idle.wait(timeout=60)
    assert done == [QUARTER, QUARTER]
