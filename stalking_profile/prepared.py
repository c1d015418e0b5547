"""Publication mode's pages prepared ahead.

In publication mode the first opening of a page for a filter waits for its protection: on the
demo about 5 s for the Outcomes page's tables by district and 9 s for the Hotspot maps' wards,
at a million offences 18-20 s for the Outcomes page. Once a commissioner's office has a page
for a filter, `Preparer` works out the other pages' protection for it in the background, one
filter at a time, in the order the navigation lists them, so the page opened next finds it
done (kept by `Gateway.remembered`). A page opened while its protection is being worked out
waits for that work rather than doing it again beside it. Nothing here shows a figure: the
pages build theirs from the same answers, so what they show is the same either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from stalking_profile import geography, map_panels, panels, protection_panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter

log = logging.getLogger(__name__)


def _outcomes(gateway: Gateway, flt: ProfileFilter) -> None:
    panels.outcome_districts(gateway, flt)


def _hotspot_maps(gateway: Gateway, flt: ProfileFilter) -> None:
    wards = geography.ward_list(gateway, flt.districts)
    if not wards.is_empty():  # else no map to prepare
        map_panels.protect_wards_ahead(gateway, flt, wards)


def _victim_contact(gateway: Gateway, flt: ProfileFilter) -> None:
    protection_panels.contact_panel(gateway, flt)


# The pages whose first opening waits longest in publication mode, in the navigation's order
# (the Overview, Trends, Risk and flags, Data quality and Repeats pages share one protection,
# which the first page opened works out).
PAGES: dict[str, Callable[[Gateway, ProfileFilter], None]] = {
    "Outcomes": _outcomes,
    "Hotspot maps": _hotspot_maps,
    "Victim contact": _victim_contact,
}


def prepare_pages(gateway: Gateway, flt: ProfileFilter) -> list[str]:
    """Work out the protection of each of PAGES for the filter (for DA and non-DA together:
    the three DA choices are protected as one) on a gateway reading in publication mode, so
    that opening them finds it done. Returns the pages prepared (none outside publication
    mode)."""
    if not gateway.publication:
        return []
    both = replace(flt, domestic="all")
    for prepare in PAGES.values():
        prepare(gateway, both)
    return list(PAGES)


class Preparer:
    """One background thread a process that prepares pages (`prepare_pages`) for the filters
    asked for, one at a time: a filter asked for while another is being prepared waits its
    turn, and only the latest one asked for waits (a commissioner's office moving on from a
    filter no longer needs the one before). Each filter is prepared once per snapshot and
    rule. A failure is logged and does not stop the next."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked: set[tuple[int, ProfileFilter, tuple[int, int]]] = set()
        self._next: tuple[Gateway, ProfileFilter] | None = None
        self._worker: threading.Thread | None = None
        self.idle = threading.Event()  # set while nothing is being prepared (for tests)
        self.idle.set()
        self.prepared: list[tuple[ProfileFilter, list[str]]] = []

    def ask(self, gateway: Gateway, flt: ProfileFilter) -> bool:
        """Prepare the pages for `flt` in the background, unless the gateway does not read in
        publication mode or they were asked for before. True if it will."""
        access, memo = gateway.access, gateway.memo_id
        if not gateway.publication or access is None or memo is None:
            return False  # nothing to prepare, or nowhere to keep it
        key = (memo, replace(flt, domestic="all"), access.disclosure_rule)
        with self._lock:
            if key in self._asked:
                return False
            self._asked.add(key)
            self._next = (gateway, flt)
            self.idle.clear()
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="stalking-profile-prepare", daemon=True
                )
                self._worker.start()
        return True

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._next is None:
                    self._worker = None
                    self.idle.set()
                    return
                gateway, flt = self._next
                self._next = None
            try:
                self.prepared.append((flt, prepare_pages(gateway, flt)))
            except Exception:  # a page that cannot be prepared is worked out when opened
                log.exception("could not prepare the pages for %s ahead", flt.describe())
