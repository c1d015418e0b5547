"""The shared filter sidebar (kept in the page address) and the banner every page carries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import cast

import polars as pl
import streamlit as st

from stalking_profile.access import PERMISSIONS, Permission
from stalking_profile.filters import (
    DOMESTIC_CHOICES,
    Domestic,
    ProfileFilter,
    default_filter,
    last_month_on_offer,
    months_between,
    twelve_months_to,
)
from stalking_profile.formatting import literal
from stalking_profile.publication import unpublishable
from stalking_profile.queries import DatasetInfo
from stalking_profile.ui.cache import current_access

FILTER_STATE_KEY = "profile_filter"
ALL_DISTRICTS_KEY = "all_districts"


def month_options(info: DatasetInfo) -> list[str]:
    """Every month a period can start or end in, as 'YYYY-MM': from the first recorded month
    to `last_month_on_offer`."""
    last = last_month_on_offer(info.first_month, info.extract_date)
    return [month.strftime("%Y-%m") for month in months_between(info.first_month, last)]


def _month_label(option: str) -> str:
    return _month_from_option(option).strftime("%b %Y")


def _month_from_option(option: str) -> date:
    year, month = option.split("-")
    return date(int(year), int(month), 1)


PERIOD_CHOICES: dict[str, str] = {"12m": "12 months to", "custom": "From ... to ..."}


def _period(info: DatasetInfo, default: ProfileFilter) -> tuple[date, date] | None:
    """The period widgets: "12 months to <month>" (the problem profile's period, default) or
    any From / To months; None when the period ends before it starts (PERIOD_BACKWARDS)."""
    options = month_options(info)
    default_end = default.end_month.strftime("%Y-%m")
    # a From month in the address means From ... to ... (a bookmark may leave the period out);
    # one the sidebar does not offer does not: its default, unwritten, would then read as the
    # 12 months when the address it leaves is opened again (Feb to Sep 2021, then Oct to Sep)
    asked_from = st.query_params.get("from")
    kind = st.segmented_control(
        "Period (month recorded)",
        options=list(PERIOD_CHOICES),
        default="custom" if asked_from in {_month_label(o) for o in options} else "12m",
        format_func=lambda choice: PERIOD_CHOICES[choice],
        required=True,
        key="period",
        bind="query-params",
        help="Offences are counted by the month they were recorded. Default: the latest 12 "
        "complete months.",
    )
    if kind == "custom":
        # no default month: a bound widget leaves its default out of the address, so a From
        # chosen equal to it (Feb 2021 to Feb 2021) was left out, and the address reopened as
        # the 12 months to Feb 2021 (helper 53). Until one is chosen, From is the default
        # period's first month, as the box says.
        start = st.selectbox(
            "From",
            options=options,
            index=None,
            placeholder=f"{default.start_month:%b %Y}",
            format_func=_month_label,
            key="from",
            bind="query-params",
        )
    end = st.selectbox(
        "12 months to" if kind != "custom" else "To",
        options=options,
        index=options.index(default_end),
        format_func=_month_label,
        key="to",
        bind="query-params",
    )
    end_month = _month_from_option(end)
    partial = info.partial_month_note()
    if partial is not None:  # why the latest month recorded is not on offer
        st.caption(partial)
    if kind != "custom":
        if twelve_months_to(end_month) < info.first_month:  # said, not silently fewer months
            held = len(months_between(info.first_month, end_month))
            st.caption(
                f"The data start in {info.first_month:%B %Y}, so this period holds "
                f"{held} month{'s' * (held != 1)}: {info.first_month:%b %Y} to {end_month:%b %Y}."
            )
        return max(info.first_month, twelve_months_to(end_month)), end_month
    start_month = default.start_month if start is None else _month_from_option(start)
    if end_month < start_month:
        return None
    return start_month, end_month


MULTIPLE = ("district", "type")  # the filters that take several values


def _quoted(value: str) -> str:
    """A value from the page address as a message quotes it: a long one cut short."""
    # as written: an address is anyone's to write, and Markdown in it (an image from another
    # host, a link "Session ended: sign in again") was drawn in the warning
    if len(value) <= 60:
        return f"“{literal(value)}”"
    return f"“{literal(value[:60])}…” ({len(value):,} characters)"


def unrecognised(
    asked: Mapping[str, Sequence[str]],
    offered: Mapping[str, Sequence[str]],
    defaults: Mapping[str, str] | None = None,
) -> str:
    """What the page address asks for that the sidebar does not offer (a district written
    without its name, a month outside the data, a bookmark from another force), and a filter
    of one value given more than once, in words; "" when there is none. The sidebar leaves
    out a district or offence type it does not offer, uses its default for another filter
    (named from `defaults`: it was not said which), and takes the first of repeated values
    (`first_of_repeated`)."""

    def refused(names: Sequence[str]) -> list[str]:
        return [
            f"{name} = {_quoted(value)}"
            for name in names
            for value in asked.get(name, ())
            # an empty district (or type) is every one cleared, as the sidebar writes it
            if value not in offered[name] and (value or name not in MULTIPLE)
        ]

    single = [name for name in offered if name not in MULTIPLE]
    said = []
    if left_out := refused(MULTIPLE):
        said.append(
            f"The page address asks for {', '.join(left_out)}, which the sidebar does not "
            f"offer, so it leaves {'it' if len(left_out) == 1 else 'them'} out."
        )
    if replaced := refused(single):
        named = [f"{name}: {value}" for name, value in (defaults or {}).items() if refused([name])]
        said.append(
            f"The page address asks for {', '.join(replaced)}, which the sidebar does not "
            "offer, so it uses its default instead" + (f" ({'; '.join(named)})." if named else ".")
        )
    for name in (n for n in single if len(asked.get(n, ())) > 1):
        values = ", ".join(_quoted(v) for v in asked[name])
        said.append(
            f"The page address gives {name} more than once ({values}): the sidebar takes the first."
        )
    if not said:
        return ""
    return " ".join(said) + (
        f" Districts are written as in the sidebar (“{offered['district'][0]}”), months as "
        f"“{offered['to'][-1]}”."
    )


def first_of_repeated(names: Sequence[str]) -> bool:
    """Keep the first value of a filter of one value that the page address gives more than
    once (Streamlit took the first for some and the last for others, and kept both); whether
    any was."""
    repeated = [name for name in names if len(st.query_params.get_all(name)) > 1]
    for name in repeated:
        st.query_params[name] = st.query_params.get_all(name)[0]
    return bool(repeated)


def districts_by_their_labels(labels: Mapping[str, str]) -> bool:
    """Write a district the page address gives by its code alone ("CD", as every table and
    file names it) as the sidebar writes it ("CD Calderdale"); whether any was (it was
    refused, and the page showed every district)."""
    asked = st.query_params.get_all("district")
    mended = [labels.get(value, value) for value in asked]
    if mended == asked:
        return False
    st.query_params["district"] = mended
    return True


ADDRESS_NOTE_KEY = "address_note"  # what the address asked, said after the rerun that mends it


PERIOD_BACKWARDS = (
    "The period ends before it starts: choose a 'To' month on or after the 'From' month in "
    "the sidebar."
)


def filter_sidebar(info: DatasetInfo, district_table: pl.DataFrame) -> ProfileFilter | None:
    """The global filters, kept in the page address so a view can be bookmarked and shared.

    Returns None (after saying why) when the choices select nothing.
    """
    codes = tuple(district_table["district_code"].to_list())
    names = dict(zip(codes, district_table["district_name"].to_list(), strict=True))
    default = default_filter(info.first_month, info.extract_date, codes)
    months = [_month_label(option) for option in month_options(info)]
    if districts_by_their_labels({code: f"{code} {names[code]}" for code in codes}):
        st.rerun()  # before the districts' widget reads the address
    address = {name: st.query_params.get_all(name) for name in st.query_params}
    refused = unrecognised(
        address,
        {
            "period": list(PERIOD_CHOICES.values()),
            "from": months,
            "to": months,
            "district": [f"{code} {names[code]}" for code in codes],
            "da": list(DOMESTIC_CHOICES.values()),
            "type": ["Stalking", "Harassment"],
        },
        {
            "period": PERIOD_CHOICES["12m"],
            "from": f"{default.start_month:%b %Y}"
            if PERIOD_CHOICES["custom"] in address.get("period", ())
            else "none, so the 12 months to the To month",
            "to": f"{default.end_month:%b %Y}",
            "da": DOMESTIC_CHOICES["all"],
        },
    )
    if first_of_repeated(("period", "from", "to", "da")):  # before any widget reads them
        st.session_state[ADDRESS_NOTE_KEY] = refused
        st.rerun()
    refused = refused or st.session_state.pop(ADDRESS_NOTE_KEY, "")
    if refused:
        st.warning(refused, icon=":material/link_off:")
    with st.sidebar:
        st.header("Filters")
        period = _period(info, default)
        chosen = st.multiselect(
            "Districts",
            options=list(codes),
            default=list(codes),
            format_func=lambda code: f"{code} {names[code]}",
            key="district",
            bind="query-params",
        )
        if len(chosen) < len(codes):  # back to the whole force in one click, not one a district
            st.button(
                "Select every district",
                icon=":material/select_all:",
                on_click=_select_every_district,
                args=(codes,),
                key="every_district",
            )
        domestic = st.segmented_control(
            "Domestic abuse",
            options=list(DOMESTIC_CHOICES),
            default="all",
            format_func=lambda choice: DOMESTIC_CHOICES[choice],
            required=True,
            key="da",
            bind="query-params",
        )
        types = st.segmented_control(
            "Offence type",
            options=["stalking", "harassment"],
            selection_mode="multi",
            default=["stalking"],
            format_func=str.capitalize,
            key="type",
            bind="query-params",
        )
    if period is None:  # said on the page, not down the sidebar where it went unseen
        st.info(PERIOD_BACKWARDS, icon=":material/date_range:")
        return None
    if not chosen or not types:
        st.info("Choose at least one district and one offence type in the sidebar.")
        return None
    chosen_types = tuple(t for t in ("stalking", "harassment") if t in types)
    districts = tuple(code for code in codes if code in chosen)
    access = current_access()
    may_switch_off = Permission.UNSUPPRESSED in PERMISSIONS[access.role]
    if access.publication and (
        why := unpublishable(districts, codes, chosen_types, may_switch_off)
    ):
        st.info(why, icon=":material/visibility_off:")
        return None
    return ProfileFilter(
        start_month=period[0],
        end_month=period[1],
        districts=districts,
        domestic=cast(Domestic, domestic or "all"),
        offence_types=chosen_types,
    )


def _select_every_district(codes: tuple[str, ...]) -> None:
    st.session_state["district"] = list(codes)


def synthetic_banner(info: DatasetInfo, signed_in: bool) -> None:
    """Say plainly, on every page, when the data are the synthetic demonstration force (and
    that it opens without login, when it does)."""
    if info.is_synthetic:
        login = (
            ""
            if signed_in
            else " The demo opens without login; a force's own database requires it."
        )
        st.warning(
            "**Demonstration data — synthetic records.** No row describes a real person or crime. "
            f"{literal(info.force_name)}; extract date {info.extract_date:%d %B %Y}.{login}",
            icon=":material/science:",
        )


def active_filter() -> ProfileFilter:
    """The filter set by the sidebar in app.py for this run."""
    return st.session_state[FILTER_STATE_KEY]


def coverage_banner(info: DatasetInfo) -> None:
    """Say on every page when the extract's last complete months hold no offence
    (DatasetInfo.coverage_warning): a fall to none there is most likely months left out."""
    warning = info.coverage_warning()
    if warning is not None:
        st.warning(warning, icon=":material/event_busy:")
