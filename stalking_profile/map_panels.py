"""What the Hotspot maps page shows for a filter: ward tables, hotspot statistics and maps.

Plain arguments in (a gateway, a filter, the ward geometry of the filter's districts), frames
and figures out, so the page only lays them out and tests need no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import plotly.graph_objects as go
import polars as pl

from stalking_profile import charts, filters, linked_figures, linked_protection, maps, queries
from stalking_profile.db import Gateway
from stalking_profile.filters import (
    DOMESTIC_CHOICES,
    DOMESTIC_KEYS,
    ProfileFilter,
    add_months,
    apply_domestic,
    months_between,
)
from stalking_profile.formatting import plural
from stalking_profile.geography import WardGeometry, ward_list
from stalking_profile.measures import funnel, hotspots
from stalking_profile.measures.volumes import change_pct
from stalking_profile.panels import (
    protected_beside_pages,
    protected_beside_pages_for_every_choice,
)
from stalking_profile.publication import (
    NOT_A_COUNT,
    exact_for_protection,
    is_small,
    publishable,
    rounded_last,
    suppress_frame,
)

# A ward's rate is over the period, not scaled to a year as the Trends page's districts' are
# (a ward of a quarter read beside its district's year looked half as high as it was)
IN_THE_PERIOD = "in the period"
RATE_LABEL = f"Offences per 1,000 residents {IN_THE_PERIOD}"
MEASURES: dict[str, tuple[str, str]] = {
    "rate": (RATE_LABEL, "per 1,000"),
    "offences": ("Offences", "offences"),
}
PERIOD_MONTHS = 3  # emerging hotspots: quarters
RATE_LABELS = {  # the ward tables' rate columns, as the page names them
    "rate_per_1000": RATE_LABEL,
    "rate_lower": f"95% interval from (per 1,000 {IN_THE_PERIOD})",
    "rate_upper": f"95% interval to (per 1,000 {IN_THE_PERIOD})",
}


FUNNEL_NOTE = (
    "Each ward's rate against its number of residents. The lines show how far from the whole "
    "area's rate a ward of that size can fall by chance alone (95% and 99.8% exact Poisson "
    "limits): small wards scatter widely, so only wards beyond the 99.8% limits (triangles) "
    "stand out more than chance would explain. Rates carry exact 95% intervals."
)


def funnel_note(wards: pl.DataFrame) -> str:
    """FUNNEL_NOTE, and, where far more wards lie beyond the 99.8% limits than chance would
    put there (the demo's year to September 2021: 36 of 124, where chance puts 0.25), what
    that says: the note alone called each of them more than chance would explain (helper
    53)."""
    placed = wards.filter(
        pl.col("funnel").is_not_null() & (pl.col("funnel") != "unknown population")
    )
    beyond = placed.filter(pl.col("funnel").str.contains("99.8%")).height
    expected = 0.002 * placed.height
    if beyond < 3 or beyond <= 2 * expected:
        return FUNNEL_NOTE
    return FUNNEL_NOTE + (
        f" Here {beyond} of the {placed.height:,} wards lie beyond the 99.8% limits, where "
        f"chance alone would put about {expected:.1f}: the wards' rates differ more than chance "
        "explains (overdispersion), so beyond the limits says where to look first, not that "
        "each of those wards is unusual on its own."
    )


def hotspot_note(correct: bool) -> str:
    """How the hot and cold spots were found, and how to read them."""
    return (
        "Getis-Ord Gi* on ward rates with queen contiguity (each ward with the wards touching "
        "it). "
        + (
            "Significance is corrected for testing every ward with the Benjamini-Hochberg false "
            "discovery rate at each level. "
            if correct
            else "Uncorrected: with many wards, some pass by chance. "
        )
        + "Hotspots can reflect where younger or less affluent residents live, and where "
        "stalking by technology is recorded at the suspect's home when nothing else is known "
        "(West Yorkshire's practice in its 2022 profile; check the force's), where suspects "
        "live — read them with that in mind."
    )


AREA_RATE, SHOWN_RATE = "Rate of the whole area", "Rate of the wards shown"
FUNNEL_OF_SHOWN = (
    " Publication mode leaves out the wards whose count is withheld, and draws the rate and "
    "its limits from the wards shown: the whole area's rate, with their residents, would give "
    "the withheld counts' sum back."
)
HOTSPOTS_WITHHELD = (
    "Publication mode leaves the hot and cold spots out while a ward's count is withheld: "
    "each ward's Gi* z-score weighs the rates of the wards around it, so the z-scores of the "
    "others would give a withheld count back."
)
GI_COLUMNS = ("gi_z", "gi_p", "hotspot")


def with_funnel(wards: pl.DataFrame) -> pl.DataFrame:
    """Each ward's exact 95% interval per 1,000 (rate_lower, rate_upper) and its place on the
    funnel of the whole area's rate (funnel)."""
    offences = wards["offences"].to_numpy().astype(float)
    population = wards["population"].fill_null(0).to_numpy().astype(float)
    known = population > 0
    area_rate = funnel.pooled_rate(offences[known], population[known])
    lower, upper = funnel.poisson_rate_interval(offences, population)
    return wards.with_columns(
        pl.Series("rate_lower", lower).fill_nan(None),
        pl.Series("rate_upper", upper).fill_nan(None),
        pl.Series(
            "funnel", funnel.funnel_position(offences, population, area_rate), dtype=pl.String
        ),
    )


def ward_offences(counts: pl.DataFrame, wards: pl.DataFrame) -> pl.DataFrame:
    """Offences per ward (all `wards` of a map, `WardGeometry.wards`, 0 where none), with
    population and rate per 1,000 residents, in their order."""
    per_ward = (
        counts.filter(pl.col("ward_code").is_not_null())
        .group_by("ward_code")
        .agg(pl.col("offences").sum())
    )
    return (
        wards.join(per_ward, on="ward_code", how="left", maintain_order="left")
        .with_columns(pl.col("offences").fill_null(0).cast(pl.Int64))
        .with_columns(
            hotspots.rate_per_1000(pl.col("offences"), pl.col("population")).alias("rate")
        )
    )


def not_mapped(counts: pl.DataFrame, wards: pl.DataFrame) -> int:
    """Offences (`counts`: ward_code, offences) the map cannot place: no ward recorded, or a
    ward with no boundary among the map's `wards` (not loaded, or another district's). Counting
    only the first left offences off the map and out of its caption (7 of Calderdale's 97 with
    a ward code no boundary has: "2 of 97 have no known ward" beside wards summing to 88)."""
    placed = pl.col("ward_code").is_in(wards["ward_code"].implode()).fill_null(False)
    return int(counts.filter(~placed)["offences"].sum())


@dataclass(frozen=True)
class HotspotPanel:
    funnel_figure: go.Figure  # ward rates against population, with 95% and 99.8% limits
    wards: pl.DataFrame
    ward_table: pl.DataFrame  # the wards as a table: the rate named for its unit
    top_wards: pl.DataFrame
    map_figure: go.Figure
    hotspot_figure: go.Figure
    unknown_ward_offences: int | None  # None: withheld (publication mode)
    offences: int | None
    funnel_note: str = FUNNEL_NOTE
    hotspots_withheld: bool = False  # publication mode, a ward withheld: no Gi* shown
    wards_withheld_note: str = ""  # publication mode: why every ward is withheld, if it is
    change_note: str = ""  # where a ward's change is per day (change_note)
    # the previous period's offences the map cannot place, and all of them: 0 and None where
    # the wards have no previous period (None for the first: withheld in publication mode)
    previous_unknown_ward_offences: int | None = 0
    previous_offences: int | None = None

    @property
    def population_note(self) -> str:
        """What the rate map and the hot and cold spots cannot show for want of ward
        populations ('' when every ward has one): a force's database with no ward populations
        drew a blank rate map and no hot or cold spot, and nothing said why."""
        missing = self.wards.filter(pl.col("population").fill_null(0) <= 0).height
        how = (
            "import them in a wards file (the population column of "
            "data/templates/wards_template.csv)"
        )
        if missing == 0:
            return ""
        if missing == self.wards.height:
            return (
                "No ward of these districts has a resident population loaded, so no ward has a "
                "rate per 1,000: the rate map is blank, and hot and cold spots (found on rates) "
                f"cannot be found. Colour wards by offences, or {how}."
            )
        return (
            f"{missing:,} of {self.wards.height:,} wards have no resident population loaded: "
            "they have no rate (grey on the rate map) and take the mean rate in the hot and "
            f"cold spots' sums. To give them rates, {how}."
        )

    @property
    def top_wards_note(self) -> str:
        """The Top wards tab's caption: the funnel's note, and a change per day."""
        notes = (self.funnel_note, self.previous_unknown_note, self.change_note)
        return " ".join(note for note in notes if note)

    @property
    def map_notes(self) -> list[str]:
        """The map's captions: wards with no population, offences with no known ward, and a
        change per day."""
        notes = (
            self.population_note,
            self.unknown_ward_note,
            self.previous_unknown_note,
            self.change_note,
        )
        return [note for note in notes if note]

    @property
    def previous_unknown_note(self) -> str:
        """What the wards' previous period leaves out: the offences of that period the map
        cannot place ('' for none). For the force's year to September 2021 the wards' previous
        counts added to 3,217 where the Trends page gave the year before 3,286, and nothing
        said why."""
        unknown, offences = self.previous_unknown_ward_offences, self.previous_offences
        if unknown == 0:
            return ""
        if unknown is None:
            return (
                "The wards' previous-period counts leave out that period's offences with no "
                "ward recorded, or a ward with no boundary loaded (how many is withheld)."
            )
        of = "" if offences is None else f" of that period's {offences:,}"
        return (
            f"The wards' previous-period counts leave out {unknown:,}{of} offences: they "
            "had no ward recorded, or a ward with no boundary loaded."
        )

    @property
    def unknown_ward_note(self) -> str:
        """What the map's caption says of the offences it cannot place ('' for none)."""
        unknown, offences = self.unknown_ward_offences, self.offences
        if unknown == 0:
            return ""
        if unknown is None:
            return (
                "Offences with no ward recorded, or a ward with no boundary loaded, are not "
                "mapped (how many is withheld)."
            )
        of = "" if offences is None else f" of {offences:,}"
        return (
            f"{unknown:,}{of} offences have no ward recorded, or a ward with no boundary "
            "loaded, and are not mapped."
        )


@rounded_last
def hotspot_panel(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, measure: str, correct: bool
) -> HotspotPanel:
    """Offences per ward with their hot spots and change (see `_hotspot_panel`). In
    publication mode the wards and the caption's totals are protected together (the wards and
    the offences of no known ward add up to all offences), a change is never shown beside a
    hidden count, and a hidden ward is neither coloured nor plotted by value, nor ranked. While
    any ward is hidden, the hot and cold spots are withheld (HOTSPOTS_WITHHELD) and the funnel
    is drawn from the rate of the wards shown (FUNNEL_OF_SHOWN)."""
    panel = _hotspot_panel(gateway, flt, geometry, measure, correct)
    access = gateway.access
    if not gateway.publication or access is None:
        return panel
    protected, hidden, names = _withheld_wards(gateway, flt, geometry, panel)
    after = protected.tables["ward_totals"].row(0, named=True)

    previous, before = _without_previous(gateway, flt, geometry.wards, panel.wards)
    wards = _rated_as_shown(_without_counts(previous, hidden))
    if hidden:  # Gi* and the whole area's rate would give the withheld counts back
        wards = _funnel_of_shown(
            wards.with_columns(pl.lit(None, dtype=wards.schema[c]).alias(c) for c in GI_COLUMNS)
        )
    else:
        wards = with_funnel(wards)
    table = _ward_table(wards)
    return replace(
        panel,
        wards=wards,
        ward_table=table,
        # ranked by the rates as published: a rate withheld beside a small previous count
        # was ranked below the wards of no offences
        top_wards=_top_wards(suppress_frame(wards, access.suppress_below), measure),
        map_figure=linked_figures.hide_wards(panel.map_figure, hidden, names),
        hotspot_figure=maps.hotspot_figure(geometry, wards, _hotspot_title(flt.describe()))
        if hidden
        else panel.hotspot_figure,
        funnel_figure=_funnel_figure(table, flt.describe(), SHOWN_RATE if hidden else AREA_RATE),
        unknown_ward_offences=after["unknown"],
        offences=after["offences"],
        previous_unknown_ward_offences=before["unknown"] if before else 0,
        previous_offences=before["offences"] if before else None,
        funnel_note=funnel_note(wards) + (FUNNEL_OF_SHOWN if hidden else ""),
        hotspots_withheld=bool(hidden),
        wards_withheld_note=CROSS_CHOICE_WITHHELD.format(limit=CROSS_CHOICE_WARDS)
        if flt.domestic != "all" and geometry.wards.height > CROSS_CHOICE_WARDS
        else "",
    )


@rounded_last
def ward_map(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, measure: str
) -> go.Figure:
    """The Hotspot maps page's ward map alone (`hotspot_panel`'s map_figure), for the meeting
    pack: in publication mode the wards withheld as the page withholds them, without
    protecting the previous period the page's top wards also show (the demo force's
    publication pack took 15-16 s with it, 10 s without)."""
    panel = _hotspot_panel(gateway, flt, geometry, measure, True)
    if not gateway.publication or gateway.access is None:
        return panel.map_figure
    _, hidden, names = _withheld_wards(gateway, flt, geometry, panel)
    return linked_figures.hide_wards(panel.map_figure, hidden, names)


def _withheld_wards(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, panel: HotspotPanel
) -> tuple[linked_protection.Protected, set[str], set[str]]:
    """In publication mode, the period's wards as protected (`_protected_wards`), with the
    codes and the names of the wards withheld."""
    protected = _protected_wards(gateway, flt, geometry.wards)
    assert protected is not None  # publication mode
    shown = protected.tables["wards"]
    hidden = set(shown.filter(pl.col("offences").is_null())["ward_code"].to_list())
    names = set(panel.wards.filter(pl.col("ward_code").is_in(sorted(hidden)))["ward_name"])
    return protected, hidden, names


def _comparison(gateway: Gateway, flt: ProfileFilter) -> filters.Comparison:
    """The filter's period against the one before it, as the data hold it."""
    return flt.comparison(queries.dataset_info(gateway).first_month)


def _whole_previous(compared: filters.Comparison) -> bool:
    """Whether the data hold the whole period before the filter's: a ward's change needs it,
    and is left blank otherwise."""
    return compared.previous is not None and not compared.like_for_like


def protect_wards_ahead(gateway: Gateway, flt: ProfileFilter, wards: pl.DataFrame) -> None:
    """In publication mode, work out what the Hotspot maps page protects for the filter and
    its map's `wards` (`geography.ward_list`) under every DA choice: its wards' counts, and
    the previous period's where the page compares with it. Opening the page then finds them
    done (`prepared.Preparer`)."""
    exact = exact_for_protection(gateway)
    # up to CROSS_CHOICE_WARDS the three DA choices' maps are protected as one, and kept for
    # each; above it each choice's map is protected on its own
    for choice in DOMESTIC_KEYS if wards.height > CROSS_CHOICE_WARDS else ("all",):
        chosen = replace(flt, domestic=choice)
        _protected_wards(exact, chosen, wards)
        if _whole_previous(_comparison(exact, chosen)):
            _protected_wards(exact, chosen.previous(), wards)


CROSS_CHOICE_WARDS = 500  # above this many wards the DA and non-DA maps are withheld whole
CROSS_CHOICE_WITHHELD = (  # .format(limit=CROSS_CHOICE_WARDS)
    "Publication mode withholds the wards' DA and non-DA counts where more than "
    "{limit:,} wards are selected: the maps for DA, non-DA and both are protected "
    "together (one less another must give no withheld count back), and for this many wards "
    "that takes minutes. Choose fewer districts to see them; the map for both is shown."
)


def _protected_wards(
    gateway: Gateway, flt: ProfileFilter, wards: pl.DataFrame
) -> linked_protection.Protected | None:
    """The period's wards ("wards": ward_code, offences) and the map's caption ("ward_totals":
    the offences of no known ward, of all offences) for the filter's DA choice as publication
    mode publishes them: beside the pages for that period, the three choices' as one (a
    ward's offences for both are its DA and non-DA offences). For the map, its top wards'
    previous period and the emerging hotspots' span alike. None outside publication mode."""
    access = gateway.access
    if not gateway.publication or access is None:
        return None
    below = access.suppress_below

    def tables(chosen: ProfileFilter) -> dict[str, pl.DataFrame]:
        return _ward_tables(gateway, chosen, wards, below)

    if wards.height <= CROSS_CHOICE_WARDS:
        return protected_beside_pages_for_every_choice(gateway, flt, "protected wards", tables)

    def beside_pages() -> linked_protection.Protected | None:
        # too many wards to protect the three maps as one in a page's time (7,056 wards:
        # minutes): the map for both beside its pages, the DA and non-DA maps' wards withheld
        chosen = tables(flt)
        if flt.domestic != "all":
            no_count = pl.lit(None, pl.Int64).alias("offences")
            chosen["wards"] = chosen["wards"].with_columns(no_count)
        return protected_beside_pages(gateway, flt, chosen)

    key = ("protected wards beside pages", flt, tuple(wards["ward_code"]), access.disclosure_rule)
    return gateway.remembered(key, beside_pages)


def _ward_tables(
    gateway: Gateway, flt: ProfileFilter, wards: pl.DataFrame, below: int
) -> dict[str, pl.DataFrame]:
    """The period's wards and the map's caption for the filter's DA choice, as protection
    reads them: small counts already withheld (primary suppression)."""
    current = apply_domestic(queries.ward_totals(gateway, flt), flt.domestic)
    counts = ward_offences(current, wards).select("ward_code", "offences")
    unknown = not_mapped(current, wards)
    offences = int(current["offences"].sum())
    small = [None if is_small(n, below) else n for n in (unknown, offences)]
    return {"wards": suppress_frame(counts, below), "ward_totals": _totals(*small)}


def _a_ward_withheld_before_protection(
    gateway: Gateway, flt: ProfileFilter, wards: pl.DataFrame
) -> bool:
    """Whether a ward of the filter's DA choice is withheld whatever secondary suppression
    does (so `_protected_wards` has one withheld): a small count, or a DA or non-DA map's
    wards above CROSS_CHOICE_WARDS, withheld whole. False outside publication mode."""
    access = gateway.access
    if not gateway.publication or access is None or wards.is_empty():
        return False
    if wards.height > CROSS_CHOICE_WARDS and flt.domestic != "all":
        return True
    counts = _ward_tables(gateway, flt, wards, access.suppress_below)["wards"]
    return counts["offences"].null_count() > 0


def _ward_counts(protected: linked_protection.Protected, codes: pl.Series) -> pl.Series:
    """The protected wards' offences in the order of `codes`."""
    wards = protected.tables["wards"]
    order = pl.DataFrame({"ward_code": codes})
    joined = order.join(wards, on="ward_code", how="left", maintain_order="left")
    return joined["offences"]


def _without_previous(
    gateway: Gateway, flt: ProfileFilter, mapped: pl.DataFrame, wards: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, int | None] | None]:
    """The wards with their previous period's counts protected as the page protects that
    period's wards (_protected_wards: Leeds, July to September 2021, the Trends page's 644
    previous offences less the other wards' 632 and the 10 of no ward gave Harewood's
    withheld 2), and that period's caption totals as protected with them (unknown,
    offences: None where the wards have no previous period)."""
    if wards["previous_offences"].is_null().all():  # no whole previous period in the data
        return wards, None
    protected = _protected_wards(gateway, flt.previous(), mapped)
    if protected is None:
        return wards, None
    counts = _ward_counts(protected, wards["ward_code"]).alias("previous_offences")
    return wards.with_columns(counts), protected.tables["ward_totals"].row(0, named=True)


def _without_counts(wards: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    """The wards with the hidden wards' counts, rates and funnel places withheld, and no change
    beside a withheld count (it would give the count back)."""
    gone = pl.col("ward_code").is_in(sorted(hidden))
    counts = ("offences", "rate", "rate_lower", "rate_upper", "funnel")
    return wards.with_columns(
        pl.when(gone).then(None).otherwise(pl.col(c)).alias(c) for c in counts
    ).with_columns(
        pl.when(pl.col("offences").is_null() | pl.col("previous_offences").is_null())
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("change", "change_pct")
    )


def _rated_as_shown(wards: pl.DataFrame) -> pl.DataFrame:
    """Each ward's rate per 1,000 from its offences as shown (none where they are withheld;
    its interval and funnel place follow, `with_funnel`). The panel's primary suppression
    withheld a row's rates beside a small count anywhere in it, so a ward's rate was blank
    beside a previous period of 1 to 4 offences; with that period protected after (a blank
    may be any count), a blank rate beside a shown count still said the previous one was 1 to
    4 (Calderdale, August 2021, non-DA: Brighouse, Skircoat and Town, 0 offences, no rate, so
    1 or 2 each the month before, and the seven wards beside them with a rate, 0)."""
    return wards.with_columns(
        hotspots.rate_per_1000(pl.col("offences"), pl.col("population")).alias("rate")
    )


def _funnel_of_shown(wards: pl.DataFrame) -> pl.DataFrame:
    """Each shown ward's interval and place on the funnel of the rate of the wards shown (a
    withheld ward has neither)."""
    worked_out = ("rate_lower", "rate_upper", "funnel")
    shown = with_funnel(wards.filter(pl.col("offences").is_not_null()).drop(worked_out))
    return wards.drop(worked_out).join(
        shown.select("ward_code", *worked_out), on="ward_code", how="left", maintain_order="left"
    )


def _ward_table(wards: pl.DataFrame) -> pl.DataFrame:
    """The wards as a table: the rate named for its unit."""
    return wards.drop("population_unknown").rename({"rate": "rate_per_1000"})


def _top_wards(wards: pl.DataFrame, measure: str) -> pl.DataFrame:
    """The wards ranked by `measure`, highest first (ties by ward code, the same every time);
    wards whose count or `measure` is withheld, or whose rate is not known (no population),
    come last, unranked, in ward code order."""
    withheld = pl.col("offences").is_null() | pl.col(measure).is_null()
    ranked = wards.sort(
        [withheld, measure, "ward_code"], descending=[False, True, False], nulls_last=True
    )
    return ranked.select(
        pl.when(~withheld).then(pl.int_range(1, pl.len() + 1, dtype=pl.UInt32)).alias("rank"),
        "ward_name",
        "ward_code",
        "district_code",
        "offences",
        pl.col("rate").alias("rate_per_1000"),
        "rate_lower",
        "rate_upper",
        "funnel",
        "previous_offences",
        "change",
        "change_pct",
        "hotspot",
        # whether the previous period is wholly in the data (else its blanks are no value)
        pl.col("previous_complete")
        if "previous_complete" in wards.columns
        else pl.lit(True).alias("previous_complete"),  # its blanks taken as withheld
    )


def _hotspot_title(description: str) -> str:
    return charts.subtitled("Getis-Ord Gi* hot and cold spots of the rate per 1,000", description)


def _funnel_figure(ward_table: pl.DataFrame, description: str, area_label: str) -> go.Figure:
    """The wards with residents (and a count shown) on the funnel of their pooled rate."""
    known = ward_table.filter((pl.col("population") > 0) & pl.col("offences").is_not_null())
    people = known["population"].to_numpy().astype(float)
    return charts.funnel_figure(
        known,
        funnel.limits_across(people, funnel.pooled_rate(known["offences"].to_numpy(), people)),
        charts.subtitled("Ward rates against ward size: a funnel plot", description),
        area_label=area_label,
        per=f" {IN_THE_PERIOD}",
    )


@publishable
def _hotspot_panel(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, measure: str, correct: bool
) -> HotspotPanel:
    """Offences per ward for the filter (count or rate), Gi* hot and cold spots on ward rates,
    and the top wards with their change against the previous equal period."""
    current = apply_domestic(queries.ward_totals(gateway, flt), flt.domestic)
    compared = _comparison(gateway, flt)
    previous = apply_domestic(queries.ward_totals(gateway, flt.previous()), flt.domestic)
    whole = _whole_previous(compared)
    mapped = geometry.wards
    wards = hotspots.ward_hotspots(ward_offences(current, mapped), geometry.weights, correct)
    before = ward_offences(previous, mapped).select(
        "ward_code",
        (pl.col("offences") if whole else pl.lit(None, dtype=pl.Int64)).alias("previous_offences"),
    )
    wards = wards.join(before, on="ward_code", how="left", maintain_order="left").with_columns(
        pl.lit(whole).alias("previous_complete"),
        (pl.col("offences") - pl.col("previous_offences")).alias("change"),
        # per day where the periods' lengths differ, as every change on the dashboard is
        change_pct("offences", "previous_offences", compared.days() if whole else (1, 1)).alias(
            "change_pct"
        ),
    )
    wards = with_funnel(wards)
    label, unit = MEASURES[measure]
    description = flt.describe()
    map_figure = maps.choropleth_figure(
        geometry, wards, measure, charts.subtitled(f"{label} by ward", description), unit
    )
    hotspot_figure = maps.hotspot_figure(geometry, wards, _hotspot_title(description))
    unknown = not_mapped(current, mapped)
    ward_table = _ward_table(wards)
    previous_unknown = not_mapped(previous, mapped) if whole else 0
    return HotspotPanel(
        _funnel_figure(ward_table, description, AREA_RATE),
        wards,
        ward_table,
        _top_wards(wards, measure),
        map_figure,
        hotspot_figure,
        unknown,
        int(current["offences"].sum()),
        funnel_note=funnel_note(wards),
        change_note=change_note(compared) if whole else no_change_note(compared),
        previous_unknown_ward_offences=previous_unknown,
        previous_offences=int(previous["offences"].sum()) if whole else None,
    )


def no_change_note(compared: filters.Comparison) -> str:
    """Why the wards' previous period and change are blank, where the data do not hold the
    whole period before (helper 89: the first months' map left them blank without a word,
    where the Overview and Trends said there was nothing to compare with)."""
    if compared.previous is None:
        return f"{compared.describe()} A ward's previous period and change are blank."
    return (
        f"A ward's previous period and change are blank: the data hold only part of "
        f"{compared.earlier_period} ({compared.previous.period_text}), and a ward's change "
        "needs the whole of it."
    )


def change_note(compared: filters.Comparison) -> str:
    """What a ward's change (%) is of, where the period and the one before differ in length by
    more than 1% ('' where they do not): offences per day, as the Overview's and Trends'
    changes are (a ward's change, January to June 2019 against July to December 2018, read
    -33.3% of offences where the Overview's change of the same counts was per day: helper 59)."""
    if not compared.per_day or compared.previous is None:
        return ""
    days, days_before = compared.days()
    return (
        f"A ward's change (%) is of offences per day: the period's {days} days against the "
        f"{days_before} of {compared.previous.period_text}."
    )


@dataclass(frozen=True)
class EmergingPanel:
    table: pl.DataFrame
    figure: go.Figure
    periods: list[date]  # the first month of each quarter analysed
    withheld: bool = False  # publication mode: a ward's count withheld, and so the categories
    span_note: str = ""  # publication mode: why the offences over the quarters are left out
    # wards with no population recorded (each takes every quarter's mean rate): no count of
    # offences or people, so publication mode neither withholds nor rounds it
    no_population: int = field(default=0, metadata=NOT_A_COUNT)

    def note(self) -> str:
        """How the emerging hotspots were found, with the quarters analysed."""
        return (
            f"Space-time Gi* over {self.describe()}: each ward with its neighbours in the same "
            "quarter and the quarter before, on rates relative to each quarter's mean (a rise "
            "across the force does not make every ward hot); hot or cold where the false "
            "discovery rate over that quarter's wards stays under 5%. The quarters run back "
            "from the filter's last month to the start of the data, whatever its first month. "
            "Each ward's z-scores get a Mann-Kendall trend test, and the categories are ArcGIS "
            "Pro's Emerging Hot Spot Analysis ones (persistent, historical and the like need 90% "
            "of quarters)."
        )

    @property
    def notes(self) -> list[str]:
        """The captions under the map: how it was found, and (publication mode) what is left
        out."""
        unknown = (
            f"{plural(self.no_population, 'ward has', 'wards have')} no population recorded: "
            "each takes every quarter's mean rate (neutral), so its category says nothing of "
            "its own offences."
            if self.no_population
            else ""
        )
        meanings = (
            hotspots.category_meanings(self.table[EMERGING].unique().to_list())
            if EMERGING in self.table.columns
            else ""
        )
        return [note for note in (meanings, self.note(), unknown, self.span_note) if note]

    def describe(self) -> str:
        """The quarters analysed in words, e.g. '16 quarters, Apr 2018 to Mar 2022'."""
        last = add_months(self.periods[-1], PERIOD_MONTHS - 1)
        return f"{len(self.periods)} quarters, {self.periods[0]:%b %Y} to {last:%b %Y}"


EMERGING_WITHHELD = (
    "Publication mode leaves the emerging hot and cold spots out while a ward's count over "
    "the quarters is withheld: each quarter's Gi* z-scores weigh the rates of the wards around "
    "each ward, so the categories of the others could narrow a withheld count."
)
EMERGING_SPAN_WITHHELD = (
    "Publication mode leaves out each ward's offences over the quarters: the quarters run "
    "from the start of the data to the filter's last month, so the counts to one month less "
    "those to a month before it would give the wards' counts in between, withheld on the map."
)
MIN_QUARTERS = 3  # a trend and a run of hot or cold quarters need at least this many


def emerging_quarters(first_month: date, end_month: date) -> int:
    """The whole quarters of data that end with `end_month` (the data start `first_month`)."""
    return len(months_between(first_month, end_month)) // PERIOD_MONTHS


def emerging_span(flt: ProfileFilter, first_month: date) -> ProfileFilter:
    """The filter over the emerging hotspots' quarters: the whole quarters of data that end
    with its end month."""
    quarters = emerging_quarters(first_month, flt.end_month)
    return flt.with_period(
        add_months(flt.end_month, -(quarters * PERIOD_MONTHS - 1)), flt.end_month
    )


def protect_emerging_ahead(gateway: Gateway, flt: ProfileFilter, first_month: date) -> None:
    """In publication mode, work out what the emerging hotspots protect for the filter (its
    quarters' wards beside their span's pages), so that opening the tab finds it done: it
    took 9-14 s on the demo at every first opening of a filter (helper 84), the quarters'
    span being a period no other page protects."""
    if emerging_unavailable(first_month, flt.end_month):
        return
    exact = exact_for_protection(gateway)
    span = emerging_span(flt, first_month)
    wards = ward_list(exact, flt.districts)
    if not wards.is_empty() and not _a_ward_withheld_before_protection(exact, span, wards):
        _protected_wards(exact, span, wards)


def emerging_unavailable(first_month: date, end_month: date) -> str | None:
    """Why emerging hotspots cannot be found for a period ending `end_month` (None: they can):
    too few quarters of data before it. They were, reading the quarters before the data
    started as quarters with no offence (to September 2018, January to March 2018 with none
    made every ward with an offence a rising 'new hot spot')."""
    quarters = emerging_quarters(first_month, end_month)
    if quarters >= MIN_QUARTERS:
        return None
    return (
        f"Emerging hotspots need at least {MIN_QUARTERS} quarters of data up to the period's last "
        f"month: the data start in {first_month:%B %Y}, so there "
        f"{'is' if quarters == 1 else 'are'} {plural(quarters, 'quarter')} to {end_month:%B %Y}. "
        "Choose a period "
        f"ending in {add_months(first_month, MIN_QUARTERS * PERIOD_MONTHS - 1):%B %Y} or later."
    )


EMERGING = "emerging_category"  # the emerging hotspots table's category column
EMERGING_GI = (EMERGING, "periods_hot", "periods_cold", "trend_tau", "trend_p")


@rounded_last
def emerging_panel(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, first_month: date
) -> EmergingPanel:
    """Emerging hotspots (see `_emerging_panel`). In publication mode the wards' offences over
    the quarters are protected as the Hotspot maps page protects a period's wards, beside the
    pages for the quarters' span (they add up, with the offences of no known ward, to the
    span's offences, which the Overview shows for that period: Leeds DA, April 2018 to March
    2020, 633 less the wards shown and the 13 of no ward gave Harewood's withheld 1); while
    any is withheld, the categories are withheld too (EMERGING_WITHHELD), as the Gi* hot and
    cold spots are. The counts themselves are not shown (EMERGING_SPAN_WITHHELD): the span
    starts where the data do, so two filters' spans differ by the months between their ends
    (Calderdale, to September 2021 less to June 2021: Calder 18 - 17, the 1 the map for July
    to September withholds)."""
    panel = _emerging_panel(gateway, flt, geometry, first_month)
    span = flt.with_period(panel.periods[0], flt.end_month)
    if not gateway.publication:
        return panel
    # a small count is withheld by any protection: the quarters' span (from the start of the
    # data) has pages a commissioner's office waits up to 20 s to protect (Calderdale to
    # September 2021), and the answer is known without them
    withheld = _a_ward_withheld_before_protection(gateway, span, geometry.wards)
    if not withheld:
        protected = _protected_wards(gateway, span, geometry.wards)
        if protected is None:
            return panel
        withheld = _ward_counts(protected, panel.table["ward_code"]).null_count() > 0
    table = panel.table.with_columns(pl.lit(None, dtype=pl.Int64).alias("offences_in_span"))
    if withheld:
        table = table.with_columns(
            pl.lit(None, dtype=table.schema[c]).alias(c) for c in EMERGING_GI
        )
    title = _emerging_title(len(panel.periods), span)
    figure = maps.emerging_figure(
        geometry, table.rename({EMERGING: "category"}), title, counted=False
    )
    return replace(
        panel, table=table, figure=figure, withheld=withheld, span_note=EMERGING_SPAN_WITHHELD
    )


def _totals(unknown: int | None, offences: int | None) -> pl.DataFrame:
    """The offences of no known ward and all the period's offences, as protection reads them."""
    return pl.DataFrame(
        {"unknown": [unknown], "offences": [offences]},
        schema={"unknown": pl.Int64, "offences": pl.Int64},
    )


def _emerging_title(quarters: int, span: ProfileFilter) -> str:
    """The map's title, its subtitle the quarters' span (the filter's own period had read
    "Feb 2021 to Jan 2022" under a title of 15 quarters from May 2018: helper 86)."""
    return charts.subtitled(
        f"Emerging hotspots over {quarters} quarters to {span.end_month:%b %Y}", span.describe()
    )


@publishable
def _emerging_panel(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, first_month: date
) -> EmergingPanel:
    """Emerging hotspots: Gi* on ward rates per quarter from the start of the data to the
    filter's end month, each ward classed by its run of hot / cold quarters and the
    Mann-Kendall trend of its z-scores. Refused with too few quarters (emerging_unavailable)."""
    too_soon = emerging_unavailable(first_month, flt.end_month)
    if too_soon:
        raise ValueError(too_soon)
    quarters = emerging_quarters(first_month, flt.end_month)
    span = emerging_span(flt, first_month)
    start = span.start_month
    counts = apply_domestic(queries.ward_counts(gateway, span), flt.domestic)
    period_starts = [add_months(start, i * PERIOD_MONTHS) for i in range(quarters)]
    rates, totals = hotspots.period_rates(counts, geometry.wards, start, quarters, PERIOD_MONTHS)
    categories, _ = hotspots.emerging_hotspots(rates, geometry.weights)
    table = (
        pl.concat([geometry.wards, categories], how="horizontal")
        .join(totals, on="ward_code", how="left", maintain_order="left")
        .with_columns(pl.col("offences_in_span").fill_null(0))  # none in the span: 0
        .with_columns(
            pl.col("offences_in_span").alias("offences"),
            pl.lit(None, dtype=pl.Float64).alias("rate"),
        )
    )
    figure = maps.emerging_figure(geometry, table, _emerging_title(quarters, span))
    shown = table.select(
        "ward_name",
        "ward_code",
        "district_code",
        "category",
        "periods_hot",
        "periods_cold",
        pl.col("trend_tau").round(2),
        pl.col("trend_p").round(4),
        "offences_in_span",
    ).sort(
        pl.col("category").replace_strict({c: i for i, c in enumerate(hotspots.EMERGING_ORDER)}),
        "ward_name",
        "ward_code",  # two districts can each have a ward of the same name
    )
    # named apart from a DA category ("category" is headed "DA / non-DA" in every table)
    no_population = geometry.wards.filter(pl.col("population").fill_null(0) <= 0).height
    return EmergingPanel(
        shown.rename({"category": EMERGING}), figure, period_starts, no_population=no_population
    )


@dataclass(frozen=True)
class Comparison:
    title: str
    statistics: dict[str, object]
    left: go.Figure
    right: go.Figure


def _layer(gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry) -> pl.DataFrame:
    counts = apply_domestic(queries.ward_totals(gateway, flt), flt.domestic)
    return ward_offences(counts, geometry.wards)


# Each comparison map colours a ward by its rate per 1,000, and the ward table gives its
# residents: rate x residents gives back every ward's count, however small, for four layers.
CORRESPONDENCE_WITHHELD = (
    "Publication mode leaves the comparison maps out: each colours a ward by its rate, and a "
    "rate with the ward's residents gives back its count, however small."
)


def _of_choice(flt: ProfileFilter, offences: str) -> str:
    """'Stalking', or under a DA choice 'DA stalking' or 'Non-DA stalking': the filter's DA
    choice named (under DA the hotspots compared were titled "Stalking and Harassment",
    helper 71)."""
    if flt.domestic == "all":
        return offences.capitalize()
    return f"{DOMESTIC_CHOICES[flt.domestic]} {offences}"


@publishable
def correspondence_panel(
    gateway: Gateway, flt: ProfileFilter, geometry: WardGeometry, layer_name: str | None = None
) -> list[Comparison]:
    """Do stalking hotspots line up with harassment hotspots, DA with non-DA stalking hotspots,
    and stalking with the chosen comparison layer (`layer_name`)? Lee's L of each layer's excess
    over what population predicts, with permutation inference (hotspots.correspondence), and
    two maps side by side. None in publication mode (CORRESPONDENCE_WITHHELD)."""
    if gateway.publication:
        return []
    stalking = replace(flt, offence_types=("stalking",))
    pairs = [
        (
            _of_choice(flt, "stalking"),
            _layer(gateway, stalking, geometry),
            _of_choice(flt, "harassment"),
            _layer(gateway, replace(flt, offence_types=("harassment",)), geometry),
        ),
        (
            "DA stalking",
            _layer(gateway, replace(stalking, domestic="domestic"), geometry),
            "Non-DA stalking",
            _layer(gateway, replace(stalking, domestic="non_domestic"), geometry),
        ),
    ]
    layers = queries.comparison_layers(gateway)
    chosen = layers.clear() if layer_name is None else layers.filter(pl.col("layer") == layer_name)
    for layer in chosen.head(1).iter_rows(named=True):
        counts = queries.comparison_counts(
            gateway, layer["layer"], layer["period_start"]
        ).with_columns(pl.col("offences").cast(pl.Int64))
        other = (
            geometry.wards.join(counts, on="ward_code", how="left", maintain_order="left")
            .with_columns(pl.col("offences").fill_null(0))
            .with_columns(
                hotspots.rate_per_1000(pl.col("offences"), pl.col("population")).alias("rate")
            )
        )
        label = f"{layer['layer']} ({layer['period_start']:%b %Y} to {layer['period_end']:%b %Y})"
        # each side's period said: the layer's is its own, not the filter's (helper 53)
        mine = f"{_of_choice(flt, 'stalking')} ({stalking.period_text})"
        pairs.append((mine, _layer(gateway, stalking, geometry), label, other))
    comparisons = []
    for first_label, first, second_label, second in pairs:
        statistics = hotspots.correspondence(
            first, second, first_label, second_label, geometry.weights
        )
        comparisons.append(
            Comparison(
                f"{first_label} and {second_label}",
                statistics,
                maps.choropleth_figure(
                    geometry, first, "rate", f"{first_label}: per 1,000 residents", "per 1,000"
                ),
                maps.choropleth_figure(
                    geometry, second, "rate", f"{second_label}: per 1,000 residents", "per 1,000"
                ),
            )
        )
    return comparisons
