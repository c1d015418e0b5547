"""The one registry of indicators: every count and rate the pages show by name.

Each indicator states its key, its label, the `offence_summary` column summed for its numerator,
whether it is a count or a rate, which direction is better, what it counts (numerator,
denominator, period, date) and where it is shown. The headline tiles, the scorecard, the Risk
& flags page and the outcome rates all read this list, and the Definitions page prints it, so
an indicator is declared once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["up", "down", "neither"]
Shown = Literal["headline", "scorecard", "flags", "outcomes"]

RECORDED = "offences recorded in the period (by recorded date)"
LATEST = "whose latest outcome (as at the extract date)"


@dataclass(frozen=True)
class Indicator:
    """One indicator. For a rate: numerator = offences with `column` counted, denominator =
    all offences recorded in the period for the filter; for a count, the summed `column`."""

    key: str
    label: str
    column: str  # the offence_summary count column summed for the numerator
    kind: Literal["count", "rate"]
    improvement: Direction
    definition: str
    shown_in: frozenset[Shown]
    description: str = ""  # a short gloss, for the outcome rates

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"


def _shown(*places: Shown) -> frozenset[Shown]:
    return frozenset(places)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "offences",
        "Offences",
        "offences",
        "count",
        "neither",
        f"Offences: {RECORDED}, for the filter; per month on the scorecard.",
        _shown("headline", "scorecard"),
    ),
    Indicator(
        "arrest_rate",
        "Arrest rate",
        "arrest_made",
        "rate",
        "up",
        f"Arrest rate: offences with an arrest recorded / {RECORDED}.",
        _shown("headline", "scorecard", "flags"),
    ),
    Indicator(
        "outcome_1_8_rate",
        "Outcome 1-8 rate",
        "outcome_1_8",
        "rate",
        "up",
        f"Outcome 1-8 rate: offences {LATEST} is type 1, 1A, 2, 2A, 3, 3A, 4, 6, 7 or 8 - "
        "outcome 5 (offender died) excluded, as in the problem profile - over all "
        f"{RECORDED}, open ones included.",
        _shown("headline", "outcomes"),
        "charge, caution, TIC, penalty notice, warning, community resolution (not 5)",
    ),
    Indicator(
        "outcome_15_rate",
        "Outcome 15 rate",
        "outcome_15",
        "rate",
        "neither",
        f"Outcome 15 rate: offences {LATEST} is 15 (evidential difficulties, victim supports "
        f"action) / {RECORDED}, open ones included.",
        _shown("outcomes"),
        "evidential difficulties, victim supports action",
    ),
    Indicator(
        "outcome_16_rate",
        "Outcome 16 rate",
        "outcome_16",
        "rate",
        "neither",
        f"Outcome 16 rate: offences {LATEST} is 16 (victim does not support action, suspect "
        f"identified) / {RECORDED}, open ones included.",
        _shown("headline", "outcomes"),
        "victim does not support action, suspect identified",
    ),
    Indicator(
        "outcome_18_rate",
        "Outcome 18 rate",
        "outcome_18",
        "rate",
        "neither",
        f"Outcome 18 rate: offences {LATEST} is 18 (investigation complete, no suspect "
        f"identified) / {RECORDED}.",
        _shown("outcomes"),
        "investigation complete, no suspect identified",
    ),
    Indicator(
        "open_rate",
        "Open",
        "outcome_open",
        "rate",
        "neither",
        f"Open: offences with no outcome as at the extract date / {RECORDED}.",
        _shown("outcomes"),
        "no outcome yet",
    ),
    Indicator(
        "dash_completion_rate",
        "DASH completion",
        "dash_completed",
        "rate",
        "up",
        f"DASH completion: offences with a DASH risk assessment completed / {RECORDED}. "
        "The College of Policing's DARA replaces DASH for police from November 2022, force "
        "by force: where a force moved, record either in this field, or the rate falls there.",
        _shown("headline", "scorecard", "flags"),
    ),
    Indicator(
        "sash_completion_rate",
        "Stalking screening (SASH or S-DASH) completion",
        "sash_completed",
        "rate",
        "up",
        "Stalking screening (SASH or S-DASH) completion: offences with a stalking risk "
        "screening completed, SASH (the Screening Assessment for Stalking and Harassment, "
        "McEwan et al., 2015) or the S-DASH checklist (2009), two different tools: a force "
        f"records the one it uses in this field, not both / {RECORDED}.",
        _shown("flags"),
    ),
    Indicator(
        "cyber_flag_rate",
        "Cyber-flag rate",
        "is_cyber",
        "rate",
        "neither",
        f"Cyber-flag rate: offences flagged cyber-enabled / {RECORDED}.",
        _shown("headline", "scorecard", "flags"),
    ),
)
BY_KEY: dict[str, Indicator] = {indicator.key: indicator for indicator in INDICATORS}
# the indicators read from offences' outcomes: unknown, not 0%, where none is loaded
OUTCOME_INDICATORS = frozenset(i.key for i in INDICATORS if "outcomes" in i.shown_in)


def shown_in(place: Shown) -> tuple[Indicator, ...]:
    """The indicators shown in one place, in registry order.

    >>> [i.key for i in shown_in("flags")]
    ['arrest_rate', 'dash_completion_rate', 'sash_completion_rate', 'cyber_flag_rate']
    """
    return tuple(indicator for indicator in INDICATORS if place in indicator.shown_in)


def flag_labels() -> dict[str, str]:
    """The Risk & flags page's flags: count column -> label."""
    return {indicator.column: indicator.label for indicator in shown_in("flags")}
