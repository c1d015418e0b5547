"""police.uk street-level crime CSVs as a context layer.

Every force publishes these monthly. Points are placed in wards by point-in-polygon; a row
without coordinates is placed by its LSOA through an optional LSOA-to-ward lookup. The
'Last outcome category' text is mapped to the nearest Home Office outcome group - approximately:
police.uk has no official mapping (see reference/police_uk_outcome_categories.csv). Each crime
type becomes a comparison layer of ward counts for the hotspot correspondence.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from io import StringIO
from pathlib import Path
from typing import cast

import geopandas as gpd
import polars as pl

from stalking_profile import contract
from stalking_profile.db import Gateway
from stalking_profile.filters import add_months
from stalking_profile.geography import ward_geodataframe
from stalking_profile.importing.readers import ReadError, read_table

COLUMNS = (
    "Crime ID",
    "Month",
    "Longitude",
    "Latitude",
    "LSOA code",
    "Crime type",
    "Last outcome category",
)
MONTH_NAMES = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


@dataclass(frozen=True)
class ContextReport:
    files: tuple[str, ...]
    rows_read: int
    placed_by_point: int
    placed_by_lsoa: int
    unplaced: int
    months: tuple[date, date]
    layers: pl.DataFrame  # crime_type, offences, wards
    outcomes: pl.DataFrame  # last_outcome_category, outcome_group, mapping_confidence, rows
    refused: pl.DataFrame  # source_file, row_number, reason, raw_row: rows not read

    def text(self) -> str:
        lines = [
            f"{', '.join(self.files)}: {self.rows_read:,} rows ({self.months[0]:%b %Y} to {self.months[1]:%b %Y}); "
            f"{self.placed_by_point:,} placed in a ward by their point, {self.placed_by_lsoa:,} by their LSOA, "
            f"{self.unplaced:,} not placed (no coordinates, or outside the loaded wards). "
            f"{self.layers.height} crime types stored as comparison layers; outcome groups are approximate."
        ]
        if self.refused.height:
            lines.append(f"{self.refused.height:,} rows refused, not stored:")
            lines.extend(
                f"  {row['source_file']} row {row['row_number']}: {row['reason']}"
                for row in self.refused.head(20).iter_rows(named=True)
            )
            if self.refused.height > 20:
                lines.append(f"  ... and {self.refused.height - 20:,} more")
        return "\n".join(lines)


def parse_month(text: pl.Expr) -> pl.Expr:
    """'2022-01', or 'Feb-25' as a spreadsheet leaves it, to the first day of the month."""
    iso = text.str.to_date("%Y-%m", strict=False)
    parts = text.str.to_lowercase().str.extract_groups(r"^([a-z]{3})[-\s](\d{2,4})$")
    month = parts.struct.field("1").replace_strict(MONTH_NAMES, default=None, return_dtype=pl.Int32)
    year = parts.struct.field("2").cast(pl.Int32, strict=False)
    year = pl.when(year < 100).then(year + 2000).otherwise(year)
    return pl.coalesce(iso, pl.date(year, month, 1))


def outcome_groups() -> pl.DataFrame:
    """police.uk outcome descriptions with the nearest Home Office group and its confidence."""
    text = (
        resources.files("stalking_profile")
        .joinpath("reference/police_uk_outcome_categories.csv")
        .read_text(encoding="utf-8")
    )
    return pl.read_csv(StringIO(text)).select(
        "last_outcome_category",
        pl.col("nearest_ho_outcome_group").alias("outcome_group"),
        "mapping_confidence",
    )


def _read(paths: list[Path]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The files' rows, and the rows that could not be read (a row of more or fewer fields
    than the header), each with its file and row number."""
    frames, refused = [], []
    for path in paths:
        raw = read_table(path)
        missing = [c for c in COLUMNS if c not in raw.frame.columns]
        if missing:
            raise ReadError(f"{path.name} is not a police.uk street-level CSV: missing {missing}")
        frames.append(
            raw.frame.select(*COLUMNS, "__row_number").with_columns(
                pl.lit(path.name).alias("source_file")
            )
        )
        refused.append(
            raw.ragged.select(
                pl.lit(path.name).alias("source_file"), "row_number", "reason", "raw_row"
            )
        )
    return pl.concat(frames), pl.concat(refused)


FIRST_MONTH = date(2010, 12, 1)  # police.uk's street-level data begin in December 2010


def _typed(raw: pl.DataFrame) -> pl.DataFrame:
    """The police.uk columns the context layer uses, typed; a Month that cannot be read is an
    error for the whole import."""
    frame = raw.with_columns(
        parse_month(pl.col("Month")).alias("month"),
        pl.col("Longitude").cast(pl.Float64, strict=False).alias("lon"),
        pl.col("Latitude").cast(pl.Float64, strict=False).alias("lat"),
        pl.col("LSOA code").replace("", None).alias("lsoa_code"),
        pl.col("Last outcome category").replace("", None).alias("last_outcome_category"),
    )
    if frame["month"].null_count():
        bad = (
            frame.filter(pl.col("month").is_null())["Month"]
            .unique(maintain_order=True)
            .head(3)
            .to_list()
        )
        raise ReadError(f"unreadable Month values {bad} (expected 2022-01 or Feb-25)")
    latest = date.today().replace(day=1)
    outside = frame.filter(~pl.col("month").is_between(FIRST_MONTH, latest))
    if outside.height:
        bad = outside["Month"].unique(maintain_order=True).head(3).to_list()
        raise ReadError(
            f"Month values {bad} are outside police.uk's months (December 2010 to this month)"
        )
    return frame


def _place_points(frame: pl.DataFrame, wards: gpd.GeoDataFrame) -> pl.DataFrame:
    """The ward each row's point falls in (rows with coordinates inside a loaded ward)."""
    points = frame.filter(pl.col("lon").is_not_null() & pl.col("lat").is_not_null()).select(
        "__row_number", "source_file", "lon", "lat"
    )
    placed = pl.DataFrame(
        schema={"__row_number": pl.Int64, "source_file": pl.String, "ward_code": pl.String}
    )
    if points.height and not wards.empty:
        geo = gpd.GeoDataFrame(
            points.select("__row_number", "source_file").to_pandas(),
            geometry=gpd.points_from_xy(points["lon"].to_numpy(), points["lat"].to_numpy()),
            crs=4326,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            joined = gpd.sjoin(
                geo, wards[["ward_code", "geometry"]], predicate="within", how="inner"
            )
        # a point in two overlapping wards goes to the lower ward code, the same every time
        placed = (
            pl.from_pandas(joined[["__row_number", "source_file", "ward_code"]])
            .sort("__row_number", "source_file", "ward_code")
            .unique(["__row_number", "source_file"], keep="first", maintain_order=True)
        )
    return frame.join(placed, on=["__row_number", "source_file"], how="left")


def _place_by_lsoa(frame: pl.DataFrame, lsoa_lookup: Path) -> pl.DataFrame:
    """Rows not placed by a point, placed by their LSOA (lookup: LSOA code, ward code)."""
    lookup = read_table(lsoa_lookup).frame.select(pl.all().exclude("__row_number"))
    lookup = lookup.select(
        pl.col(lookup.columns[0]).alias("lsoa_code"),
        pl.col(lookup.columns[1]).alias("lsoa_ward"),
    )
    return frame.join(lookup, on="lsoa_code", how="left").with_columns(
        pl.coalesce("ward_code", "lsoa_ward").alias("ward_code")
    )


def _context_crimes(mapped: pl.DataFrame) -> pl.DataFrame:
    """One row per crime, keyed by Crime ID (file and row where police.uk gives none)."""
    fallback = pl.concat_str(
        [pl.col("source_file"), pl.lit("#"), pl.col("__row_number").cast(pl.String)]
    )
    return mapped.select(
        pl.when(pl.col("Crime ID").str.strip_chars() == "")
        .then(fallback)
        .otherwise(pl.col("Crime ID"))
        .alias("context_id"),
        "month",
        pl.col("Crime type").alias("crime_type"),
        "ward_code",
        "lsoa_code",
        "last_outcome_category",
        "outcome_group",
        "source_file",
    ).unique("context_id", keep="first")


def _layers(context: pl.DataFrame, first: date, last: date, files: list[Path]) -> pl.DataFrame:
    """One comparison layer per crime type: placed crimes per ward over the files' months."""
    return (
        context.filter(pl.col("ward_code").is_not_null())
        .group_by("crime_type", "ward_code")
        .agg(pl.len().cast(pl.Int32).alias("offences"))
        .select(
            pl.concat_str([pl.lit("police.uk: "), pl.col("crime_type")]).alias("layer"),
            "ward_code",
            pl.lit(first).alias("period_start"),
            pl.lit(add_months(last, 1) - timedelta(days=1)).alias("period_end"),
            "offences",
            pl.lit(
                "police.uk street-level crime (OGL v3): " + ", ".join(p.name for p in files)
            ).alias("source"),
        )
    )


def import_police_uk(
    gateway: Gateway, paths: Sequence[Path | str], lsoa_lookup: Path | None = None
) -> ContextReport:
    """Load police.uk files as context crimes and per-crime-type ward comparison layers.

    Re-importing the same rows changes nothing (crimes are keyed by Crime ID, or by file name and row
    number where police.uk gives none, as for anti-social behaviour).
    """
    files = [Path(p) for p in paths]
    rows, refused = _read(files)
    frame = _place_points(_typed(rows), ward_geodataframe(gateway))
    by_point = int(frame["ward_code"].is_not_null().sum())
    if lsoa_lookup is not None:
        frame = _place_by_lsoa(frame, lsoa_lookup)
    by_lsoa = int(frame["ward_code"].is_not_null().sum()) - by_point
    mapped = frame.join(outcome_groups(), on="last_outcome_category", how="left")
    context = _context_crimes(mapped)
    first, last = cast(date, frame["month"].min()), cast(date, frame["month"].max())
    layers = _layers(context, first, last, files)
    with gateway.transaction():
        gateway.write(
            "insert_context_crimes",
            incoming_context=context.select(contract.CONTEXT_CRIME.column_names),
        )
        if layers.height:
            gateway.write(
                "upsert_comparison",
                incoming_comparison=layers.select(contract.COMPARISON_COUNT.column_names),
            )
    summary = (
        layers.group_by("layer")
        .agg(pl.col("offences").sum(), pl.len().alias("wards"))
        .sort(["offences", "layer"], descending=[True, False])
    )
    outcomes = (
        mapped.group_by("last_outcome_category", "outcome_group", "mapping_confidence")
        .agg(pl.len().alias("rows"))
        .sort(["rows", "last_outcome_category"], descending=[True, False], nulls_last=True)
    )
    return ContextReport(
        tuple(p.name for p in files),
        frame.height,
        by_point,
        by_lsoa,
        frame.height - by_point - by_lsoa,
        (first, last),
        summary,
        outcomes,
        refused,
    )
