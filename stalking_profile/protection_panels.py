"""What the Civil orders and Victim contact pages show for a filter: frames and figures from
queries and measures (see panels.py for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import plotly.graph_objects as go
import polars as pl

from stalking_profile import charts, linked_tables, queries
from stalking_profile.config import SMALL_DENOMINATOR
from stalking_profile.contract import OFFENCE_TYPES, ORDER_TYPES
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter, add_months, apply_domestic, months_between
from stalking_profile.formatting import plural
from stalking_profile.measures import contact, orders, prioritisation
from stalking_profile.measures.categories import FORCE, beside_force, name_selection_rows
from stalking_profile.panels import (
    protected_beside_pages,
    protected_beside_pages_for_every_choice,
    selection_of,
    whole_force,
)
from stalking_profile.publication import publishable, rounded_last

PROTECTION_TABLES = ("civil_order", "breach", "victim_contact")


# The time-to-first-breach table's orders: those first made in the period, interim or full (the
# activity table's "Full orders made" and the breaches' "Orders in force" count others).
FIRST_MADE = {"orders": "Orders first made in the period (interim or full)"}


def period_days(flt: ProfileFilter, extract_date: date) -> tuple[date, date]:
    """The filter's first and last day, the last no later than the extract date."""
    return flt.start_month, min(flt.last_day, extract_date)


def _titled(title: str, flt: ProfileFilter) -> str:
    return charts.subtitled(title, flt.describe())


@dataclass(frozen=True)
class OrdersPanel:
    orders: int  # orders for the filter's districts and offences, any date
    unlinked: int  # of which linked to no stored offence (kept whatever the filter)
    activity: pl.DataFrame  # orders.order_activity
    monthly: pl.DataFrame  # orders.orders_by_month, every type
    figure: go.Figure  # the chosen type's months
    take_up: pl.DataFrame  # orders.take_up, with rows "Force" beside a subset (beside_force)
    times: pl.DataFrame  # orders.time_to_order
    breaches: pl.DataFrame  # orders.breach_summary
    first_breach: pl.DataFrame  # orders.time_to_first_breach
    breach_outcomes: pl.DataFrame  # orders.breach_outcomes
    without_order: pl.DataFrame  # orders.repeat_suspects_without_order (and "Force")
    order_type: str  # the type charted
    withheld_note: str = ""  # publication mode, DA or non-DA alone: why nothing is shown
    selection: str = FORCE  # what the rows "All" hold (panels.selection_of)
    # breaches dated in the period outside their order's time in force (0 in publication mode)
    breaches_not_in_force: int = 0

    @property
    def breaches_note(self) -> str:
        """What the breaches table counts, and the breaches of the period it leaves out: dated
        on or after the order ended, they vanished without a word, and the page said "No
        breach of an order was recorded in this period" (helper 79)."""
        if not self.breaches_not_in_force:
            return BREACHES_NOTE
        return (
            f"{BREACHES_NOTE} {plural(self.breaches_not_in_force, 'breach', 'breaches')} "
            "dated in the period fell outside the order's time in force (before it was made, "
            "or on or after the day it expired, was discharged or refused) and "
            f"{'is' if self.breaches_not_in_force == 1 else 'are'} counted in no table here: "
            "check the dates in the records system, or import the order as it now stands if "
            "it was renewed."
        )

    @property
    def unlinked_note(self) -> str:
        """What the page says of the orders linked to no stored offence ("" for none)."""
        if not self.unlinked:
            return ""
        return (
            f"{plural(self.unlinked, 'order names', 'orders name')} no stored offence, so "
            f"{'it is' if self.unlinked == 1 else 'they are'} counted whatever the offence type "
            "and DA choice."
        )

    @cached_property
    def take_up_table(self) -> pl.DataFrame:
        """The take-up as shown: its rows "All" named (name_selection_rows)."""
        return name_selection_rows(self.take_up, self.selection)

    @cached_property
    def without_order_table(self) -> pl.DataFrame:
        """Repeat suspects with no order as shown: its row "All" named (name_selection_rows)."""
        return name_selection_rows(self.without_order, self.selection)

    @cached_property
    def chosen_monthly(self) -> pl.DataFrame:
        """The charted type's months, the data behind the chart (made once per shared panel)."""
        return self.monthly.filter(pl.col("order_type") == self.order_type)

    @property
    def types_charted(self) -> list[str]:
        """The order types (in the contract's order) with something to chart for the filter: a
        month with an application, an order made or one in force (a type's months of 0 were
        charted empty: SPOs before there were any, April to June 2018; helper 53)."""
        present = set(self.monthly.filter(_ANY_ORDERS)["order_type"])
        return [code for code in ORDER_TYPES if code in present]

    @property
    def nothing_to_chart(self) -> str | None:
        """Why the charted type has no chart (None when it has one)."""
        if not self.chosen_monthly.filter(_ANY_ORDERS).is_empty():
            return None
        others = [ORDER_TYPES[code] for code in self.types_charted]
        return (
            f"No {ORDER_TYPES[self.order_type]} was applied for, made or in force in this "
            "period for these districts, offence types and DA choice"
            # "choose another order type" where none had any sent a user through all five
            # (helper 89: Calderdale's non-DA stalking, July to September 2021)
            + (
                f": choose another order type to chart ({'; '.join(others)})."
                if others
                else ", nor was an order of any other type."
            )
        )


# a month of a type with something to chart (a withheld count, in publication mode, may be one)
_ANY_ORDERS = pl.sum_horizontal(pl.col("applied", "granted", "in_force").fill_null(1)) > 0


def _every_order(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    """Every order of the force, whatever the offence it arose from (type, DA) and the
    district that applied for it: a suspect's order counts wherever it was made."""
    every = replace(whole_force(gateway, flt), offence_types=OFFENCE_TYPES, domestic="all")
    return queries.civil_orders(gateway, every)


def _offences_by_district(gateway: Gateway, flt: ProfileFilter) -> pl.DataFrame:
    counts = apply_domestic(queries.offence_counts(gateway, flt), flt.domestic)
    summed = counts.group_by("district_code").agg(pl.col("offences").sum().cast(pl.Int64))
    districts = pl.DataFrame({"district_code": list(flt.districts)})
    return districts.join(summed, on="district_code", how="left").fill_null(0)


ORDER_TABLES = {
    "order_activity": "activity",
    "order_monthly": "monthly",
    "order_take_up": "take_up",
    "order_times": "times",
    "order_breaches": "breaches",
    "first_breach": "first_breach",
    "breach_outcomes": "breach_outcomes",
    "without_order": "without_order",
}


def _orders_figure(monthly: pl.DataFrame, order_type: str, flt: ProfileFilter) -> go.Figure:
    chosen = monthly.filter(pl.col("order_type") == order_type)
    return charts.orders_figure(chosen, _titled(f"{order_type}: applications and orders", flt))


@rounded_last
def orders_panel(
    gateway: Gateway,
    flt: ProfileFilter,
    order_type: str,
    small_denominator: int = SMALL_DENOMINATOR,
) -> OrdersPanel | None:
    """Civil orders and breaches for the filter's districts and period (None when the
    database has no order tables yet). An order follows the filter's offence types and DA
    choice through the offence it arose from; orders linked to no stored offence are kept
    whatever the filter (and counted, for the page to say). In publication mode the
    tables are protected together (types add up to all types, months to the period, breach
    outcomes to all breaches), beside the other pages (the offences by district are the Risk
    page's), and the chart redrawn."""
    panel = _orders_panel(gateway, flt, order_type, small_denominator)
    if panel is None:
        return None
    if gateway.publication and flt.domestic != "all":
        return _withheld_whole(panel, flt)
    tables = {name: getattr(panel, field) for name, field in ORDER_TABLES.items()}
    protected = protected_beside_pages(gateway, flt, tables)
    if protected is None:
        return panel
    changes: dict[str, Any] = {f: protected.tables[n] for n, f in ORDER_TABLES.items()}
    # a share of all breaches beside its count gives all breaches back
    changes["breach_outcomes"] = changes["breach_outcomes"].drop("share")
    figure = _orders_figure(changes["monthly"], order_type, flt)
    return replace(panel, **changes, figure=figure)


# what an order's application date is, type by type: not every order is the police's to
# apply for (helper 90: a restraining order's "application" read as a district's, its days
# to a full order 0)
APPLICATION_MEANS = (
    "An application is the date the order was sought, as the force recorded it: the "
    "police's application for an SPO, DVPO or DAPO (a victim or another may apply for a "
    "DAPO too); the request to the court at sentence or acquittal for an RO, which the court "
    "makes at that hearing, so its days to a full order are usually 0; and the victim's own "
    "application for an NMO, which the force records where it knows of it."
)

# the Civil orders page: what the Civil orders page counts in the period
ORDERS_IN_PERIOD_NOTE = (
    "Applications, interim and full orders, refusals, expiries and discharges dated in "
    "the period; orders in force on its last day (or the extract date). Withdrawn: "
    "applications made in the period and since withdrawn. "
    + "; ".join(f"{code}: {name}" for code, name in ORDER_TYPES.items())
    + ". "
    + APPLICATION_MEANS
)

# the Civil orders page: take-up per 100 offences
TAKE_UP_NOTE = (
    "Applications in the period per 100 offences recorded in the period in the "
    "district the order was sought in (the filter's offence types and DA choice), with "
    "an exact Poisson interval: a rate, not a share, since one offence may lead to several "
    f"applications. {APPLICATION_MEANS}"
)

# the Civil orders page: time from application to order
TIME_TO_ORDER_NOTE = (
    "Applications made in the period that reached each stage by the extract date. Those "
    "still awaiting a decision are not in the days, so a recent period reads short. "
    "Full orders here are those of the period's applications, so they can differ from the "
    "full orders dated in the period (Orders in the period). " + APPLICATION_MEANS
)

# the Civil orders page: breaches of orders in force
BREACHES_NOTE = (
    "Orders in force on any day of the period; breaches dated in the period; the rate "
    "is the share of orders in force that were breached, with a 95% Wilson interval."
)

# the Civil orders page: time to first breach (Kaplan-Meier)
FIRST_BREACH_NOTE = (
    "Orders made in the period: the share breached within 30 to 365 days is a "
    "Kaplan-Meier estimate, so an order still running (or ended) unbreached counts only "
    "for the days it was followed. Blank: no order was followed that long (a DVPO lasts "
    "14 to 28 days)."
)

# the Civil orders page: breaches by outcome
BREACH_OUTCOMES_NOTE = (
    "Breaches dated in the period by the outcome of the offence recorded for each, as the "
    "breaches file gives it. Breaching an SPO, a non-molestation order, a restraining order "
    "or a DAPO is an offence; breaching a DVPO is not (it is dealt with as civil contempt, "
    "Magistrates' Courts Act 1980, s.63(3)), so a DVPO breach has an offence only where what "
    "was done was one."
)

# the Civil orders page: repeat suspects with no order
WITHOUT_ORDER_NOTE = (
    "Offences in the period whose suspect has two or more of them in the districts chosen "
    "(one offence in each of two districts repeats for both together, not for either "
    "alone, as on the Repeats page), and of those, offences whose suspect is the subject of "
    "no order of any type applied for by the period's end; the % is of those offences, not "
    "of the suspects (counted beside it). 'Force' counts repeats across every district."
)

NO_ORDERS = (
    "No civil orders are recorded for these districts, offence types and DA choice. Widen the "
    "filter, or import orders (and then their breaches) on the Data page: see the orders and "
    "breaches templates."
)
# said in place of the time to first breach, which follows the orders first made in the
# period; "so none can have been breached" stood under a table of orders in force and
# breached (helper 94: an order made before the period can be)
NO_ORDERS_MADE = (
    "No order (interim or full) was first made in this period, so there is no time to a first "
    "breach to give. Orders made before it are counted above while in force."
)
NO_BREACHES = "No breach of an order in force was recorded in this period, so none has an outcome."
ORDERS_FOR_BOTH_ONLY = (
    "Publication mode gives civil orders for DA and non-DA together only: an order counts "
    "under DA or non-DA through the offence it arose from (and one linked to no stored offence "
    "under both), so the counts for one choice beside those for both would give the other's "
    "withheld counts back. Choose DA and non-DA to see them."
)


def _withheld_whole(panel: OrdersPanel, flt: ProfileFilter) -> OrdersPanel:
    """Publication mode, DA or non-DA alone: every table without its rows, no count, and a
    note saying why (the page shows the note alone). Protected for each choice apart,
    Wakefield's 12 orders in force at the end of September 2021 for both less the DA page's
    11 gave the non-DA page's withheld 1; and the rows alone told too: a breach outcome has a
    row only where it has a breach, so a row under both choices beside the 5 for both gave
    each as 1 to 4 (helper 43)."""
    changes: dict[str, Any] = {
        field: getattr(panel, field).clear() for field in ORDER_TABLES.values()
    }
    figure = _orders_figure(changes["monthly"], panel.order_type, flt)
    return replace(
        panel, **changes, figure=figure, orders=0, unlinked=0, withheld_note=ORDERS_FOR_BOTH_ONLY
    )


@publishable
def _orders_panel(
    gateway: Gateway, flt: ProfileFilter, order_type: str, small_denominator: int
) -> OrdersPanel | None:
    """The Civil orders page's tables for the filter (see `orders_panel`)."""
    if not queries.has_tables(gateway, *PROTECTION_TABLES):
        return None
    extract = queries.dataset_info(gateway).extract_date
    start, end = period_days(flt, extract)
    stored = queries.civil_orders(gateway, flt)
    recorded = queries.order_breaches(gateway, flt).filter(
        pl.col("order_id").is_in(stored["order_id"].implode())
    )
    breaches = orders.breaches_in_force(stored, recorded, extract)
    outside = orders.breaches_not_in_force(stored, recorded, start, end, extract)
    monthly = orders.orders_by_month(stored, months_between(flt.start_month, flt.end_month))
    figure = _orders_figure(monthly, order_type, flt)
    every_order = _every_order(gateway, flt)

    def tables_by_district(
        chosen: ProfileFilter, order_types: list[str] | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The take-up and repeat suspects without an order for `chosen`'s districts (a
        repeat suspect there, as on the Repeats page, has two or more offences in them)."""
        offences = apply_domestic(queries.repeat_offences(gateway, chosen, 0), flt.domestic)
        in_chosen = stored if chosen is flt else queries.civil_orders(gateway, chosen)
        by_district = _offences_by_district(gateway, chosen)
        return (
            orders.take_up(in_chosen, by_district, start, end, order_types),
            orders.repeat_suspects_without_order(
                offences, every_order, start, end, chosen.districts, small_denominator
            ),
        )

    selection = selection_of(gateway, flt)
    if selection == FORCE:
        take_up, without_order = tables_by_district(flt)
    else:  # each with the force's rows beside the selection's, for the force's order types
        force_take_up, force_without = tables_by_district(whole_force(gateway, flt))
        types = force_take_up["order_type"].unique().to_list()
        take_up, without_order = tables_by_district(flt, [t for t in types if t != "All types"])
        take_up = beside_force(take_up, force_take_up, selection)
        without_order = beside_force(without_order, force_without, selection)
    return OrdersPanel(
        orders=stored.height,
        unlinked=int(stored["unlinked"].sum()),
        activity=orders.order_activity(stored, start, end),
        monthly=monthly,
        figure=figure,
        take_up=take_up,
        times=orders.time_to_order(stored, start, end),
        breaches=orders.breach_summary(stored, breaches, start, end, extract, small_denominator),
        first_breach=orders.time_to_first_breach(stored, breaches, start, end, extract),
        breach_outcomes=orders.breach_outcomes(breaches, start, end),
        without_order=without_order,
        order_type=order_type,
        selection=selection,
        breaches_not_in_force=0 if gateway.publication else outside,
    )


@dataclass(frozen=True)
class ContactPanel:
    data_start: date | None  # the first month with a recorded agreement (None: none)
    by_district: pl.DataFrame  # contact.contact_rates by district, "All" (and "Force")
    monthly: pl.DataFrame  # contact.contact_rates by month, from data_start
    figure: go.Figure
    provisional_from: date | None = None  # months from this one are left out: too recent
    selection: str = FORCE  # what the row "All" holds (panels.selection_of)

    @cached_property
    def by_district_table(self) -> pl.DataFrame:
        """The contact by district as shown: its row "All" named (name_selection_rows)."""
        return name_selection_rows(self.by_district, self.selection)

    def by_district_name(self, flt: ProfileFilter) -> str:
        """The contact by district's name in publication mode's protection: it counts the Risk
        page's offences by district only where every month of the filter's period is in it
        (linked_tables.CONTACT, else CONTACT_SOME_MONTHS)."""
        every_month = (
            self.data_start is not None
            and self.data_start <= flt.start_month
            and (self.provisional_from is None or self.provisional_from > flt.end_month)
        )
        return linked_tables.CONTACT if every_month else linked_tables.CONTACT_SOME_MONTHS

    @property
    def told_note(self) -> str:
        """What the table's Told the outcome counts."""
        return (
            "Told the outcome: of the final updates due by the extract date (an outcome "
            "recorded, and the agreed interval after it run out), those made on the outcome's "
            "day or within the interval after it: the update the scrutiny panel asks for when a "
            "case is closed. A victim told late, or not at all, is not told. In the latest "
            "months few updates are due yet, and those are of the cases closed soonest: their "
            "rate can change as the rest fall due."
        )

    def tables(self, flt: ProfileFilter) -> dict[str, pl.DataFrame]:
        """The tables under their names in publication mode's protection."""
        return {self.by_district_name(flt): self.by_district, "contact_monthly": self.monthly}

    def why_empty(self, flt: ProfileFilter) -> str:
        """Why no month of the filter's period has a figure (when `monthly` is empty)."""
        if self.provisional_from is not None and self.provisional_from <= flt.start_month:
            return (
                "Every month of this period is too recent to read (see above): choose a period "
                f"that ends before {self.provisional_from:%B %Y}."
            )
        if self.data_start is not None and self.data_start > flt.end_month:
            return (
                "This period ends before contact agreements were recorded (from "
                f"{self.data_start:%B %Y}): choose a later period."
            )
        return "No offence recorded in this period has a Victim Contact Agreement."


def _contact_figure(
    monthly: pl.DataFrame, flt: ProfileFilter, data_start: date | None, provisional: date | None
) -> go.Figure:
    """The monthly rates' chart, its subtitle naming the months it can show: from the first
    recorded agreement, to the last month old enough to judge (not the filter's whole period,
    which may run on into months left out)."""
    start = max(flt.start_month, data_start or flt.start_month)
    end = min(flt.end_month, add_months(provisional, -1) if provisional else flt.end_month)
    shown = replace(flt, start_month=start, end_month=end) if start <= end else flt
    return charts.rate_trend_figure(
        monthly.with_columns(pl.lit(flt.domestic).alias("category")),
        _titled("Victims contacted as agreed, by month recorded", shown),
        (flt.domestic,),
    )


@rounded_last
def contact_panel(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int = SMALL_DENOMINATOR
) -> ContactPanel | None:
    """Victim contact kept, by district and month, for the filter (None when the database has
    no contact table yet). Months before the first recorded agreement are left out: the
    records did not capture agreements then, so they say nothing about contact. In
    publication mode the districts and months (each adding up to all) are protected together,
    beside the other pages (the offences by district are the Risk page's), and the three DA
    choices' pages as one (each offence is DA or non-DA, so a count for both is its DA and
    non-DA counts): protected for each choice apart, the counts for both less the DA ones gave
    withheld non-DA ones back (64 in 20 district-quarters of 2021; Wakefield, October 2021: 4
    non-DA agreements a month). The page for both keeps its counts; the DA and non-DA pages
    withhold what that needs."""
    panel = _contact_panel(gateway, flt, small_denominator)
    if panel is None:
        return None

    def tables(chosen: ProfileFilter) -> dict[str, pl.DataFrame]:
        built = _contact_panel(gateway, chosen, small_denominator)
        assert built is not None  # the contact table is there: the filter's panel was built
        return built.tables(chosen)

    # the protected tables flag the rates on fewer offences than the small denominator
    page = f"protected contact, small under {small_denominator}"
    protected = protected_beside_pages_for_every_choice(gateway, flt, page, tables)
    if protected is None:
        return panel
    monthly = protected.tables["contact_monthly"]
    return replace(
        panel,
        by_district=protected.tables[panel.by_district_name(flt)],
        monthly=monthly,
        figure=_contact_figure(monthly, flt, panel.data_start, panel.provisional_from),
    )


@publishable
def _contact_panel(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int
) -> ContactPanel | None:
    """The Victim contact page's tables for the filter (see `contact_panel`). In publication
    mode the tables for DA or non-DA alone have the rows (districts, months) of the tables for
    both, a row with no offence of the choice reading 0, and leave out the months too recent
    to judge for both: the three choices' counts then add up row by row, as their joint
    protection reads them (linked_protection.side_by_side)."""
    if not queries.has_tables(gateway, *PROTECTION_TABLES):
        return None
    data_start = queries.contact_start(gateway)
    aligned = gateway.publication and flt.domestic != "all"
    selection = selection_of(gateway, flt)

    def judged(districts: ProfileFilter) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The offences of the DA choice, and (aligned) of both, for these districts."""
        rows = queries.victim_contacts(gateway, districts)
        chosen = _judged(contact.contact_by_offence(apply_domestic(rows, flt.domestic)), data_start)
        return chosen, _judged(contact.contact_by_offence(rows), data_start) if aligned else chosen

    chosen, both = judged(flt)
    force, force_both = (chosen, both) if selection == FORCE else judged(whole_force(gateway, flt))
    # months too recent to judge anywhere in the force are left out of every row alike
    provisional = _provisional_from(force_both, queries.dataset_info(gateway).extract_date)
    if provisional is not None:
        before = pl.col("recorded_month") < provisional
        chosen, both, force = chosen.filter(before), both.filter(before), force.filter(before)

    def rates(by: str) -> pl.DataFrame:
        kept = both[by].unique().to_list() if aligned else None
        return contact.contact_rates(chosen, by, kept, small_denominator)

    monthly = rates("recorded_month")
    figure = _contact_figure(monthly, flt, data_start, provisional)
    force_rows = contact.contact_rates(force, "district_code", None, small_denominator)
    by_district = beside_force(rates("district_code"), force_rows, selection)
    return ContactPanel(data_start, by_district, monthly, figure, provisional, selection)


def _judged(per_offence: pl.DataFrame, data_start: date | None) -> pl.DataFrame:
    """The offences recorded from the first month with a recorded agreement (none if none)."""
    if data_start is None:
        return per_offence.clear()
    return per_offence.filter(pl.col("recorded_month") >= data_start)


def _provisional_from(per_offence: pl.DataFrame, extract: date) -> date | None:
    """The first month too recent to judge: some of its offences' longest agreed interval had
    not run out by the extract date, so they could only read as kept so far (which made the
    latest month look better than every other)."""
    longest: Any = per_offence["agreed_interval_days"].max()
    if longest is None:
        return None
    cutoff = extract - timedelta(days=int(longest))
    last_complete = add_months(cutoff.replace(day=1), -1)
    if add_months(cutoff.replace(day=1), 1) - timedelta(days=1) <= cutoff:
        last_complete = cutoff.replace(day=1)
    return add_months(last_complete, 1)


@dataclass(frozen=True)
class PrioritisationPanel:
    window_start: date
    window_end: date
    ranked: pl.DataFrame  # prioritisation.prioritise, the first `max_rows`
    suspects: int  # suspects ranked in all
    history: pl.DataFrame | None  # queries.suspect_history of the suspect chosen
    records_from: date  # the first month recorded in the database
    history_note: str = ""  # why no history can be read here (HISTORY_NEEDS_ORDERS), if so
    did_you_mean: tuple[str, ...] = ()  # stored keys that are the one asked in another case

    @property
    def before_records(self) -> str:
        """What to say when the window starts before the records do ("" when it does not):
        the suspects' frequencies and victims then cover fewer months than it names."""
        if self.window_start >= self.records_from:
            return ""
        return (
            f"The window starts in {self.window_start:%B %Y}, before the records do "
            f"({self.records_from:%B %Y}): offences before then are not in this database, so "
            "each suspect's frequency, gravity and victims count fewer months than the window "
            "names. Choose a later period end or fewer months."
        )


def prioritisation_panel(
    gateway: Gateway,
    flt: ProfileFilter,
    lookback_months: int,
    weights: prioritisation.Weights,
    suspect_id: str | None,
    max_rows: int = 100,
) -> PrioritisationPanel:
    """The filter's suspects ranked by their RFGV score over the `lookback_months` to the
    period's end (the filter's districts, offence types and DA choice), and one suspect's
    complete history: offences, outcomes, orders and breaches, whatever the filter. Record
    level: refused to roles that may not see records."""
    info = queries.dataset_info(gateway)
    end = period_days(flt, info.extract_date)[1]
    start = add_months(flt.end_month, 1 - lookback_months)  # whole months, ending at `end`
    offences = queries.prioritisation_offences(gateway, flt, start, end)
    has_orders = queries.has_tables(gateway, *PROTECTION_TABLES)
    breaches = (
        queries.subject_breaches(gateway, start, end)
        if has_orders
        else pl.DataFrame(schema={"subject_id": pl.String, "breach_date": pl.Date})
    )
    ranked = prioritisation.prioritise(offences, breaches, end, (end - start).days + 1, weights)
    history = queries.suspect_history(gateway, suspect_id) if suspect_id and has_orders else None
    note = HISTORY_NEEDS_ORDERS if suspect_id and not has_orders else ""
    others: tuple[str, ...] = ()
    if suspect_id and history is not None and history.is_empty():
        others = tuple(k for k in queries.suspect_keys_like(gateway, suspect_id) if k != suspect_id)
    return PrioritisationPanel(
        start, end, ranked.head(max_rows), ranked.height, history, info.first_month, note, others
    )


# A database made before civil orders joined the contract has no order tables until its next
# import: the history (offences, outcomes, orders, breaches) read "Nothing is recorded" there,
# also for a suspect with offences (helper 45)
HISTORY_NEEDS_ORDERS = (
    "This database was made before civil orders and breaches were part of it, so a suspect's "
    "history cannot be read here yet: import any file on the Data page (or run `python -m "
    "stalking_profile import`) to bring it up to date."
)
