"""What the Victims and suspects page shows for a filter: age band, sex and ethnicity of
victims and suspects, how much is unknown, and rates per 1,000 residents where a population
is loaded (see panels.py for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import plotly.graph_objects as go
import polars as pl

from stalking_profile import charts, linked_tables, queries
from stalking_profile.config import SMALL_DENOMINATOR
from stalking_profile.contract import AGE_BANDS, POPULATION_SEXES
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter, apply_domestic
from stalking_profile.measures import demographics
from stalking_profile.panels import protected_beside_every_choice
from stalking_profile.publication import built_once_when_published, publishable, rounded_last

CHARACTERISTICS = tuple(demographics.CHARACTERISTICS)


@dataclass(frozen=True)
class PeoplePanel:
    profiles: dict[str, pl.DataFrame]  # by characteristic: demographics.profile, both people
    unknown: pl.DataFrame  # demographics.unknown_shares
    rates: pl.DataFrame  # demographics.rates_per_1000, both people (empty: no denominator)
    figure: go.Figure  # the rates by age band and sex
    denominator: str  # where the population came from, or why there is none
    profiles_note: str = ""  # what publication mode leaves out of the profiles, and why

    @property
    def rates_shown(self) -> bool:
        """Whether there are rates to draw (a population loaded, and not every rate withheld:
        publication mode gives them for DA and non-DA together only)."""
        return self.rates["rate_per_1000"].is_not_null().any()


def _denominator(population: pl.DataFrame, districts: int) -> tuple[pl.DataFrame, str]:
    """The population to divide by, and what to say about it: every selected district must
    have every sex and age band, or no rate is given."""
    bands = len(AGE_BANDS) * len(POPULATION_SEXES)
    if population.is_empty():
        return population, (
            "No resident population by age and sex is loaded, so no rate per 1,000 is given. "
            "Import ONS mid-year estimates summed into the bands (the population template)."
        )
    if population.height < bands or population.filter(pl.col("districts") < districts).height:
        return population.clear(), (
            "The population loaded does not cover every selected district in every age band "
            "and sex, so no rate per 1,000 is given."
        )
    years = sorted(str(y) for y in set(population["year"].drop_nulls()))
    source = "; ".join(sorted(set(population["source"].drop_nulls()))) or "source not given"
    return population, f"Population: {source}" + (f" ({', '.join(years)})" if years else "") + "."


@rounded_last
def people_panel(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int = SMALL_DENOMINATOR
) -> PeoplePanel:
    """Victims and suspects of the filter's offences. In publication mode the three tables'
    categories (which add up to their totals, DA and non-DA to all), the offences by sex and
    age band beside the rates (which add up to the tables' rows) and the unknown counts (the
    tables' counts again) are protected together, beside the pages published with them: the
    victims' total is the period's offences, which the Overview may withhold (Calderdale,
    September 2021: the Overview withheld 46 and this page showed it). For DA or non-DA alone
    it shows the page for both's DA or non-DA column and no rates
    (`_as_the_page_for_both_shows`)."""
    if gateway.publication and flt.domestic != "all":
        return _as_the_page_for_both_shows(gateway, flt, small_denominator)
    return _protected(gateway, flt, small_denominator)


RATES_FOR_BOTH_ONLY = (
    "Publication mode gives the rates by age and sex for DA and non-DA together only: the DA "
    "and non-DA rates beside them would give a withheld count back (all offences less the DA "
    "ones). The counts in the other tabs are the page for both's DA or non-DA column, as published there."
)


def _as_the_page_for_both_shows(
    gateway: Gateway, flt: ProfileFilter, small_denominator: int
) -> PeoplePanel:
    """Publication mode, DA or non-DA: the counts by group are the page for both's DA or
    non-DA column as it publishes them, and the rates are withheld. Protected for each choice
    apart, the page for both less the DA page gave the non-DA page's withheld counts back
    (Calderdale, September 2021: female victims aged 18-24, 11 less 10 gave 1)."""
    panel = _people_panel(gateway, flt, small_denominator)
    both = _protected(gateway, replace(flt, domestic="all"), small_denominator)
    profiles = {
        c: panel.profiles[c]
        .select("person", "group")
        .join(
            both.profiles[c].select("person", "group", pl.col(flt.domestic).alias("offences")),
            on=["person", "group"],
            how="left",
            maintain_order="left",
        )
        for c in CHARACTERISTICS
    }
    counted = ("offences", *linked_tables.PEOPLE_RATE_COLUMNS)
    rates = panel.rates.with_columns(
        pl.lit(None, dtype=panel.rates.schema[c]).alias(c) for c in counted
    )
    shown = _as_published(panel, profiles, rates, flt)
    return replace(
        shown,
        denominator=f"{panel.denominator} {RATES_FOR_BOTH_ONLY}",
        profiles_note=SHARES_LEFT_OUT,
    )


@built_once_when_published
def _protected(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> PeoplePanel:
    """The page's tables (for both, in publication mode) protected beside the three DA
    choices' pages (`people_panel`); as built outside publication mode. Worked out once for
    the filter on a snapshot in publication mode: the page for DA or non-DA alone reads the
    page for both, and protected it again each time (3.5 s for Wakefield, June 2021, on the
    demo)."""
    panel = _people_panel(gateway, flt, small_denominator)
    tables = {
        **{f"people_{c}": panel.profiles[c] for c in CHARACTERISTICS},
        linked_tables.PEOPLE_RATES: panel.rates,
    }
    protected = protected_beside_every_choice(gateway, flt, tables)
    if protected is None:
        return panel
    # shares of those known would give the number known (and so the unknown) back
    profiles = {c: protected.tables[f"people_{c}"].drop("share") for c in CHARACTERISTICS}
    shown = _as_published(panel, profiles, protected.tables[linked_tables.PEOPLE_RATES], flt)
    return replace(shown, profiles_note=SHARES_LEFT_OUT)


SHARES_LEFT_OUT = (
    "Publication mode leaves out the share of those known: beside the counts it would give "
    "back how many are known, and so the unknown counts withheld."
)


def _as_published(
    panel: PeoplePanel, profiles: dict[str, pl.DataFrame], rates: pl.DataFrame, flt: ProfileFilter
) -> PeoplePanel:
    """The panel with its tables as published, the unknown shares withheld with them and the
    chart drawn again from the rates as published (a rate withheld with its count: the chart
    drew every rate, and rate x residents gave the count back)."""
    return replace(
        panel,
        profiles=profiles,
        unknown=_unknown_as_shown(panel.unknown, profiles),
        rates=rates,
        figure=_rates_figure(rates, flt),
    )


def _rates_figure(rates: pl.DataFrame, flt: ProfileFilter) -> go.Figure:
    title = charts.subtitled("Offences per 1,000 residents a year, by age and sex", flt.describe())
    return charts.rates_by_age_figure(rates, title)


def _unknown_as_shown(unknown: pl.DataFrame, profiles: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The unknown shares with any count the profiles withhold withheld here too: the not
    recorded (with its share) where the profile withholds its Unknown row, the offences (and
    the share) where it withholds its Total, with the small-numbers flag, which says whether
    the offences are under 30 (two rows of one withheld total read "yes" and blank, helper 70).
    Withholding both for either withheld the victims' 6,129 offences by age band beside the
    6,129 shown by sex."""
    rates = ["rate", "lower", "upper"]
    flag_of_total = ["is_small"] if "is_small" in unknown.columns else []
    for group, columns in (
        (demographics.UNKNOWN, ["numerator", *rates]),
        (demographics.TOTAL, ["denominator", *rates, *flag_of_total]),
    ):
        hidden = pl.concat(
            [
                frame.filter((pl.col("group") == group) & pl.col("offences").is_null()).select(
                    "person", pl.lit(demographics.CHARACTERISTICS[name]).alias("characteristic")
                )
                for name, frame in profiles.items()
            ]
        ).unique()
        if hidden.is_empty():
            continue
        flag = pl.struct("person", "characteristic").is_in(
            hidden.select(pl.struct("person", "characteristic")).to_series().implode()
        )
        unknown = unknown.with_columns(
            pl.when(flag).then(None).otherwise(pl.col(c)).alias(c) for c in columns
        )
    return unknown


@publishable
def _people_panel(gateway: Gateway, flt: ProfileFilter, small_denominator: int) -> PeoplePanel:
    """The Victims and suspects page's tables for the filter (see `people_panel`)."""
    offences = apply_domestic(queries.people_offences(gateway, flt), flt.domestic)
    shown = ["domestic", "non_domestic", "offences"] if flt.domestic == "all" else ["offences"]
    profiles = {
        characteristic: pl.concat(
            [
                demographics.profile(offences, person, characteristic)
                for person in demographics.PEOPLE
            ]
        ).select("person", "group", *shown, "share")
        for characteristic in CHARACTERISTICS
    }
    population, denominator = _denominator(
        queries.population_by_age_sex(gateway, flt), len(flt.districts)
    )
    rates = pl.concat(
        [
            demographics.rates_per_1000(offences, population, person, flt.months)
            for person in demographics.PEOPLE
        ]
    )
    figure = _rates_figure(rates, flt)
    unknown = demographics.unknown_shares(offences, small_denominator)
    return PeoplePanel(profiles, unknown, rates, figure, denominator)
