"""Category helpers shared by the measures: DA / non-DA labels and "all" / force roll-ups."""

from __future__ import annotations

import polars as pl

FORCE = "Force"
CATEGORIES: tuple[str, ...] = ("all", "domestic", "non_domestic")
CATEGORY_LABELS: dict[str, str] = {
    "all": "All",
    "domestic": "Domestic",
    "non_domestic": "Non-domestic",
}


def with_category(counts: pl.DataFrame) -> pl.DataFrame:
    """Add `category` ("domestic" or "non_domestic") from `is_domestic`."""
    return counts.with_columns(
        pl.when(pl.col("is_domestic"))
        .then(pl.lit("domestic"))
        .otherwise(pl.lit("non_domestic"))
        .alias("category")
    )


def with_roll_ups(counts: pl.DataFrame, force: bool = True) -> pl.DataFrame:
    """The rows of `counts` (with `category`) once as they are, once more as category "all",
    and - if `force` - all of that again as district "Force", so that one group-by gives
    districts, the force, each category and both categories together."""
    both = pl.concat([counts, counts.with_columns(category=pl.lit("all"))])
    if not force:
        return both
    return pl.concat([both, both.with_columns(district_code=pl.lit(FORCE))])


def grid(**dimensions: list) -> pl.DataFrame:
    """Every combination of the given dimension values (so empty cells show as 0)."""
    frames = [pl.DataFrame({name: values}) for name, values in dimensions.items()]
    result = frames[0]
    for frame in frames[1:]:
        result = result.join(frame, how="cross")
    return result
