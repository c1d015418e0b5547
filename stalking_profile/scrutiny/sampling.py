"""Reproducible stratified dip samples: the same offences, seed and size always give the same
sample, so anyone can re-draw it and check."""

from __future__ import annotations

import numpy as np
import polars as pl

STRATA = ("district_code", "is_domestic")


def draw_sample(population: pl.DataFrame, per_stratum: int, seed: int) -> pl.DataFrame:
    """`per_stratum` offences drawn at random without replacement from each district x DA
    stratum of `population` (all of a stratum when it holds fewer), with NumPy's PCG64 seeded
    by `seed`. Strata are taken in sorted order and offences sorted by crime reference first,
    so the draw depends only on the population, the size and the seed.

    Returns crime_ref, district_code, is_domestic and position (1, 2, ... in drawing order).
    """
    if per_stratum < 1:
        raise ValueError("a dip sample needs at least one case per district and DA group")
    ordered = (
        population.select("crime_ref", *STRATA).unique("crime_ref").sort([*STRATA, "crime_ref"])
    )
    rng = np.random.default_rng(seed)
    parts = []
    for _, stratum in ordered.group_by(STRATA, maintain_order=True):
        take = min(per_stratum, stratum.height)
        chosen = np.sort(rng.choice(stratum.height, size=take, replace=False))
        parts.append(stratum[chosen.tolist()])
    if not parts:
        return ordered.with_columns(pl.lit(0).alias("position")).clear()
    sample = pl.concat(parts)
    return sample.with_columns(pl.int_range(1, sample.height + 1).alias("position"))
