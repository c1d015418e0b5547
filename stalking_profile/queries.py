"""Typed access to the named queries: each function runs one `sql/queries/*.sql` file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from stalking_profile.contract import OFFENCE_TYPES
from stalking_profile.db import Gateway
from stalking_profile.filters import (
    ProfileFilter,
    add_months,
    latest_complete_month,
    months_between,
)
from stalking_profile.formatting import plural
from stalking_profile.store import check_marts


@dataclass(frozen=True)
class DatasetInfo:
    """What the database holds: extract date, source, whether synthetic, span of months."""

    extract_date: date
    source: str
    is_synthetic: bool
    force_name: str
    first_month: date
    last_month: date
    offences: int

    @property
    def quiet_last_months(self) -> list[date]:
        """The complete months the extract covers after the month of its latest offence:
        months in which it holds no offence at all (a force records stalking every month, so
        most likely months the extract left out)."""
        return months_between(
            add_months(self.last_month, 1), latest_complete_month(self.extract_date)
        )

    def partial_month_note(self) -> str | None:
        """What the dashboard and the import report say when the extract holds offences in a
        month it covers only in part (its date is not that month's last day), which no period
        may end in (filters.last_month_on_offer); None otherwise.

        >>> info = DatasetInfo(date(2022, 1, 20), "x", False, "F", date(2021, 1, 1), date(2022, 1, 1), 9)
        >>> print(info.partial_month_note()[:91])
        January 2022 is not offered as a period's month: the extract is dated 20 January 2022, part
        >>> from dataclasses import replace
        >>> replace(info, extract_date=date(2022, 1, 31)).partial_month_note()
        """
        complete = latest_complete_month(self.extract_date)
        if self.last_month <= complete or self.first_month > complete:
            return None
        return (
            f"{add_months(complete, 1):%B %Y} is not offered as a period's month: the extract is "
            f"dated {self.extract_date:%d %B %Y}, part way through it, and a month covered in "
            "part would be counted as whole (its bar, rolling total, SPC point and change too "
            f"low). Periods end in {complete:%B %Y}, the extract's last complete month."
        )

    def coverage_warning(self) -> str | None:
        """What the dashboard and the import report say when the extract's last complete
        months hold no offence (None when its latest complete month holds one).

        >>> info = DatasetInfo(date(2022, 1, 31), "x", False, "F", date(2021, 1, 1), date(2021, 6, 1), 9)
        >>> from dataclasses import replace
        >>> print(replace(info, last_month=date(2021, 12, 1)).coverage_warning()[92:])
        it holds no offence in January 2022, its last complete month. If it should cover it, check it with whoever produced it; until then a period in that month shows none recorded (a fall of 100% on the year before).
        >>> replace(info, extract_date=date(2022, 1, 30), last_month=date(2021, 12, 1)).coverage_warning()
        >>> print(info.coverage_warning())
        The extract is dated 31 January 2022, but its latest offence was recorded in June 2021: it holds no offence in the 7 complete months from July 2021 to January 2022. If it should cover them, check it with whoever produced it; until then a period in those months shows none recorded (a fall of 100% on the year before).
        """
        quiet = self.quiet_last_months
        if not quiet:
            return None
        months = (
            f"in {quiet[0]:%B %Y}, its last complete month"
            if len(quiet) == 1
            else f"in the {len(quiet)} complete months from {quiet[0]:%B %Y} to {quiet[-1]:%B %Y}"
        )
        them = "it" if len(quiet) == 1 else "them"
        where = "that month" if len(quiet) == 1 else "those months"
        return (
            f"The extract is dated {self.extract_date:%d %B %Y}, but its latest offence was "
            f"recorded in {self.last_month:%B %Y}: it holds no offence {months}. If it should "
            f"cover {them}, check it with whoever produced it; until then a period in {where} "
            "shows none recorded (a fall of 100% on the year before)."
        )


def dataset_info(gateway: Gateway) -> DatasetInfo:
    """The latest load's description; a clear error if the database holds no data, or if
    its marts were built by another version of the code (`store.check_marts`: DatabaseError,
    saying how to rebuild them)."""
    frame = gateway.query("dataset_info")
    if frame.is_empty() or frame["first_month"][0] is None:
        raise LookupError("the database holds no offences yet: import an extract or build the demo")
    check_marts(gateway)
    row = frame.row(0, named=True)
    return DatasetInfo(
        extract_date=row["extract_date"],
        source=row["source"],
        is_synthetic=bool(row["is_synthetic"]),
        force_name=row["force_name"],
        first_month=row["first_month"],
        last_month=row["last_month"],
        offences=int(row["offences"]),
    )


def outcomes_loaded(gateway: Gateway) -> bool:
    """Whether the database holds any outcome (none: every offence reads as open, and an
    outcome rate of 0% would say no offence was charged, not that none is known)."""
    return bool(gateway.query("outcomes_loaded")["outcomes_loaded"][0])


def districts(gateway: Gateway) -> pl.DataFrame:
    """district_code, district_name, force_name, population, ons_code."""
    return gateway.query("districts")


def outcome_types(gateway: Gateway) -> pl.DataFrame:
    """The outcome framework in table order."""
    return gateway.query("outcome_types")


def offence_counts(gateway: Gateway, flt: ProfileFilter, lookback_months: int = 0) -> pl.DataFrame:
    """Offence counts for the filter's period (extended back by `lookback_months`), districts
    and offence types, split by month, district, DA, latest outcome and flags. DA / non-DA is
    left for the measures to apply."""
    return gateway.query("offence_counts", **flt.sql_params(lookback_months))


def outcome_days(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Offences with an outcome by outcome group, DA and days from recording to outcome."""
    return _outcome_times(gateway, flt, "outcome_days")


# The time-to-outcome queries, their whole-force versions and the summary each reads.
WHOLE_FORCE_QUERIES = {
    "outcome_days": "outcome_days_force",
    "outcome_follow_up": "outcome_follow_up_force",
}
WHOLE_FORCE_SUMMARIES = {
    "outcome_days": "force_outcome_days",
    "outcome_follow_up": "force_follow_up",
}


def _outcome_times(gateway: Gateway, flt: ProfileFilter, name: str) -> pl.DataFrame:
    """A time-to-outcome query; for the whole force from the summary summed over districts
    (the same rows without a scan of every offence), where the store has it (one built before
    it was added gets it at its next import)."""
    params = flt.sql_params()
    whole_force = set(gateway.query("offence_districts")["district_code"]) <= set(flt.districts)
    if whole_force and has_tables(gateway, WHOLE_FORCE_SUMMARIES[name]):
        del params["districts"]
        params["every_offence_type"] = set(flt.offence_types) == set(OFFENCE_TYPES)
        return gateway.query(WHOLE_FORCE_QUERIES[name], **params)
    return gateway.query(name, **params)


@dataclass(frozen=True)
class OutcomeFrames:
    """What the Outcomes page reads for one filter."""

    counts: pl.DataFrame  # offence_counts
    by_outcome: pl.DataFrame  # outcome_counts
    types: pl.DataFrame  # outcome_types
    days: pl.DataFrame  # outcome_days
    follow_up: pl.DataFrame  # outcome_follow_up


def outcome_frames(gateway: Gateway, flt: ProfileFilter) -> OutcomeFrames:
    """The Outcomes page's queries for `flt` (its tables by district apart), read side by side
    (`Gateway.start`)."""
    counts = gateway.start(lambda: offence_counts(gateway, flt))
    by_outcome = gateway.start(lambda: outcome_counts(gateway, flt))
    types = gateway.start(lambda: outcome_types(gateway))
    days = gateway.start(lambda: outcome_days(gateway, flt))
    follow_up = gateway.start(lambda: outcome_follow_up(gateway, flt))
    return OutcomeFrames(
        counts.result(),
        by_outcome.result(),
        types.result(),
        days.result(),
        follow_up.result(),
    )


def repeat_offences(gateway: Gateway, flt: ProfileFilter, lookback_months: int) -> pl.DataFrame:
    """Offences (date, month, DA, victim and suspect keys) for the filter's districts and types,
    from `lookback_months` before its period to its end."""
    start = add_months(flt.start_month, -lookback_months)
    return gateway.query("repeat_offences", **flt.with_period(start, flt.end_month).sql_params())


def outcome_follow_up(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Offences by DA, whether they have an outcome, days (to it, or followed up while open)
    and whether followed up 90 / 180 days by the extract date."""
    return _outcome_times(gateway, flt, "outcome_follow_up")


def ward_counts(gateway: Gateway, flt: ProfileFilter, lookback_months: int = 0) -> pl.DataFrame:
    """Offences per ward, month, DA and offence type for the filter's districts and types."""
    return gateway.query("ward_counts", **flt.sql_params(lookback_months))


def comparison_layers(gateway: Gateway) -> pl.DataFrame:
    """The comparison layers loaded (layer, period_start, period_end, offences, wards, source)."""
    return gateway.query("comparison_layers")


def comparison_counts(gateway: Gateway, layer: str, period_start: date) -> pl.DataFrame:
    """One comparison layer's counts per ward for the period starting `period_start`."""
    return gateway.query("comparison_counts", layer=layer, period_start=period_start)


def quality_counts(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Offences split by every data-quality condition for the filter's period, districts and types."""
    return gateway.query("quality_counts", **flt.sql_params())


RECORDS_SHOWN = 500  # the newest records behind a quality indicator listed on its page


@dataclass(frozen=True)
class RecordList:
    """The newest records behind an indicator (at most a page's worth) and how many offences
    match in all: a list cut short says so."""

    records: pl.DataFrame
    matching: int

    @property
    def caption(self) -> str:
        """What the list's caption says of it."""
        shown, matching = self.records.height, self.matching
        if shown < matching:
            return (
                f"The newest {shown:,} of {matching:,} records are listed; "
                f"the download holds all {matching:,}."
            )
        return f"{plural(matching, 'record')}, newest first."


def quality_records(
    gateway: Gateway, flt: ProfileFilter, indicator: str, max_rows: int | None = RECORDS_SHOWN
) -> RecordList:
    """The records behind one quality indicator (record level), newest first: at most
    `max_rows` of them (None: all), with how many match."""
    frame = gateway.query(
        "quality_records",
        indicator=indicator,
        domestic=_domestic_values(flt),
        max_rows=2**62 if max_rows is None else max_rows,
        **flt.sql_params(),
    )
    matching = int(frame["records_matching"][0]) if frame.height else 0
    return RecordList(frame.drop("records_matching"), matching)


def sample_population(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Every offence matching the filter, with what dip-sample summaries compare (record
    level: refused unless the gateway's access may see records)."""
    return gateway.query("sample_population", domestic=_domestic_values(flt), **flt.sql_params())


def _domestic_values(flt: ProfileFilter) -> list[bool]:
    """The is_domestic values a record-level query keeps for the filter's DA choice."""
    return {"all": [True, False], "domestic": [True], "non_domestic": [False]}[flt.domestic]


def import_quality(gateway: Gateway) -> pl.DataFrame:
    """Each import's rows read, accepted and refused, oldest first."""
    return gateway.query("import_quality")


def outcome_counts(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Offences by district, DA and latest outcome key for the filter's period (null = open)."""
    return gateway.query("outcome_counts", **flt.sql_params())


def ward_totals(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Offences per ward and DA for the filter's period, districts and offence types."""
    return gateway.query("ward_totals", **flt.sql_params())


def has_tables(gateway: Gateway, *names: str) -> bool:
    """Whether the database holds every table named (one created before orders, breaches and
    victim contact were added to the contract does not, until its next import)."""
    stored = set(gateway.query("stored_tables")["table_name"].to_list())
    return set(names) <= stored


def civil_orders(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """The civil orders applied for by the filter's districts, arising from offences of its
    types and DA choice, and those linked to no stored offence (`unlinked`), all dates (the
    measures choose the period)."""
    return gateway.query(
        "civil_orders",
        districts=list(flt.districts),
        offence_types=list(flt.offence_types),
        domestic=_domestic_values(flt),
    )


def order_breaches(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Breaches of the filter's districts' orders with the breach offence's outcome group."""
    return gateway.query("order_breaches", districts=list(flt.districts))


def victim_contacts(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """The filter's offences with their contact agreement, contacts and end date."""
    return gateway.query("victim_contacts", **flt.sql_params())


def contact_start(gateway: Gateway) -> date | None:
    """The first month with a recorded Victim Contact Agreement (None: there are none)."""
    return gateway.query("contact_start")["first_month"][0]


def suspect_history(gateway: Gateway, suspect_id: str) -> pl.DataFrame:
    """One suspect's offences, outcomes, orders and breaches in date order (record level:
    refused unless the gateway's access may see records)."""
    return gateway.query("suspect_history", suspect_id=suspect_id)


def suspect_keys_like(gateway: Gateway, suspect_id: str) -> list[str]:
    """The stored suspect keys that are `suspect_id` in another case (at most five; record
    level): the history's keys match exactly, and "syn-s-ld-000123" read "Nothing is
    recorded" for SYN-S-LD-000123."""
    return gateway.query("suspect_keys_like", suspect_id=suspect_id)["suspect_id"].to_list()


def prioritisation_offences(
    gateway: Gateway, flt: ProfileFilter, window_start: date, window_end: date
) -> pl.DataFrame:
    """Offences with a suspect in the window, for the filter's districts, types and DA choice
    (record level)."""
    params = flt.sql_params()
    del params["start_month"], params["end_month"]
    return gateway.query(
        "prioritisation_offences",
        window_start=window_start,
        window_end=window_end,
        domestic=_domestic_values(flt),
        **params,
    )


def subject_breaches(gateway: Gateway, window_start: date, window_end: date) -> pl.DataFrame:
    """Breaches in the window with the subject of the order breached (record level)."""
    return gateway.query("subject_breaches", window_start=window_start, window_end=window_end)


def people_offences(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """The filter's offences with victims' and suspects' age, sex and ethnicity (aggregated by
    the measures, never shown row by row)."""
    return gateway.query("people_offences", **flt.sql_params())


def population_by_age_sex(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Residents by sex and age band over the filter's districts (districts: how many of
    them have the band; source, year). Empty where no population is loaded."""
    if not has_tables(gateway, "population"):
        return pl.DataFrame(
            schema={
                "sex": pl.String,
                "age_band": pl.String,
                "population": pl.Int64,
                "districts": pl.Int64,
                "source": pl.String,
                "year": pl.Int32,
            }
        )
    return gateway.query("population_by_age_sex", districts=list(flt.districts))


def refused_rows(quarantine: pl.DataFrame) -> int:
    """How many refused rows a quarantine listing holds (the `quarantine` query: one row per
    refused row and column at fault): a file row counts once for each import that refused it."""
    return quarantine.select("import_id", "row_number").n_unique() if quarantine.height else 0
