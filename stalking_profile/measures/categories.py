"""Category helpers shared by the measures: DA / non-DA labels and "all" / force roll-ups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

FORCE = "Force"
SELECTION = "Selected districts"
Areas = Mapping[str, Sequence[str]]
CATEGORIES: tuple[str, ...] = ("all", "domestic", "non_domestic")


def with_category(counts: pl.DataFrame) -> pl.DataFrame:
    """Add `category` ("domestic" or "non_domestic") from `is_domestic`."""
    return counts.with_columns(
        pl.when(pl.col("is_domestic"))
        .then(pl.lit("domestic"))
        .otherwise(pl.lit("non_domestic"))
        .alias("category")
    )


def roll_up_areas(selected: Sequence[str], all_districts: Sequence[str]) -> dict[str, tuple]:
    """The areas a district table adds after its district columns, each named for what it
    holds: "Selected districts" (only when two or more, but not all, are chosen) and "Force"
    (every district, whatever is chosen, so a district can be compared with its force).

    >>> roll_up_areas(["CD"], ["BD", "CD", "KD"])
    {'Force': ('BD', 'CD', 'KD')}
    >>> list(roll_up_areas(["BD", "CD"], ["BD", "CD", "KD"]))
    ['Selected districts', 'Force']
    """
    areas: dict[str, tuple] = {}
    if 1 < len(selected) < len(set(all_districts)):
        areas[SELECTION] = tuple(selected)
    areas[FORCE] = tuple(all_districts)
    return areas


def selection_name(selected: Sequence[str], all_districts: Sequence[str]) -> str:
    """The column or row of a district table that holds exactly the selection: the district
    itself when one is chosen, "Force" when all are, "Selected districts" otherwise.

    >>> selection_name(["CD"], ["BD", "CD"]), selection_name(["BD", "CD"], ["BD", "CD"])
    ('CD', 'Force')
    """
    if len(selected) == 1:
        return selected[0]
    return FORCE if set(selected) >= set(all_districts) else SELECTION


def name_selection_rows(frame: pl.DataFrame, selection: str) -> pl.DataFrame:
    """A district table whose rows "All" hold the filter's districts (the civil orders'
    take-up, the victim contact by district) with those rows named as the other pages name
    them (`selection`: selection_name): "Force" when every district is chosen, "Selected
    districts" when some are; with one district chosen they repeat its own rows, and are
    left out.

    >>> frame = pl.DataFrame({"district_code": ["CD", "All"], "offences": [9, 9]})
    >>> name_selection_rows(frame, "CD")["district_code"].to_list()
    ['CD']
    >>> name_selection_rows(frame, "Force")["district_code"].to_list()
    ['CD', 'Force']
    """
    district = pl.col("district_code")
    if selection not in (FORCE, SELECTION):
        return frame.filter(district != "All")
    return frame.with_columns(district.replace({"All": selection}))


def beside_force(frame: pl.DataFrame, force: pl.DataFrame, selection: str) -> pl.DataFrame:
    """A district table whose rows "All" hold the filter's districts (name_selection_rows),
    with the rows "All" of the same table for every district (`force`) added as rows "Force",
    as the other pages compare a district with its force; unchanged when every district is
    chosen (its rows "All" are the force).

    >>> frame = pl.DataFrame({"district_code": ["CD", "All"], "offences": [9, 9]})
    >>> force = pl.DataFrame({"district_code": ["BD", "CD", "All"], "offences": [4, 9, 13]})
    >>> beside_force(frame, force, "CD").rows()
    [('CD', 9), ('All', 9), ('Force', 13)]
    """
    if selection == FORCE:
        return frame
    rows = force.filter(pl.col("district_code") == "All").with_columns(district_code=pl.lit(FORCE))
    return pl.concat([frame, rows.select(frame.columns)], how="vertical_relaxed")


def with_roll_ups(counts: pl.DataFrame, areas: Areas | None = None) -> pl.DataFrame:
    """The rows of `counts` (with `category`) once as they are, once more as category "all",
    and all of that again under each of `areas` (name: the districts it covers) as its
    district_code, so that one group-by gives districts, areas, each category and both."""
    both = pl.concat([counts, counts.with_columns(category=pl.lit("all"))])
    if not areas:
        return both
    rolled = [
        both.filter(pl.col("district_code").is_in(list(codes))).with_columns(
            district_code=pl.lit(name)
        )
        for name, codes in areas.items()
    ]
    return pl.concat([both, *rolled])


def grid(**dimensions: list) -> pl.DataFrame:
    """Every combination of the given dimension values (so empty cells show as 0)."""
    frames = [pl.DataFrame({name: values}) for name, values in dimensions.items()]
    result = frames[0]
    for frame in frames[1:]:
        result = result.join(frame, how="cross")
    return result


def offences_where(condition: pl.Expr) -> pl.Expr:
    """The sum of `offences` over the rows meeting `condition` (0 if none), as an aggregation.
    A masked sum: several in one group-by cost a fifth of filtering each group for each."""
    return pl.when(condition).then(pl.col("offences")).otherwise(0).sum()
