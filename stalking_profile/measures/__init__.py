"""The profile's measures: pure functions from count frames to Polars frames or rates."""

from stalking_profile.measures.headline import count_rate, domestic_share, headline_indicators
from stalking_profile.measures.outcomes import OUTCOME_1_8_CODES, outcome_table
from stalking_profile.measures.rates import Rate, two_proportion_p_value, wilson_interval
from stalking_profile.measures.volumes import (
    district_category_counts,
    district_period_table,
    monthly_counts,
    offence_total,
    poisson_change_p_value,
    rolling_12m,
    rolling_12m_series,
)

__all__ = [
    "OUTCOME_1_8_CODES",
    "Rate",
    "count_rate",
    "district_category_counts",
    "district_period_table",
    "domestic_share",
    "headline_indicators",
    "monthly_counts",
    "offence_total",
    "outcome_table",
    "poisson_change_p_value",
    "rolling_12m",
    "rolling_12m_series",
    "two_proportion_p_value",
    "wilson_interval",
]
