"""Publication mode's pages prepared ahead.

In publication mode the first opening of a page for a filter waits for its protection: on the
demo about 5 s for the Outcomes page's tables by district and 9 s for the Hotspot maps' wards,
at a million offences 18-20 s for the Outcomes page; for one district and month, 3.5 s for the
Victims and suspects page. Once a commissioner's office has a page
for a filter, `Preparer` works out the other pages' protection for it in the background, one
filter at a time, in the order the navigation lists them, so the page opened next finds it
done (kept by `Gateway.remembered`). A page opened while its protection is being worked out
waits for that work rather than doing it again beside it. Nothing here shows a figure: the
pages build theirs from the same answers, so what they show is the same either way.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from stalking_profile import (
    geography,
    map_panels,
    panels,
    people_panels,
    protection_panels,
    queries,
)
from stalking_profile.config import SMALL_DENOMINATOR
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter

log = logging.getLogger(__name__)


def _outcomes(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> None:
    panels.outcome_districts(gateway, flt)


def _hotspot_maps(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> None:
    wards = geography.ward_list(gateway, flt.districts)
    if not wards.is_empty():  # else no map to prepare
        map_panels.protect_wards_ahead(gateway, flt, wards)


def _emerging_hotspots(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> None:
    first = queries.dataset_info(gateway).first_month
    if first is not None:
        map_panels.protect_emerging_ahead(gateway, flt, first)


def _victims_and_suspects(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> None:
    people_panels.people_panel(gateway, flt, small_denominator)


def _victim_contact(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> None:
    protection_panels.contact_panel(gateway, flt, small_denominator)


# The pages whose first opening waits longest in publication mode, in the navigation's order
# (the Overview, Trends, Risk and flags, Data quality and Repeats pages share one protection,
# which the first page opened works out).
PAGES: dict[str, Callable[[Gateway, ProfileFilter, int], None]] = {
    "Outcomes": _outcomes,
    "Hotspot maps": _hotspot_maps,
    "Victims and suspects": _victims_and_suspects,
    "Victim contact": _victim_contact,
    # last: the Hotspot maps page's tab, whose quarters' span no other page protects (9-14 s)
    "Emerging hotspots": _emerging_hotspots,
}


def prepare_pages(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int = SMALL_DENOMINATOR
) -> list[str]:
    """Work out the protection of each of PAGES for the filter under every DA choice, on a
    gateway reading in publication mode, so that opening them finds it done (the pages' own
    setting of `small_denominator`, which their protected tables flag). Returns the pages
    prepared (none outside publication mode)."""
    if not gateway.publication:
        return []
    both = replace(flt, domestic="all")
    for prepare in PAGES.values():
        prepare(gateway, both, small_denominator)
    return list(PAGES)


@dataclass(frozen=True)
class _Asked:
    gateway: Gateway  # reading in publication mode
    flt: ProfileFilter  # for DA and non-DA together
    small_denominator: int

    @property
    def mark(self) -> Hashable:
        """Kept among the gateway's answers once the pages are prepared."""
        assert self.gateway.access is not None  # publication mode
        rule = self.gateway.access.disclosure_rule
        return ("pages prepared ahead", self.flt, rule, self.small_denominator)

    def same(self, other: _Asked | None) -> bool:
        """The same preparation: the same mark on the same snapshot's answers (both hold
        their gateway, so its memo cannot be let go and another take its place)."""
        return (
            other is not None
            and other.mark == self.mark
            and other.gateway.memo_id == self.gateway.memo_id
        )


class Preparer:
    """One background thread a process that prepares pages (`prepare_pages`) for the filters
    asked for, one at a time: a filter asked for while another is being prepared waits its
    turn, and only the latest one asked for waits (a commissioner's office moving on from a
    filter no longer needs the one before; asked for again, it is prepared then). Once
    prepared, a mark is kept among the snapshot's answers (`Gateway.remembered`): the filter
    is not prepared again while it is there, and is once the answers have let it go with the
    mark. A preparation that fails is logged and marked too (not tried again on every page
    drawn), and the next is prepared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: _Asked | None = None
        self._current: _Asked | None = None
        self._worker: threading.Thread | None = None
        self.idle = threading.Event()  # set while nothing is being prepared or waiting
        self.idle.set()
        self.prepared: deque[tuple[ProfileFilter, list[str]]] = deque(maxlen=64)

    def ask(
        self, gateway: Gateway, flt: ProfileFilter, small_denominator: int = SMALL_DENOMINATOR
    ) -> bool:
        """Prepare the pages for `flt` in the background, unless the gateway does not read in
        publication mode (or keeps no answers), or they are prepared, being prepared or
        waiting already. True if it will."""
        access = gateway.access
        if not gateway.publication or access is None or not gateway.remembers:
            return False
        asked = _Asked(gateway, replace(flt, domestic="all"), small_denominator)
        with self._lock:
            if asked.same(self._current) or asked.same(self._next) or gateway.knows(asked.mark):
                return False
            self._next = asked
            self.idle.clear()
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="stalking-profile-prepare", daemon=True
                )
                self._worker.start()
        return True

    def _work(self) -> None:
        finished = False
        try:
            while True:
                with self._lock:
                    asked = self._current = self._next
                    self._next = None
                    if asked is None:
                        self._worker = None
                        self.idle.set()
                        finished = True
                        return
                try:
                    pages = prepare_pages(asked.gateway, asked.flt, asked.small_denominator)
                    self.prepared.append((asked.flt, pages))
                except Exception:  # a page that cannot be prepared is worked out when opened
                    log.exception("could not prepare the pages for %s ahead", asked.flt.describe())
                asked.gateway.remembered(asked.mark, lambda: True)
        finally:
            if not finished:  # ended by something other than an Exception: the next ask
                with self._lock:  # starts another thread
                    self._worker = None
                    self._current = None
