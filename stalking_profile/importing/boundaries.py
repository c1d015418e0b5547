"""Loading a force's ward boundaries into the database: all or nothing, with a clear report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import shapely

from stalking_profile.access import Permission
from stalking_profile.db import Gateway
from stalking_profile.geography import Boundaries, BoundaryError
from stalking_profile.importing.boundary_reader import read_boundaries_safely


@dataclass(frozen=True)
class BoundaryReport:
    """What a boundary load did."""

    file: str
    wards_in_file: int
    wards_loaded: int
    wards_matching_offences: int
    offences_matched: int
    wards_skipped: tuple[str, ...]
    notes: tuple[str, ...]

    def text(self) -> str:
        lines = [
            f"{self.file}: {self.wards_loaded} of {self.wards_in_file} wards loaded; "
            f"{self.wards_matching_offences} are used by {self.offences_matched:,} offences."
        ]
        if self.wards_skipped:
            lines.append(
                f"{len(self.wards_skipped)} wards skipped (no offences and no known district): "
                + ", ".join(self.wards_skipped[:10])
                + (" ..." if len(self.wards_skipped) > 10 else "")
                + ". A ward of the force with no offence yet is placed once a wards file "
                "(data/templates/wards_template.csv: ward_code, ward_name, district_code) names "
                "its district: import that, then these boundaries again. Wards outside the "
                "force stay out."
            )
        lines.extend(self.notes)
        return "\n".join(lines)


def load_boundaries(
    gateway: Gateway,
    path: Path | str,
    code_column: str | None = None,
    name_column: str | None = None,
    crs: str | None = None,
    boundaries: Boundaries | None = None,
) -> BoundaryReport:
    """Read ward polygons from `path` and add or update them in the ward table (`boundaries`:
    the file as read already, by `read_boundaries_safely`, before the database was opened to
    write; otherwise it is read here, in a child process with limits).

    Each ward's district is the one it already has, or else the district most of its offences
    belong to; wards with neither are skipped and listed. A file whose codes match no offence's
    ward code is refused (wrong vintage or wrong area), and so is an unreadable file or one
    without polygons or a code column. All wards of a file land together or none do.
    """
    gateway.require(Permission.IMPORT)
    path = Path(path)
    if boundaries is None:
        boundaries = read_boundaries_safely(path, code_column, name_column, crs)
    incoming = pl.DataFrame(
        {
            "ward_code": boundaries.frame["ward_code"].tolist(),
            "ward_name": boundaries.frame["ward_name"].tolist(),
            "geometry": shapely.to_geojson(boundaries.frame.geometry.values).tolist(),
        },
        schema={"ward_code": pl.String, "ward_name": pl.String, "geometry": pl.String},
    )
    used = gateway.query("ward_districts_from_offences")
    existing = gateway.query("wards").select(
        "ward_code",
        pl.col("ward_name").alias("existing_name"),
        pl.col("district_code").alias("existing_district"),
        "population",
    )
    matched = incoming.join(used, on="ward_code", how="inner")
    if used.height and matched.is_empty():
        example_file = ", ".join(incoming["ward_code"].head(3).to_list())
        example_data = ", ".join(used["ward_code"].head(3).to_list())
        raise BoundaryError(
            f"none of the {incoming.height} ward codes in {path.name} (e.g. {example_file}) match the ward codes of "
            f"the offences (e.g. {example_data}): check the boundaries' vintage and area, or the code column"
        )
    placed = (
        incoming.join(existing, on="ward_code", how="left")
        .join(
            used.select("ward_code", pl.col("district_code").alias("offence_district")),
            on="ward_code",
            how="left",
        )
        .with_columns(
            pl.coalesce("existing_district", "offence_district").alias("district_code"),
            # a ward with no name in the file keeps the one it has, or is called by its code
            pl.coalesce("ward_name", "existing_name", "ward_code").alias("ward_name"),
        )
    )
    skipped = placed.filter(pl.col("district_code").is_null())["ward_code"].to_list()
    rows = placed.filter(pl.col("district_code").is_not_null()).select(
        "ward_code", "ward_name", "district_code", pl.col("population").cast(pl.Int32), "geometry"
    )
    if rows.is_empty():
        raise BoundaryError(
            f"no ward in {path.name} could be placed in a district: none is used by an offence or already known"
        )
    with gateway.transaction():
        gateway.write("upsert_wards", incoming_wards=rows)
    return BoundaryReport(
        file=path.name,
        wards_in_file=incoming.height,
        wards_loaded=rows.height,
        wards_matching_offences=matched.height,
        offences_matched=int(matched["offences"].sum()) if matched.height else 0,
        wards_skipped=tuple(skipped),
        notes=(
            f"ward codes from column {boundaries.code_column}, names from {boundaries.name_column}; "
            f"source CRS {boundaries.source_crs}",
            *boundaries.notes,
        ),
    )
