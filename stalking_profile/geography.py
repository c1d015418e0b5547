"""Ward geometry: reading a force's boundary files, display geometry for maps, and contiguity.

GeoPandas does the geometry (DuckDB holds boundaries as GeoJSON text, so no DuckDB extension is
ever needed). Reprojection between WGS84 and British National Grid uses PROJ without the OSTN15
grid, which is accurate to about 2 m: ample for ward maps and neighbours.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import polars as pl
import pyogrio
import shapely

from stalking_profile.contract import DIRECTION_CONTROLS
from stalking_profile.db import Gateway

BRITISH_NATIONAL_GRID = 27700
WGS84 = 4326
CODE_PATTERNS = (
    re.compile(r"^WD\d{2}CD$", re.IGNORECASE),
    re.compile(r"^AREACD$", re.IGNORECASE),
    re.compile(r"^ward_code$"),
)
NAME_PATTERNS = (
    re.compile(r"^WD\d{2}NM$", re.IGNORECASE),
    re.compile(r"^AREANM$", re.IGNORECASE),
    re.compile(r"^ward_name$"),
)


class BoundaryError(ValueError):
    """A boundary file cannot be used; the message says why and what to do."""


class NoBoundaries(LookupError):
    """No ward boundaries are loaded for the districts asked for (a map has nothing to draw;
    any other error drawing one is a fault, not this)."""


def polygon_part(shape: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygons of a repaired shape, or None where it has no area to map. `make_valid`
    turns a flat ring into a line and a bow-tie into polygons beside lines, and merging two
    features of one code can do the same; coordinates past a projection's range come back
    infinite. A map, its contiguity and the Gi* statistics need a polygon of finite, non-zero
    area."""
    if shape is None or shape.is_empty:
        return None
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        parts = [
            part
            for part in shapely.get_parts(shape)
            if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty
        ]
        shape = shapely.union_all(parts) if parts else None
    if shape is None or shape.is_empty or not shape.area > 0:
        return None
    if not np.isfinite(shapely.get_coordinates(shape)).all():
        return None
    return shape


@dataclass(frozen=True)
class Boundaries:
    """Ward polygons read from a file, in WGS84, with what was detected about them."""

    frame: gpd.GeoDataFrame  # ward_code, ward_name, geometry
    code_column: str
    name_column: str
    source_crs: str
    notes: tuple[str, ...]


def _detect(
    columns: list[str], patterns: tuple[re.Pattern, ...], chosen: str | None, what: str
) -> str:
    if chosen:
        if chosen not in columns:
            raise BoundaryError(
                f"the file has no column {chosen!r}; its columns are: {', '.join(columns)}"
            )
        return chosen
    for pattern in patterns:
        matches = [c for c in columns if pattern.match(c)]
        if matches:
            return matches[0]
    suffix = {"code": "CD", "name": "NM"}[what]
    raise BoundaryError(
        f"no ward {what} column found (looked for WDyy{suffix}, AREA{suffix}); "
        f"name it with --{what}-column. Columns: {', '.join(columns)}"
    )


# What a boundary file may be, by its name and its first bytes. GDAL opens whatever it
# recognises, whatever the name: a .vrt inside an uploaded zip read /etc/passwd and the
# operational store's password hashes into "ward codes", and fetched a URL from the server.
# So a file, and every member of a zip, must be one of these formats in name and in content.
BOUNDARY_FORMATS = {  # suffix -> the bytes its content starts with (after any whitespace)
    ".geojson": (b"{",),
    ".json": (b"{",),
    ".topojson": (b"{",),
    ".gpkg": (b"SQLite format 3\x00",),
    ".shp": (b"\x00\x00\x27\x0a",),
    ".shx": (b"\x00\x00\x27\x0a",),
}
SHAPEFILE_PARTS = (".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")  # read only beside a .shp
# sidecars and folders a zip from a GIS often holds: never opened, left out of what GDAL reads
IGNORED_IN_ZIP = (".xml", ".txt", ".pdf", ".html", ".htm", ".md")


def _checked_source(path: Path) -> Path:
    """`path` itself, if it is a boundary file in name and content (BOUNDARY_FORMATS), or the
    boundary file inside a zip, extracted with only its own parts to a folder of its own (the
    caller removes it); a BoundaryError for anything else. GDAL then reads nothing it was not
    meant to."""

    def starts_right(suffix: str, head: bytes) -> bool:
        return head.lstrip().startswith(BOUNDARY_FORMATS[suffix])

    suffix = path.suffix.lower()
    if suffix in BOUNDARY_FORMATS:
        with path.open("rb") as handle:
            if not starts_right(suffix, handle.read(64)):
                raise BoundaryError(
                    f"cannot read {path.name} as a boundary file: its content is not {suffix}"
                )
        return path
    if suffix != ".zip":
        allowed = ", ".join((*BOUNDARY_FORMATS, ".zip"))
        raise BoundaryError(f"{path.name}: a boundary file is one of {allowed}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BoundaryError(f"{path.name} is not a zip file ({error})") from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        wanted, refused = [], []
        for member in members:
            member_suffix = Path(member.filename).suffix.lower()
            if member_suffix in (*BOUNDARY_FORMATS, *SHAPEFILE_PARTS):
                wanted.append(member)
            elif member_suffix not in IGNORED_IN_ZIP:
                refused.append(member.filename)
        if refused:
            raise BoundaryError(
                f"{path.name} holds files that are not boundary data ({', '.join(refused[:3])}): "
                "a zip may hold a shapefile's parts, a GeoPackage or a GeoJSON file"
            )
        mains = [m for m in wanted if Path(m.filename).suffix.lower() in BOUNDARY_FORMATS]
        mains = [m for m in mains if Path(m.filename).suffix.lower() != ".shx"]
        if len(mains) != 1:
            raise BoundaryError(
                f"{path.name} holds {len(mains)} boundary files: a zip must hold exactly one "
                "(a shapefile with its parts, a GeoPackage or a GeoJSON file)"
            )
        main = mains[0]
        stem = str(Path(main.filename).with_suffix(""))
        parts = [m for m in wanted if str(Path(m.filename).with_suffix("")) == stem]
        if sum(m.file_size for m in parts) > MAX_BOUNDARY_BYTES:
            raise BoundaryError(f"{path.name} unpacks to more than {MAX_BOUNDARY_BYTES:,} bytes")
        folder = Path(tempfile.mkdtemp(prefix="boundaries-"))
        try:
            for member in parts:
                target = folder / ("wards" + Path(member.filename).suffix.lower())
                with archive.open(member) as source, target.open("wb") as out:
                    out.write(source.read(MAX_BOUNDARY_BYTES + 1))
            for part in folder.iterdir():
                if part.suffix in BOUNDARY_FORMATS:
                    with part.open("rb") as handle:
                        if not starts_right(part.suffix, handle.read(64)):
                            raise BoundaryError(
                                f"cannot read {path.name} as a boundary file: the content of "
                                f"{main.filename} is not {part.suffix}"
                            )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder / ("wards" + Path(main.filename).suffix.lower())


MAX_BOUNDARY_BYTES = 2_000_000_000  # what a zip's boundary file may unpack to
# the points a file's wards may hold: a generous bound for a force's wards at full resolution;
# generalised boundaries (the ONS's BGC) hold a small fraction of their points
MOST_VERTICES = 20_000_000


def _polygon_layer(path: Path) -> str | None:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as error:  # pyogrio raises several error types for unreadable files
        raise BoundaryError(f"cannot read {path.name} as a boundary file ({error})") from error
    for name, geometry_type in layers:
        if geometry_type is None or "Polygon" in str(geometry_type) or geometry_type == "Unknown":
            return str(name)
    return str(layers[0][0]) if len(layers) else None


def read_boundaries(
    path: Path | str,
    code_column: str | None = None,
    name_column: str | None = None,
    crs: str | None = None,
) -> Boundaries:
    """Read ward polygons from GeoJSON, TopoJSON, GeoPackage or Shapefile in any CRS.

    The code and name columns are detected (WDyyCD/WDyyNM of any vintage, AREACD/AREANM) or
    named. A file without a CRS (TopoJSON) is taken as WGS84 if its coordinates are longitudes
    and latitudes; otherwise `crs` must say what it is. Geometry is repaired and reprojected to
    WGS84. Raises BoundaryError with a clear message for anything unusable.
    """
    path = Path(path)
    if not path.is_file():
        raise BoundaryError(f"no file at {path}")
    named = path.name
    source = _checked_source(path)
    try:
        return _read_checked(source, named, code_column, name_column, crs)
    finally:
        if source != path:  # a zip's boundary file, extracted to a folder of its own
            shutil.rmtree(source.parent, ignore_errors=True)


def _read_checked(
    path: Path, named: str, code_column: str | None, name_column: str | None, crs: str | None
) -> Boundaries:
    """`read_boundaries` of a checked file (`named`: the file as the user gave it)."""
    layer = _polygon_layer(path)
    try:
        frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as error:
        # GDAL names the file by its path on the server (an upload's or a zip's temporary folder)
        said = str(error).replace(str(path), named).replace(str(path.parent), "")
        raise BoundaryError(f"cannot read {named} as a boundary file ({said})") from error
    notes: list[str] = []
    polygons = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise BoundaryError(
            f"{named} holds no polygons (found: {sorted(set(frame.geom_type.dropna()))})"
        )
    if len(polygons) < len(frame):
        notes.append(f"{len(frame) - len(polygons)} features without polygon geometry were ignored")
    columns = [c for c in polygons.columns if c != "geometry"]
    code = _detect(columns, CODE_PATTERNS, code_column, "code")
    name = _detect(columns, NAME_PATTERNS, name_column, "name")
    if crs:
        polygons = polygons.set_crs(crs, allow_override=True)
    elif polygons.crs is None:
        minx, miny, maxx, maxy = polygons.total_bounds
        if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
            polygons = polygons.set_crs(WGS84)
            notes.append(
                "the file has no CRS; its coordinates are longitudes and latitudes, so WGS84 was assumed"
            )
        else:
            raise BoundaryError(
                f"{named} has no CRS and is not in longitude/latitude: give its CRS (e.g. EPSG:27700)"
            )
    minx, miny, maxx, maxy = polygons.total_bounds
    if polygons.crs.is_geographic and not (
        minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    ):
        raise BoundaryError(
            f"{named} is read as longitude/latitude (GeoJSON without a CRS is WGS84 by definition) "
            f"but its coordinates reach {maxx:,.0f}, {maxy:,.0f}: it is not in longitude/latitude; "
            "give its CRS (e.g. EPSG:27700)"
        )
    source_crs = polygons.crs.to_string()

    vertices = int(shapely.get_num_coordinates(polygons.geometry.values).sum())
    if vertices > MOST_VERTICES:  # each is kept, drawn and repaired: refused before repair
        raise BoundaryError(
            f"{named} holds {vertices:,} points, more than the {MOST_VERTICES:,} a force's wards "
            "need: use generalised boundaries (e.g. the ONS's BGC, not BFE)"
        )
    invalid = int((~polygons.is_valid).sum())
    if invalid:
        notes.append(f"{invalid} invalid shapes were repaired")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PROJ's note that the OSTN15 grid is unavailable
        result = polygons.assign(geometry=polygons.geometry.make_valid()).to_crs(WGS84)
    result = gpd.GeoDataFrame(
        {"ward_code": _text(result[code]), "ward_name": _text(result[name])},
        geometry=result.geometry.values,
        crs=WGS84,
    )
    no_code = result["ward_code"].isna()
    if no_code.any():
        notes.append(f"{int(no_code.sum())} features with no ward code were left out")
        result = result[~no_code]
    result = _with_area(result, named, notes)
    duplicated = result["ward_code"].duplicated()
    if duplicated.any():
        result = result.dissolve(by="ward_code", aggfunc="first").reset_index()
        notes.append(
            f"{int(duplicated.sum())} duplicate ward codes were merged into one polygon each"
        )
        result = _with_area(result, named, notes)
    return Boundaries(
        result[["ward_code", "ward_name", "geometry"]], code, name, source_crs, tuple(notes)
    )


def _text(values: pd.Series) -> pd.Series:
    """A column of codes or names as text, stripped; a missing or blank value stays missing
    (it read "None", and a null name replaced the ward's own)."""
    text = values.astype("string").str.replace(f"[{DIRECTION_CONTROLS}]", "", regex=True)
    text = text.str.strip()
    return text.astype(object).where(text.notna() & (text != ""), None)


def _with_area(result: gpd.GeoDataFrame, named: str, notes: list[str]) -> gpd.GeoDataFrame:
    """The features whose repaired shape has polygons to map (`polygon_part`), the rest left
    out and named in `notes`; a file with none left is refused."""
    shapes = [polygon_part(shape) for shape in result.geometry.values]
    kept = [shape is not None for shape in shapes]
    dropped = result["ward_code"][[not k for k in kept]].tolist()
    if dropped:
        notes.append(
            f"{len(dropped)} wards were left out: after repair their shape has no area, or "
            "coordinates out of range, to map ("
            + ", ".join(str(c) for c in dropped[:10])
            + (" ..." if len(dropped) > 10 else "")
            + ")"
        )
    if not any(kept):
        raise BoundaryError(f"{named} holds no ward shape with an area to map")
    return gpd.GeoDataFrame(
        result[kept].drop(columns="geometry"),
        geometry=[s for s in shapes if s is not None],
        crs=result.crs,
    )


def ward_geodataframe(
    gateway: Gateway, districts: tuple[str, ...] | None = None
) -> gpd.GeoDataFrame:
    """The stored wards with boundaries, in WGS84 (wards without a boundary are left out),
    optionally only those of `districts`."""
    wards = gateway.query("wards").filter(pl.col("geometry").is_not_null())
    if districts is not None:
        wards = wards.filter(pl.col("district_code").is_in(list(districts)))
    geometry = shapely.from_geojson(wards["geometry"].to_numpy())
    return gpd.GeoDataFrame(wards.drop("geometry").to_pandas(), geometry=geometry, crs=WGS84)


def display_tolerance_metres(ward_count: int) -> float:
    """How much to simplify for display: more wards, coarser lines (a map of 10,000 wards
    cannot show 30 m detail anyway)."""
    if ward_count <= 500:
        return 20.0
    if ward_count <= 3000:
        return 60.0
    return 120.0


class SharedGeoJSON(dict):
    """Ward outlines that every map of a database shares and nothing changes once made. Plotly
    deep-copies each trace it is given (1.3 s for 7,056 ward outlines); copying this hands back
    the same object. `whole`: the collection these features were cut from, with the same
    outline of each ward (itself if none): the dashboard sends the browser that once, at an
    address, for every map cut from it (ui.ward_outlines)."""

    whole: SharedGeoJSON

    def __init__(self, *args: Any, whole: SharedGeoJSON | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whole = self if whole is None else whole.whole

    def cut(self, ward_codes: Collection[str]) -> SharedGeoJSON:
        """These outlines of `ward_codes` only, in this collection's order."""
        wanted = set(ward_codes)
        features = [feature for feature in self["features"] if feature["id"] in wanted]
        return SharedGeoJSON(self, features=features, whole=self)

    def __copy__(self) -> SharedGeoJSON:
        return self

    def __deepcopy__(self, memo: dict) -> SharedGeoJSON:
        return self


def display_geojson(wards: gpd.GeoDataFrame, force: ForceWards | None = None) -> SharedGeoJSON:
    """A compact FeatureCollection for Plotly: ids are ward codes, geometry simplified for the
    number of wards and rounded to 1e-4 degrees (about 10 m). Each ward is simplified on its
    own, so with `force` its features are cut from the force's at the same tolerance."""
    tolerance = display_tolerance_metres(len(wards))
    if force is not None:
        features = force.display_features(tolerance)
        return SharedGeoJSON(
            type="FeatureCollection",
            features=[features[code] for code in wards["ward_code"]],
            whole=force.display_collection(tolerance),
        )
    return SharedGeoJSON(type="FeatureCollection", features=_display_features(wards, tolerance))


def _display_features(wards: gpd.GeoDataFrame, tolerance: float) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projected = wards.to_crs(BRITISH_NATIONAL_GRID)
        simplified = projected.geometry.simplify(tolerance, preserve_topology=True)
        geometry = (
            gpd.GeoSeries(simplified, crs=BRITISH_NATIONAL_GRID)
            .to_crs(WGS84)
            .set_precision(0.0001, mode="pointwise")
        )
    return [
        {
            "type": "Feature",
            "id": code,
            "properties": {},
            "geometry": json.loads(shapely.to_geojson(shape)),
        }
        for code, shape in zip(wards["ward_code"], geometry, strict=True)
    ]


MIN_OUTLINE_AREA_M2 = 10_000.0  # one hectare


def dissolved_districts(wards: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """Each district's wards dissolved into one shape, in British National Grid, on a 5 m
    grid so that slivers between neighbouring wards do not show as lines."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projected = wards[["district_code", "geometry"]].to_crs(BRITISH_NATIONAL_GRID)
        return {
            code: shapely.union_all(group.geometry.values, grid_size=5.0)
            for code, group in projected.groupby("district_code", sort=True)
        }


def district_outlines(
    wards: gpd.GeoDataFrame, force: ForceWards | None = None
) -> tuple[list[float | None], list[float | None]]:
    """District boundaries (wards dissolved by district) as longitude and latitude lists with
    None between rings, ready for a line trace on top of a choropleth.

    Only the outer ring of each part of a district is drawn, and parts under a hectare are
    dropped: the holes and slivers a union leaves where neighbouring wards' edges do not quite
    meet would otherwise show as stray dashes inside a district."""
    if force is None:
        dissolved = dissolved_districts(wards)
    else:  # a district's shape is its own wards' only: the force's, for the districts shown
        dissolved = {code: force.dissolved[code] for code in sorted(set(wards["district_code"]))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged = list(dissolved.values())
        parts = shapely.get_parts(np.asarray(merged, dtype=object))
        parts = parts[shapely.area(parts) >= MIN_OUTLINE_AREA_M2]
        rings = shapely.get_exterior_ring(parts)
        lines = (
            gpd.GeoSeries(rings, crs=BRITISH_NATIONAL_GRID)
            .simplify(display_tolerance_metres(len(wards)) * 2)
            .to_crs(WGS84)
        )

    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in shapely.get_parts(lines.values):
        coords = shapely.get_coordinates(line)
        lon.extend([*np.round(coords[:, 0], 4).tolist(), None])
        lat.extend([*np.round(coords[:, 1], 4).tolist(), None])
    return lon, lat


def _snapped(wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        snapped = wards.to_crs(BRITISH_NATIONAL_GRID)
        return snapped.set_geometry(snapped.geometry.set_precision(0.01))


def queen_contiguity(wards: gpd.GeoDataFrame):
    """Queen contiguity between wards (sharing at least a point), row order as `wards`, with
    boundaries snapped to a 1 cm grid in British National Grid first, so that neighbours whose
    vertices differ by rounding still touch. Islands are left as they are."""
    from libpysal import weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weights.Queen.from_dataframe(_snapped(wards), use_index=False, silence_warnings=True)


def contiguity_weights(wards: gpd.GeoDataFrame, force: ForceWards | None = None):
    """Queen contiguity between wards, row order as `wards` (see `queen_contiguity`); a ward
    with no neighbour among them (an island) is joined to its nearest ward, so that every
    ward has a local neighbourhood for Gi*. Whether two wards touch depends on those two
    alone, so with `force` the neighbours are the force's, kept where both are in `wards`.
    """
    from libpysal import weights

    queen = queen_contiguity(wards) if force is None else force.queen_among(wards["ward_code"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if queen.islands:
            snapped = _snapped(wards)
            nearest = weights.KNN.from_dataframe(
                snapped.set_geometry(snapped.geometry.representative_point()), k=1
            )
            queen = weights.attach_islands(queen, nearest)
    return queen


@dataclass(frozen=True)
class WardGeometry:
    """Everything about the wards that does not depend on the filter, computed once per database."""

    wards: pl.DataFrame  # ward_code, ward_name, district_code, population (row order = weights)
    geojson: SharedGeoJSON
    outline_lon: list[float | None]
    outline_lat: list[float | None]
    weights: object  # libpysal W, row order as `wards`
    neighbour_count_min: int
    points: pl.DataFrame  # ward_code, lon, lat: a point inside each ward, for map markers

    def geojson_of(self, ward_codes: Collection[str]) -> SharedGeoJSON:
        """The display GeoJSON of these wards only. A map trace draws only its own locations
        but carries its GeoJSON, so a map of one trace per category would otherwise hold (and
        Plotly deep-copy, and the browser parse) every ward's outline once per category."""
        return self.geojson.cut(ward_codes)


class ForceWards:
    """The whole force's wards, and what a map of any choice of districts is cut from: which
    wards touch, each district's dissolved shape and each ward's display outline depend on the
    wards involved only, so they are worked out once per database, not for every choice of
    districts (about a second at 7,000 wards). Figures are the same either way (tests)."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame
        self.queen = queen_contiguity(frame)
        self.dissolved = dissolved_districts(frame)
        self._position = {code: i for i, code in enumerate(frame["ward_code"])}
        self._features: dict[float, dict[str, dict]] = {}
        self._collections: dict[float, SharedGeoJSON] = {}

    def queen_among(self, ward_codes: Collection[str]):
        """The force's queen contiguity kept among `ward_codes`, in their order."""
        from libpysal import weights

        rows = [self._position[code] for code in ward_codes]
        kept = {old: new for new, old in enumerate(rows)}
        neighbours = {
            new: sorted(kept[j] for j in self.queen.neighbors[old] if j in kept)
            for new, old in enumerate(rows)
        }
        return weights.W(neighbours, silence_warnings=True)

    def display_features(self, tolerance: float) -> dict[str, dict]:
        """Each ward's display feature at `tolerance`, by ward code."""
        if tolerance not in self._features:
            features = _display_features(self.frame, tolerance)
            self._features[tolerance] = {feature["id"]: feature for feature in features}
        return self._features[tolerance]

    def display_collection(self, tolerance: float) -> SharedGeoJSON:
        """Every ward's display feature at `tolerance`, as one collection (the force's order)."""
        if tolerance not in self._collections:
            features = list(self.display_features(tolerance).values())
            self._collections[tolerance] = SharedGeoJSON(
                type="FeatureCollection", features=features
            )
        return self._collections[tolerance]


def ward_geometry(
    gateway: Gateway, districts: tuple[str, ...] | None = None, force: ForceWards | None = None
) -> WardGeometry:
    """Ward boundaries of `districts` (all if None) prepared for maps and hotspot statistics:
    neighbours are found among these wards only, so a district's hotspots are relative to it.
    `force` (the database's `ForceWards`) saves working out again what does not depend on
    the choice of districts."""
    frame = ward_geodataframe(gateway, districts)
    if frame.empty:
        raise NoBoundaries(
            "no ward boundaries are loaded for these districts: import them with "
            "`python -m stalking_profile boundaries FILE`"
        )

    weights = contiguity_weights(frame, force)
    lon, lat = district_outlines(frame, force)
    return WardGeometry(
        _listed(frame),
        display_geojson(frame, force),
        lon,
        lat,
        weights,
        int(min(weights.cardinalities.values())),
        ward_points(frame),
    )


def ward_list(gateway: Gateway, districts: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The wards of `districts` (all if None) as their map lists them (`WardGeometry.wards`,
    in the same order), without working on their boundaries: what protecting a map's counts
    needs (0.06 s at 7,056 wards; their `ward_geometry` 2.6 s)."""
    return _listed(ward_geodataframe(gateway, districts))


def _listed(frame: gpd.GeoDataFrame) -> pl.DataFrame:
    return pl.from_pandas(frame.drop(columns="geometry"))


def ward_points(wards: gpd.GeoDataFrame) -> pl.DataFrame:
    """A point inside each ward (its representative point, which unlike a centroid always
    lies within the ward), in longitude and latitude."""
    points = wards.geometry.representative_point()
    return pl.DataFrame(
        {
            "ward_code": wards["ward_code"].to_list(),
            "lon": points.x.round(5).to_list(),
            "lat": points.y.round(5).to_list(),
        }
    )
