"""What each page computes, twice: with this project's queries and measures, and the way an
analyst's pandas notebook would (the baseline). Both return the same figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import polars as pl

from stalking_profile import queries
from stalking_profile.filters import ProfileFilter, add_months, apply_domestic, months_between
from stalking_profile.measures import headline, hotspots, outcomes, risk, scorecard, spc, volumes
from stalking_profile.recording_rules import series_breaks

OUTCOME_1_8 = ["1", "1A", "2", "2A", "3", "3A", "4", "6", "7", "8"]
FLAGS = ["arrest_made", "dash_completed", "sash_completed", "is_cyber"]


# ---- ours -------------------------------------------------------------------------------------
def ours_overview(gateway, flt: ProfileFilter) -> object:
    # The reads started together, as the page starts them (panels._overview).
    counts = gateway.start(lambda: queries.offence_counts(gateway, flt))
    previous = gateway.start(lambda: queries.offence_counts(gateway, flt.previous()))
    rolling = gateway.start(lambda: queries.offence_counts(gateway, flt, 11))
    history = gateway.start(lambda: queries.offence_counts(gateway, flt, 36))
    figures = headline.headline_indicators(counts.result(), previous.result(), flt.domestic)
    trend = volumes.rolling_12m_series(apply_domestic(rolling.result(), flt.domestic), flt)
    first = add_months(flt.end_month, -35)
    monthly = scorecard.monthly_indicators(
        apply_domestic(history.result(), flt.domestic), first, flt.end_month
    )
    card = scorecard.scorecard(monthly, series_breaks(flt.offence_types, first, flt.end_month), 6)
    return figures, trend, card


def ours_trends(gateway, flt: ProfileFilter) -> object:
    counts = apply_domestic(queries.offence_counts(gateway, flt, 11), flt.domestic)
    by_category = volumes.monthly_by_category(counts, flt.start_month, flt.end_month)
    rolling = volumes.rolling_12m_series(counts, flt)
    monthly = volumes.monthly_counts(counts, flt.start_month, flt.end_month)
    chart = spc.xmr(monthly["recorded_month"].to_list(), monthly["offences"].to_list(), [], 6)
    table = volumes.district_period_table(
        queries.offence_counts(gateway, flt),
        queries.offence_counts(gateway, flt.previous()),
        list(flt.districts),
    )
    return by_category, rolling, chart, table


def ours_outcomes(gateway, flt: ProfileFilter) -> object:
    read = queries.outcome_frames(gateway, flt)  # as the page reads them: side by side
    table = outcomes.outcome_table(
        apply_domestic(read.by_outcome, flt.domestic), read.types, list(flt.districts)
    )
    return (
        table,
        outcomes.outcome_rates_by_category(read.counts),
        outcomes.outcome_group_table(read.by_outcome, read.types),
        outcomes.median_days_to_outcome(read.days),
        *_follow_up(read.follow_up),
    )


def _follow_up(follow_up: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """Outcome within 90 and 180 days, by month, and Kaplan-Meier times to outcome."""
    return (
        outcomes.outcome_within(follow_up),
        outcomes.outcome_within_by_month(follow_up),
        outcomes.time_to_outcome(follow_up),
    )


def ours_risk(gateway, flt: ProfileFilter) -> object:
    counts = queries.offence_counts(gateway, flt)
    rates = risk.flag_rates_by_district(counts, list(flt.districts))
    months = months_between(flt.start_month, flt.end_month)
    return (
        rates,
        risk.domestic_comparison(rates),
        risk.dash_risk_mix(counts),
        [risk.monthly_flag_rates(counts, f, months) for f in FLAGS],
    )


def ours_map(gateway, flt: ProfileFilter, wards: pl.DataFrame, weights) -> object:
    counts = apply_domestic(queries.ward_totals(gateway, flt), flt.domestic)
    per_ward = (
        counts.filter(pl.col("ward_code").is_not_null())
        .group_by("ward_code")
        .agg(pl.col("offences").sum())
    )
    values = wards.join(per_ward, on="ward_code", how="left", maintain_order="left").with_columns(
        pl.col("offences").fill_null(0)
    )
    return hotspots.ward_hotspots(values, weights)


# ---- pandas baseline ----------------------------------------------------------------------------
def pandas_prepare(offence: pd.DataFrame, outcome: pd.DataFrame, extract: date) -> pd.DataFrame:
    """Each offence with its latest outcome as at the extract date (done once per session)."""
    valid = outcome[outcome["outcome_date"] <= pd.Timestamp(extract)]
    latest = valid.sort_values(["crime_ref", "outcome_date", "outcome_key"]).drop_duplicates(
        "crime_ref", keep="last"
    )
    frame = offence.merge(latest, on="crime_ref", how="left")
    frame["outcome_code"] = frame["outcome_key"].str.split("-").str[0]
    frame["recorded_month"] = frame["recorded_date"].dt.to_period("M").dt.to_timestamp()
    frame["days_to_outcome"] = (frame["outcome_date"] - frame["recorded_date"]).dt.days
    frame["follow_up_days"] = (pd.Timestamp(extract) - frame["recorded_date"]).dt.days
    return frame


def _select(
    frame: pd.DataFrame, flt: ProfileFilter, start: date | None = None, domestic: bool = True
) -> pd.DataFrame:
    start = start or flt.start_month
    mask = (
        (frame["recorded_month"] >= pd.Timestamp(start))
        & (frame["recorded_month"] <= pd.Timestamp(flt.end_month))
        & frame["district_code"].isin(flt.districts)
        & frame["offence_type"].isin(flt.offence_types)
    )
    if domestic and flt.domestic != "all":
        mask &= frame["is_domestic"] == (flt.domestic == "domestic")
    return frame[mask]


def pandas_overview(frame: pd.DataFrame, flt: ProfileFilter) -> object:
    current = _select(frame, flt)
    previous = _select(frame, flt.previous())
    everyone = _select(frame, flt, domestic=False)
    n = len(current)
    figures = {
        "offences": n,
        "previous": len(previous),
        "da_share": everyone["is_domestic"].mean(),
        "arrest_rate": current["arrest_made"].mean(),
        "dash": current["dash_completed"].mean(),
        "cyber": current["is_cyber"].mean(),
        "outcome_1_8": current["outcome_code"].isin(OUTCOME_1_8).mean(),
        "outcome_16": (current["outcome_code"] == "16").mean(),
    }
    history = _select(frame, flt, add_months(flt.start_month, -11))
    monthly = history.groupby("recorded_month").size()
    rolling = monthly.rolling(12).sum()
    card_rows = _select(frame, flt, add_months(flt.end_month, -35))
    card = card_rows.groupby("recorded_month").agg(
        offences=("crime_ref", "size"),
        arrest=("arrest_made", "mean"),
        dash=("dash_completed", "mean"),
        cyber=("is_cyber", "mean"),
    )
    return figures, rolling, card


def pandas_trends(frame: pd.DataFrame, flt: ProfileFilter) -> object:
    history = _select(frame, flt, add_months(flt.start_month, -11))
    by_category = history.groupby(["recorded_month", "is_domestic"]).size().unstack(fill_value=0)
    rolling = history.groupby("recorded_month").size().rolling(12).sum()
    monthly = _select(frame, flt).groupby("recorded_month").size()
    mr = monthly.diff().abs().mean()
    limits = (monthly.mean() - 2.66 * mr, monthly.mean() + 2.66 * mr)
    current = _select(frame, flt, domestic=False).groupby(["district_code", "is_domestic"]).size()
    previous = (
        _select(frame, flt.previous(), domestic=False)
        .groupby(["district_code", "is_domestic"])
        .size()
    )
    change = (current - previous) / previous * 100
    return by_category, rolling, limits, change


def pandas_outcomes(frame: pd.DataFrame, flt: ProfileFilter) -> object:
    current = _select(frame, flt)
    table = current.pivot_table(
        index=current["outcome_key"].fillna("(blank)"),
        columns="district_code",
        values="crime_ref",
        aggfunc="count",
        fill_value=0,
    )
    everyone = _select(frame, flt, domestic=False)
    rates = everyone.groupby("is_domestic").agg(
        o18=("outcome_code", lambda s: s.isin(OUTCOME_1_8).mean()),
        o16=("outcome_code", lambda s: (s == "16").mean()),
        open=("outcome_key", lambda s: s.isna().mean()),
    )
    medians = everyone.groupby(["is_domestic", "outcome_code"])["days_to_outcome"].median()
    days = everyone["days_to_outcome"].fillna(everyone["follow_up_days"]).clip(lower=0)
    has_outcome = everyone["outcome_key"].notna()
    within = {
        horizon: (has_outcome & (days <= horizon))[everyone["follow_up_days"] >= horizon]
        .groupby(everyone["is_domestic"])
        .mean()
        for horizon in (90, 180)
    }
    by_month = (
        (has_outcome & (days <= 90))
        .groupby([everyone["recorded_month"], everyone["is_domestic"]])
        .mean()
    )
    km = {
        domestic: _km_median(days[everyone["is_domestic"] == domestic], has_outcome)
        for domestic in (True, False)
    } | {"all": _km_median(days, has_outcome)}
    return table, rates, medians, within, by_month, km


def _km_median(days: pd.Series, event: pd.Series) -> float | None:
    """Kaplan-Meier median (no interval: the page's has one, so pandas does less here)."""
    table = event[days.index].groupby(days).agg(["sum", "count"])
    at_risk = table["count"][::-1].cumsum()[::-1]
    survival = (1 - table["sum"] / at_risk).cumprod()
    below = survival[survival <= 0.5]
    return float(below.index[0]) if len(below) else None


def pandas_risk(frame: pd.DataFrame, flt: ProfileFilter) -> object:
    everyone = _select(frame, flt, domestic=False)
    by_district = everyone.groupby(["district_code", "is_domestic"])[FLAGS].mean()
    mix = (
        everyone[everyone["dash_completed"]]
        .groupby("is_domestic")["dash_risk"]
        .value_counts(normalize=True)
    )
    monthly = everyone.groupby(["recorded_month", "is_domestic"])[FLAGS].mean()
    return by_district, mix, monthly


def pandas_map(frame: pd.DataFrame, flt: ProfileFilter, wards: pd.DataFrame, weights) -> object:
    per_ward = _select(frame, flt).groupby("ward_code").size().rename("offences")
    values = wards.merge(per_ward, left_on="ward_code", right_index=True, how="left").fillna(
        {"offences": 0}
    )
    rates = (values["offences"] / values["population"] * 1000).to_numpy()
    return hotspots.gi_star(rates, weights)


def filters(first: date, last: date, districts: tuple[str, ...]) -> dict[str, ProfileFilter]:
    """(a) the force over the whole range; (b) one district, one year, non-DA."""
    force = ProfileFilter(first, last, districts, "all", ("stalking", "harassment"))
    one = replace(
        force, start_month=add_months(last, -11), districts=(districts[0],), domestic="non_domestic"
    )
    return {"force, whole range": force, "one district, one year, non-DA": one}


def grid_weights(size: int):
    """Queen contiguity of the benchmark's square-grid wards."""
    from libpysal.weights import lat2W

    return lat2W(size, size, rook=False)
