"""Synthetic national-scale data for the benchmark: N offences over ten years, 50 districts and
about 7,000 wards (a grid), with outcome histories. Written as Parquet so that both engines
start from the same files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from stalking_profile import contract

DISTRICTS = 50
GRID = 84  # 84 x 84 = 7,056 wards
MONTHS = 120
FIRST_MONTH = date(2012, 4, 1)
EXTRACT_DATE = date(2022, 3, 31)
OUTCOME_KEYS = [
    "16",
    "15-police",
    "18",
    "1-charged",
    "14",
    "8",
    "3-caution",
    "10",
    "1A-charged",
    "22",
    "5",
    "21",
]
OUTCOME_WEIGHTS = np.array([44, 20, 12, 5, 5, 4, 3, 2, 2, 1, 1, 1], dtype=float)


def ward_table() -> pl.DataFrame:
    """Square grid wards (1 km cells) with GeoJSON geometry and populations."""
    rows, cols = np.divmod(np.arange(GRID * GRID), GRID)
    lon0, lat0, step = -2.5, 53.0, 0.015
    west, south = lon0 + cols * step, lat0 + rows * step
    points = [("w", "s"), ("e", "s"), ("e", "n"), ("w", "n"), ("w", "s")]
    parts: list[pl.Expr] = [pl.lit('{"type":"Polygon","coordinates":[[')]
    for index, (x, y) in enumerate(points):
        parts += [
            pl.lit("," if index else "") + pl.lit("["),
            pl.col(x).cast(pl.String),
            pl.lit(","),
            pl.col(y).cast(pl.String),
            pl.lit("]"),
        ]
    parts.append(pl.lit("]]}"))
    corners = pl.DataFrame({"w": west, "s": south, "e": west + step, "n": south + step}).select(
        pl.concat_str(parts).alias("geometry")
    )
    geometry = corners["geometry"]
    district = (rows // (GRID // 5)).clip(0, 4) * 10 + (cols // (GRID // 10)).clip(0, 9)
    return pl.DataFrame(
        {
            "ward_code": [f"W{i:05d}" for i in range(GRID * GRID)],
            "ward_name": [f"Ward {i}" for i in range(GRID * GRID)],
            "district_code": [f"D{d:02d}" for d in district],
            "population": np.random.default_rng(1)
            .integers(4_000, 16_000, GRID * GRID)
            .astype(np.int32),
            "geometry": geometry,
        }
    )


def generate(n: int, folder: Path, seed: int = 7) -> None:
    """Write offence.parquet, outcome.parquet, ward.parquet and district.parquet to `folder`."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    wards = ward_table()
    ward_index = rng.integers(0, wards.height, n)
    month = rng.integers(0, MONTHS, n)
    day = rng.integers(0, 28, n)
    recorded = (np.datetime64(FIRST_MONTH, "M") + month).astype("datetime64[D]") + day
    kind = np.where(rng.random(n) < 0.3, "stalking", "harassment")
    offence = (
        pl.DataFrame(
            {
                "crime_ref": pl.Series(np.arange(n)).cast(pl.String).str.zfill(9),
                "recorded_date": recorded,
                "committed_date": recorded - rng.integers(0, 30, n).astype("timedelta64[D]"),
                "offence_type": kind,
                "ho_offence_code": np.where(kind == "stalking", "8Q", "8L"),
                "district_code": wards["district_code"].to_numpy()[ward_index],
                "ward_code": wards["ward_code"].to_numpy()[ward_index],
                "is_domestic": rng.random(n) < 0.6,
                "is_cyber": rng.random(n) < 0.12,
                "dash_completed": rng.random(n) < 0.7,
                "sash_completed": rng.random(n) < 0.3,
                "arrest_made": rng.random(n) < 0.18,
                "victim_age": rng.integers(12, 85, n).astype(np.int32),
                "suspect_age": rng.integers(14, 80, n).astype(np.int32),
            }
        )
        .with_columns(
            pl.when(pl.col("dash_completed"))
            .then(pl.Series(rng.choice(["standard", "medium", "high"], n, p=[0.55, 0.33, 0.12])))
            .otherwise(None)
            .alias("dash_risk"),
            pl.lit(None, dtype=pl.Boolean).alias("stalking_screen_negative"),
            *[
                pl.lit(None, dtype=pl.String).alias(c)
                for c in (
                    "victim_id",
                    "suspect_id",
                    "victim_sex",
                    "victim_ethnicity",
                    "suspect_sex",
                    "suspect_ethnicity",
                )
            ],
        )
        .select(contract.OFFENCE.column_names)
    )
    closed = rng.random(n) < 0.85
    rows = np.flatnonzero(closed)
    keys = rng.choice(OUTCOME_KEYS, rows.size, p=OUTCOME_WEIGHTS / OUTCOME_WEIGHTS.sum())
    days = np.minimum(
        rng.gamma(1.5, 40, rows.size).astype(int),
        (np.datetime64(EXTRACT_DATE) - recorded[rows]).astype(int),
    )
    final = pl.DataFrame(
        {
            "crime_ref": offence["crime_ref"].gather(rows),
            "outcome_key": keys,
            "outcome_date": recorded[rows] + days.astype("timedelta64[D]"),
        }
    )
    earlier_rows = rows[rng.random(rows.size) < 0.1]
    earlier = pl.DataFrame(
        {
            "crime_ref": offence["crime_ref"].gather(earlier_rows),
            "outcome_key": "18",
            "outcome_date": recorded[earlier_rows],
        }
    )
    outcome = pl.concat([earlier, final]).unique(["crime_ref", "outcome_date", "outcome_key"])
    offence.write_parquet(folder / "offence.parquet")
    outcome.write_parquet(folder / "outcome.parquet")
    wards.write_parquet(folder / "ward.parquet")
    pl.DataFrame(
        {
            "district_code": sorted(wards["district_code"].unique().to_list()),
            "district_name": [
                f"District {d}" for d in sorted(wards["district_code"].unique().to_list())
            ],
            "force_name": "Benchmark force",
        }
    ).write_parquet(folder / "district.parquet")
