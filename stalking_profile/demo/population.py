"""The demonstration force's resident population by sex and age band (synthetic).

Each district's real total (ONS mid-2019, summed from LSOAs: see data/README.md) is split by
an illustrative age and sex structure, roughly that of an English metropolitan district. The
split is NOT an ONS estimate: it exists so the demo can show rates per 1,000 by age and sex,
and the page names it as synthetic. A force imports the ONS mid-year estimates instead.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from stalking_profile.contract import AGE_BANDS, POPULATION_SEXES

# share of residents in each band, and the female share within it (illustrative)
BAND_SHARES = (0.22, 0.09, 0.14, 0.13, 0.13, 0.12, 0.17)
FEMALE_SHARES = (0.49, 0.50, 0.50, 0.51, 0.51, 0.51, 0.55)
SOURCE = "synthetic: district totals (ONS mid-2019) split by an illustrative age and sex structure"


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to `shares` that add up to `total` exactly."""
    raw = total * shares / shares.sum()
    whole = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - whole), kind="stable")
    whole[order[: total - int(whole.sum())]] += 1
    return whole


def population(districts: pl.DataFrame) -> pl.DataFrame:
    """Residents by district, sex and age band, adding up to each district's population."""
    cells = np.array(
        [
            share * (female if sex == "female" else 1 - female)
            for share, female in zip(BAND_SHARES, FEMALE_SHARES, strict=True)
            for sex in POPULATION_SEXES
        ]
    )
    rows = []
    for code, total in districts.select("district_code", "population").iter_rows():
        counts = _largest_remainder(int(total), cells)
        keys = [(band, sex) for band in AGE_BANDS for sex in POPULATION_SEXES]
        rows += [
            (code, sex, band, int(n), 2019, SOURCE)
            for (band, sex), n in zip(keys, counts, strict=True)
        ]
    schema = {
        "district_code": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "population": pl.Int32,
        "year": pl.Int32,
        "source": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")
