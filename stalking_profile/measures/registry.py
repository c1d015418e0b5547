"""The list of measures the pages show, so the Definitions page is generated from the code
that computes them and the two cannot drift apart."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import polars as pl

from stalking_profile.measures import (
    contact,
    demographics,
    funnel,
    headline,
    hotspots,
    orders,
    outcomes,
    prioritisation,
    quality,
    rates,
    repeats,
    risk,
    scorecard,
    spc,
    volumes,
)
from stalking_profile.measures.indicators import INDICATORS

MEASURES: tuple[tuple[str, Callable], ...] = (
    ("Volumes", volumes.offence_total),
    ("Volumes", volumes.monthly_counts),
    ("Volumes", volumes.monthly_by_category),
    ("Volumes", volumes.rolling_12m),
    ("Volumes", volumes.district_category_counts),
    ("Volumes", volumes.monthly_district_category_counts),
    ("Volumes", volumes.district_period_table),
    ("Volumes", volumes.selection_change),
    ("Volumes", volumes.rolling_12m_series),
    ("Volumes", volumes.change_pct),
    ("Volumes", volumes.poisson_change_p_value),
    ("Volumes", volumes.poisson_change_p_values),
    ("Volumes", volumes.change_interval),
    ("Volumes", volumes.monthly_dispersion),
    ("Volumes", volumes.borrowed_pairs),
    ("Volumes", volumes.pair_dispersion),
    ("Volumes", volumes.quasi_poisson_change),
    ("Headline", headline.headline_indicators),
    ("Headline", headline.count_rate),
    ("Headline", headline.domestic_offences),
    ("Headline", headline.non_domestic_offences),
    ("Headline", headline.domestic_share),
    ("Outcomes", outcomes.outcome_table),
    ("Outcomes", outcomes.unconfirmed_groups_note),
    ("Outcomes", outcomes.provisional_note),
    ("Outcomes", outcomes.outcome_rates_by_category),
    ("Outcomes", outcomes.outcome_group_table),
    ("Outcomes", outcomes.median_days_to_outcome),
    ("Outcomes", outcomes.outcome_share_table),
    ("Outcomes", outcomes.outcome_within),
    ("Outcomes", outcomes.outcome_within_by_month),
    ("Outcomes", outcomes.first_incomplete_month),
    ("Outcomes", outcomes.time_to_outcome),
    ("Risk and flags", risk.flag_rates_by_district),
    ("Risk and flags", risk.domestic_comparison),
    ("Risk and flags", risk.dash_risk_mix),
    ("Risk and flags", risk.monthly_flag_rates),
    ("Statistical process control", spc.xmr),
    ("Statistical process control", spc.shift_points),
    ("Statistical process control", spc.trend_points),
    ("Statistical process control", spc.two_of_three_points),
    ("Statistical process control", spc.rule_sides),
    ("Statistical process control", scorecard.indicator_chart),
    ("Statistical process control", spc.variation),
    ("Statistical process control", spc.with_count_floor),
    ("Statistical process control", scorecard.monthly_indicators),
    ("Statistical process control", scorecard.scorecard),
    ("Uncertainty", rates.wilson_interval),
    ("Uncertainty", rates.two_proportion_p_value),
    ("Uncertainty", rates.median_and_quartiles),
    ("Uncertainty", rates.with_rate_columns),
    ("Uncertainty", rates.mid_p_exact),
    ("Uncertainty", rates.proportion_difference_test),
    ("Uncertainty", rates.newcombe_interval),
    ("Uncertainty", rates.newcombe_intervals),
    ("Uncertainty", rates.fdr_q_values),
    ("Uncertainty", rates.with_false_discovery_rate),
    ("Data quality", quality.quality_indicators),
    ("Data quality", quality.cyber_rate_by_district),
    ("Hotspots", hotspots.rate_per_1000),
    ("Hotspots", hotspots.category_meanings),
    ("Hotspots", funnel.poisson_rate_interval),
    ("Hotspots", funnel.funnel_limits),
    ("Hotspots", funnel.funnel_position),
    ("Volumes", funnel.district_funnel),
    ("Hotspots", funnel.pooled_rate),
    ("Hotspots", funnel.limits_across),
    ("Hotspots", hotspots.gi_star),
    ("Hotspots", hotspots.benjamini_hochberg_threshold),
    ("Hotspots", hotspots.hotspot_classes),
    ("Hotspots", hotspots.ward_hotspots),
    ("Hotspots", hotspots.mann_kendall),
    ("Hotspots", hotspots.period_rates),
    ("Hotspots", hotspots.space_time_gi_star),
    ("Hotspots", hotspots.emerging_hotspots),
    ("Hotspots", hotspots.excess_risk),
    ("Hotspots", hotspots.lees_l),
    ("Hotspots", hotspots.correspondence),
    ("Repeat victims and suspects", repeats.repeat_summary),
    ("Repeat victims and suspects", repeats.monthly_repeats),
    ("Repeat victims and suspects", repeats.days_between_offences),
    ("Repeat victims and suspects", repeats.serial_perpetrators),
    ("Civil orders and breaches", orders.made),
    ("Civil orders and breaches", orders.ended),
    ("Civil orders and breaches", orders.in_force_on),
    ("Civil orders and breaches", orders.order_activity),
    ("Civil orders and breaches", orders.orders_by_month),
    ("Civil orders and breaches", orders.take_up),
    ("Civil orders and breaches", orders.breaches_in_force),
    ("Civil orders and breaches", orders.breaches_not_in_force),
    ("Civil orders and breaches", orders.time_to_order),
    ("Civil orders and breaches", orders.breach_summary),
    ("Civil orders and breaches", orders.time_to_first_breach),
    ("Civil orders and breaches", orders.breach_outcomes),
    ("Civil orders and breaches", orders.repeat_suspects_without_order),
    ("Uncertainty", orders.kaplan_meier),
    ("Uncertainty", outcomes.kaplan_meier_median),
    ("Perpetrator prioritisation", prioritisation.offence_gravity),
    ("Perpetrator prioritisation", prioritisation.prioritise),
    ("Victims and suspects", demographics.age_band),
    ("Victims and suspects", demographics.people),
    ("Victims and suspects", demographics.profile),
    ("Victims and suspects", demographics.unknown_shares),
    ("Victims and suspects", demographics.rates_per_1000),
    ("Victim contact", contact.contact_by_offence),
    ("Victim contact", contact.contact_rates),
)


# modules whose rules hold for all their measures, stated once in the module's docstring
# (the score's parts and weights; when a contact was kept and a victim told): on the
# Definitions page beside the functions, which had only listed the columns (helper 76)
MODULE_RULES = (
    ("Perpetrator prioritisation", prioritisation),
    ("Victim contact", contact),
)


# an engineer's note in a docstring (a timing, a benchmark's scale, an audit's name), which
# the Definitions page showed every reader beside what a measure counts (helper 84)
ENGINEERS_NOTE = re.compile(r"\d\s?ms\b|\d s for |million offences|helper \d+|bench/")


def for_readers(text: str) -> str:
    """A docstring as the Definitions page gives it: without the brackets and sentences that
    are an engineer's note (ENGINEERS_NOTE).

    >>> for_readers("Counts by month (a month took 3 ms at 10 million offences). Fast.")
    'Counts by month. Fast.'
    >>> for_readers("Fitted here: lifelines took 25 ms a fit. A median (of days).")
    'A median (of days).'
    """
    kept, depth, start = [], 0, 0
    for at, character in enumerate(text):  # brackets first, outermost that holds a note
        if character == "(":
            if depth == 0:
                kept.append(text[start:at])
                start = at
            depth += 1
        elif character == ")" and depth:
            depth -= 1
            if depth == 0:
                group = text[start : at + 1]
                kept.append("" if ENGINEERS_NOTE.search(group) else group)
                start = at + 1
    kept.append(text[start:])
    joined = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s{2,}", " ", "".join(kept)))
    sentences = re.split(r"(?<=\.)\s+", joined.strip())
    return " ".join(s for s in sentences if not ENGINEERS_NOTE.search(s))


def definitions() -> pl.DataFrame:
    """One row per indicator (section "Indicators": its key and definition from the indicator
    registry) and per measure function (section, name, and its docstring without doctest
    examples)."""
    rows = [
        {
            "section": "Indicators",
            "measure": indicator.key,
            "module": "measures.indicators",
            "definition": indicator.definition
            + f" Better when {'higher' if indicator.improvement == 'up' else 'lower' if indicator.improvement == 'down' else 'neither: no direction is better'}.",
        }
        for indicator in INDICATORS
    ]
    rows += [  # the Data quality page's indicators, each a numerator over a denominator
        {
            "section": "Data quality",
            "measure": indicator.key,
            "module": "measures.quality",
            "definition": f"{indicator.label}: {indicator.definition}",
        }
        for indicator in quality.INDICATORS
    ]
    rows += [
        {
            "section": section,
            "measure": "how it is counted",
            "module": module.__name__.removeprefix("stalking_profile."),
            "definition": for_readers(" ".join((inspect.getdoc(module) or "").split())),
        }
        for section, module in MODULE_RULES
    ]
    for section, function in MEASURES:
        kept: list[str] = []
        for line in (inspect.getdoc(function) or "").splitlines():
            if line.strip().startswith(">>>"):
                break
            kept.append(line.strip())
        rows.append(
            {
                "section": section,
                "measure": function.__name__,
                "module": function.__module__.removeprefix("stalking_profile."),
                "definition": for_readers(" ".join(line for line in kept if line)),
            }
        )
    return pl.DataFrame(rows)
