"""Loading real ward boundaries: formats, CRSs, column detection, bad files and maps on them."""

from __future__ import annotations

import re
import warnings
from datetime import date
from pathlib import Path

import geopandas as gpd
import polars as pl
import pytest
from shapely.geometry import Point

from stalking_profile import geography, map_panels
from stalking_profile.db import Gateway
from stalking_profile.filters import ProfileFilter
from stalking_profile.geography import BoundaryError, read_boundaries
from stalking_profile.importing.boundaries import load_boundaries

FOUR_DISTRICTS = ("BD", "CD", "KD", "WD")
BOUNDARIES = Path(__file__).resolve().parent / "fixtures" / "boundaries"  # see fixtures/README.md
WEST_YORKSHIRE_2023 = BOUNDARIES / "wards_dec2023_west_yorkshire_topojson.json"


def _ward_snapshot(gateway: Gateway) -> pl.DataFrame:
    return gateway.sql("SELECT * FROM ward ORDER BY ward_code")


def test_topojson_without_crs_is_read_as_wgs84(writable_demo: Gateway) -> None:
    report = load_boundaries(writable_demo, WEST_YORKSHIRE_2023)
    # 91 West Yorkshire wards, 2 invalid shapes and 7 other wards elsewhere in the UK
    assert (report.wards_in_file, report.wards_loaded, report.wards_matching_offences) == (
        100,
        91,
        91,
    )
    assert any("WGS84 was assumed" in note for note in report.notes)
    assert any("invalid shapes were repaired" in note for note in report.notes)
    assert "AREACD" in report.notes[0]
    wards = geography.ward_geodataframe(writable_demo, FOUR_DISTRICTS)
    assert len(wards) == 91 and wards.is_valid.all()


def test_british_national_grid_geopackage_and_shapefile(
    writable_demo: Gateway, tmp_path: Path
) -> None:
    source = gpd.read_file(BOUNDARIES / "wards_WD13_E08000036.geojson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projected = source.to_crs(27700)
    projected.to_file(tmp_path / "wakefield.gpkg", driver="GPKG")
    projected.to_file(tmp_path / "wakefield.shp")
    import zipfile

    # a GIS's zipped shapefile folder (with its metadata sidecar), and a zipped GeoPackage
    with zipfile.ZipFile(tmp_path / "wakefield-shp.zip", "w") as archive:
        for part in tmp_path.glob("wakefield.*"):
            if part.suffix not in (".gpkg", ".zip"):
                archive.write(part, f"Wards_2013/{part.name}")
        archive.writestr("Wards_2013/wakefield.shp.xml", "<metadata/>")
    with zipfile.ZipFile(tmp_path / "wakefield-gpkg.zip", "w") as archive:
        archive.write(tmp_path / "wakefield.gpkg", "wakefield.gpkg")
    for name in ("wakefield.gpkg", "wakefield.shp", "wakefield-shp.zip", "wakefield-gpkg.zip"):
        boundaries = read_boundaries(tmp_path / name)
        assert boundaries.source_crs == "EPSG:27700"
        assert boundaries.code_column == "WD13CD" and boundaries.name_column == "WD13NM"
        minx, miny, maxx, maxy = boundaries.frame.total_bounds
        assert (
            -1.7 < minx < maxx < -1.1 and 53.5 < miny < maxy < 53.8
        )  # back in longitude / latitude
    report = load_boundaries(writable_demo, tmp_path / "wakefield.gpkg")
    assert report.wards_loaded == 21


def test_ward_codes_of_a_newer_vintage_are_detected() -> None:
    boundaries = read_boundaries(BOUNDARIES / "wards_WD24_E08000032_bradford_oi.geojson")
    assert (boundaries.code_column, boundaries.name_column, len(boundaries.frame)) == (
        "WD24CD",
        "WD24NM",
        30,
    )


def test_named_columns() -> None:
    path = BOUNDARIES / "wards_2018_E08000035_leeds_first5.geojson"
    with pytest.raises(BoundaryError, match=r"no ward code column found .*Columns: WARD_NAME"):
        read_boundaries(path)
    boundaries = read_boundaries(path, code_column="WARD_NAME", name_column="WARD_NAME")
    assert len(boundaries.frame) == 5


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("points", "holds no polygons"),
        ("no_code", "no ward code column found"),
        ("other_area", "match the ward codes of the offences"),
        ("text", "cannot read"),
        ("binary", "cannot read"),
        ("projected_without_crs", "not in longitude/latitude"),
    ],
)
def test_bad_boundary_files_leave_the_database_unchanged(
    writable_demo: Gateway, tmp_path: Path, make: str, message: str
) -> None:
    boundaries = BOUNDARIES
    if make == "points":
        path = tmp_path / "points.geojson"
        gpd.GeoDataFrame(
            {"WD13CD": ["E05001341"], "WD13NM": ["x"]}, geometry=[Point(-1.7, 53.8)], crs=4326
        ).to_file(path)
    elif make == "no_code":
        path = boundaries / "wards_2018_E08000035_leeds_first5.geojson"
    elif make == "other_area":
        path = boundaries / "wards_WD13_W06000008_first3.geojson"
    elif make == "text":
        path = tmp_path / "notes.geojson"
        path.write_text("these are not boundaries", encoding="utf-8")
    elif make == "binary":
        path = tmp_path / "garbage.shp"
        path.write_bytes(bytes(range(256)) * 40)
    else:
        path = tmp_path / "bng.geojson"
        source = gpd.read_file(boundaries / "wards_WD13_E08000036.geojson")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = source.to_crs(27700).to_json(drop_id=True)
        path.write_text(text.replace('"crs"', '"_crs"'), encoding="utf-8")
        path.write_text(
            path.read_text().replace("urn:ogc:def:crs:EPSG::27700", ""), encoding="utf-8"
        )
    before = _ward_snapshot(writable_demo)
    with pytest.raises(BoundaryError, match=message):
        load_boundaries(writable_demo, path)
    assert _ward_snapshot(writable_demo).equals(before)


def test_maps_and_gi_star_on_real_boundaries(writable_demo: Gateway) -> None:
    load_boundaries(writable_demo, WEST_YORKSHIRE_2023)
    geometry = geography.ward_geometry(writable_demo, FOUR_DISTRICTS)
    assert geometry.wards.height == 91 and geometry.neighbour_count_min >= 1
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), FOUR_DISTRICTS)
    view = map_panels.hotspot_panel(writable_demo, flt, geometry, "rate", True)
    assert view.wards["gi_z"].is_finite().all()
    assert view.wards["offences"].sum() + view.unknown_ward_offences == view.offences
    assert len(view.map_figure.data[0].locations) == 91
    codes = {feature["id"] for feature in geometry.geojson["features"]}
    assert codes == set(geometry.wards["ward_code"])


def test_a_ward_split_evenly_between_districts_goes_to_the_lowest_code(
    tiny_gateway: Gateway,
) -> None:
    """A newly loaded ward is placed in the district most of its offences belong to; a tie
    is settled by district code, not by whichever row the database met first."""
    tiny_gateway.sql("UPDATE offence SET ward_code = 'W1' WHERE crime_ref IN ('T4', 'T1')")
    tiny_gateway.sql("UPDATE offence SET ward_code = 'W2' WHERE crime_ref IN ('T3', 'T5', 'T6')")
    used = tiny_gateway.query("ward_districts_from_offences")
    assert used.rows() == [("W1", "A", 2), ("W2", "B", 3)]


def test_a_ward_with_no_offence_yet_is_placed_once_a_wards_file_names_its_district(
    tmp_path: Path,
) -> None:
    """Boundaries skip a ward no offence names and no wards file has placed (a national file's
    wards outside the force must stay out); the report said only "no offences and no known
    district", not how to bring in a ward of the force with no offence yet."""
    from stalking_profile.db import connect
    from stalking_profile.importing.load import import_file
    from tests.test_import import TEMPLATES, offences

    gateway = connect(tmp_path / "force.duckdb", read_only=False, create=True)
    try:
        import_file(gateway, TEMPLATES / "districts.csv")
        offences(4, ward_code="W05000357").write_csv(tmp_path / "offences.csv")
        import_file(gateway, tmp_path / "offences.csv")
        wards = BOUNDARIES / "wards_WD13_W06000008_first3.geojson"
        first = load_boundaries(gateway, wards)
        assert (first.wards_loaded, first.wards_skipped) == (1, ("W05000358", "W05000359"))
        assert "import that, then these boundaries again" in first.text()
        (tmp_path / "wards.csv").write_text(
            "ward_code,ward_name,district_code\nW05000358,Aberporth,CD\n", encoding="utf-8"
        )
        import_file(gateway, tmp_path / "wards.csv")
        again = load_boundaries(gateway, wards)
        assert (again.wards_loaded, again.wards_skipped) == (2, ("W05000359",))
    finally:
        gateway.close()


def test_a_force_with_no_ward_populations_is_told_why_the_rate_map_is_blank(
    tmp_path: Path,
) -> None:
    """A force's own database with boundaries and no ward populations: the Hotspot maps page
    opened on "Rate per 1,000" with every ward blank and no hot or cold spot, and its caption
    named the demo's mid-2019 populations."""
    from stalking_profile.db import connect
    from stalking_profile.importing.load import import_file
    from tests.test_import import TEMPLATES, offences

    gateway = connect(tmp_path / "force.duckdb", read_only=False, create=True)
    try:
        import_file(gateway, TEMPLATES / "districts.csv")
        rows = pl.concat(
            [
                offences(6, ward_code="W05000357", district_code="BD"),
                offences(3, start=7, ward_code="W05000358", district_code="BD"),
            ]
        )
        rows.write_csv(tmp_path / "offences.csv")
        import_file(gateway, tmp_path / "offences.csv")
        load_boundaries(gateway, BOUNDARIES / "wards_WD13_W06000008_first3.geojson")
        flt = ProfileFilter(date(2021, 1, 1), date(2021, 12, 1), ("BD",))

        def note() -> str:
            geometry = geography.ward_geometry(gateway, ("BD",))
            return map_panels.hotspot_panel(gateway, flt, geometry, "rate", True).population_note

        assert note().startswith(
            "No ward of these districts has a resident population loaded, so no ward has a "
            "rate per 1,000"
        )
        (tmp_path / "wards.csv").write_text(
            "ward_code,ward_name,district_code,population\nW05000357,Aberaeron,BD,1500\n",
            encoding="utf-8",
        )
        import_file(gateway, tmp_path / "wards.csv")
        assert note().startswith("1 of 2 wards have no resident population loaded")
    finally:
        gateway.close()


VRT = """<OGRVRTDataSource><OGRVRTLayer name="wards">
  <SrcDataSource>CSV:{target}</SrcDataSource>
  <SrcSQL dialect="SQLITE">SELECT 'POLYGON((-1.5 53.7,-1.5 53.8,-1.4 53.8,-1.5 53.7))' AS wkt,
    field_1 AS WD13CD, field_1 AS WD13NM FROM secret</SrcSQL>
  <LayerSRS>EPSG:4326</LayerSRS><GeometryField encoding="WKT" field="wkt"/>
</OGRVRTLayer></OGRVRTDataSource>"""


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("wards.vrt", "holds files that are not boundary data"),
        ("wards.geojson", "the content of wards.geojson is not .geojson"),
        ("wards.shp.xml", "holds 0 boundary files"),
    ],
)
def test_a_boundary_zip_cannot_make_the_server_read_another_file(
    writable_demo, tmp_path: Path, member: str, message: str, monkeypatch
) -> None:
    """Helper 49's trial: a .vrt inside an uploaded "ward boundaries" zip made GDAL read
    /etc/passwd (and the operational store's password hashes) into the error message as ward
    codes, and fetch a URL from the server. A zip may now hold only a boundary file's own parts,
    each a boundary format in its content too: a VRT renamed .geojson is refused as well."""
    import zipfile

    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    upload = tmp_path / "wards.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr(member, VRT.format(target=secret))
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where an extracted zip would go
    before = _ward_snapshot(writable_demo)
    with pytest.raises(BoundaryError, match=message) as refused:
        load_boundaries(writable_demo, upload)
    assert "root:x" not in str(refused.value)
    assert _ward_snapshot(writable_demo).equals(before)
    assert list(scratch.iterdir()) == []  # nothing extracted is left behind


def _feature(code: str | None, name: str | None, ring: list) -> dict:
    return {
        "type": "Feature",
        "properties": {"WD23CD": code, "WD23NM": name},
        "geometry": {"type": "Polygon", "coordinates": [ring] if ring else []},
    }


def _square(x: float, y: float, side: float = 0.01) -> list:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def _collection(tmp_path: Path, *features: dict, crs: str | None = None) -> Path:
    import json

    path = tmp_path / "wards.geojson"
    collection: dict = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def test_a_shape_with_no_area_after_repair_is_left_out_and_named(tmp_path: Path) -> None:
    """Helper 62's finding: a ward's second feature that was a flat ring was merged with its
    square into a collection holding a line, and a feature with no coordinates was loaded as
    it was; each then broke the Hotspot maps (a libpysal error, or "No ward boundaries are
    loaded") and the meeting pack. Only polygons with an area are kept; the rest are named."""
    path = _collection(
        tmp_path,
        _feature("E05001341", "Baildon", _square(-1.79, 53.85)),
        _feature(
            "E05001341", "Baildon", [[-1.7, 53.7], [-1.69, 53.7], [-1.68, 53.7], [-1.7, 53.7]]
        ),
        _feature("E05001342", "Bingley", _square(-1.78, 53.85)),
        _feature("E0EMPTY", "Empty", []),
        _feature(None, "No code", _square(-1.76, 53.85)),
    )
    boundaries = read_boundaries(path)
    assert boundaries.frame["ward_code"].tolist() == ["E05001341", "E05001342"]
    assert set(boundaries.frame.geom_type) == {"Polygon"}
    assert boundaries.frame.geometry.area.min() > 0
    notes = "\n".join(boundaries.notes)
    assert "1 features with no ward code were left out" in notes
    assert "E0EMPTY" in notes and "no area" in notes
    assert "E05001341" in notes  # its flat ring: left out before the merge, so named


def test_coordinates_past_the_projections_range_are_refused(tmp_path: Path) -> None:
    """Helper 62: 1e300 metres on the British National Grid were stored as JSON nulls, and
    the map failed to parse them. A file whose every shape is so is refused, saying why."""
    huge = [[400000.0, 400000.0], [1e300, 400000.0], [1e300, 1e300], [400000.0, 1e300]]
    path = _collection(
        tmp_path,
        _feature("E05001341", "Baildon", [*huge, huge[0]]),
        crs="urn:ogc:def:crs:EPSG::27700",
    )
    with pytest.raises(BoundaryError, match="no ward shape with an area to map"):
        read_boundaries(path)


def test_a_ward_with_no_name_in_the_file_keeps_its_own(writable_demo: Gateway, tmp_path) -> None:
    """Helper 62: a null name was stored as the text "None" over the ward's own name. The
    maps of its district still draw, every ward a polygon."""
    before = writable_demo.sql("SELECT ward_name FROM ward WHERE ward_code = 'E05001341'").item()
    path = _collection(
        tmp_path,
        _feature("E05001341", None, _square(-1.79, 53.85)),
        _feature("E05001342", "Bingley", _square(-1.78, 53.85)),
        _feature("E05001342", "Bingley", [[-1.7, 53.7], [-1.69, 53.7], [-1.7, 53.7]]),
    )
    load_boundaries(writable_demo, path)
    names = dict(
        writable_demo.sql(
            "SELECT ward_code, ward_name FROM ward WHERE ward_code IN ('E05001341', 'E05001342')"
        ).rows()
    )
    assert names == {"E05001341": before, "E05001342": "Bingley"} and before != "None"
    geometry = geography.ward_geometry(writable_demo, ("BD",))
    flt = ProfileFilter(date(2020, 10, 1), date(2021, 9, 1), ("BD",))
    view = map_panels.hotspot_panel(writable_demo, flt, geometry, "offences", True)
    assert {"E05001341", "E05001342"} <= set(view.map_figure.data[0].locations)


def test_a_text_direction_override_is_taken_out_of_a_ward_name(tmp_path: Path) -> None:
    """Helper 62: a ward named "\u202eevil" was stored as it was, shown reversed."""
    path = _collection(
        tmp_path, _feature("E05001341", "\u202eBaildon\u2069", _square(-1.79, 53.85))
    )
    assert read_boundaries(path).frame["ward_name"].tolist() == ["Baildon"]


def _self_crossing_ward(path: Path, points: int) -> Path:
    """One ward whose outline is `points` random points, crossing itself at nearly every
    step: a small file whose repair (GEOS's make_valid) takes minutes and gigabytes."""
    import json
    import random

    rng = random.Random(0)
    ring = [[-1.75 + 0.05 * rng.random(), 53.85 + 0.05 * rng.random()] for _ in range(points)]
    feature = {
        "type": "Feature",
        "properties": {"WD23CD": "E05001341", "WD23NM": "Baildon"},
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_a_boundary_file_that_would_hold_the_server_is_refused_and_nothing_changes(
    writable_demo: Gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60 KB file of one self-crossing ward held the dashboard's server at 1.35 GB and a
    core for minutes (one of 1.26 MB took 22.7 GB), and the import lock with it (helper 96).
    The file is now read in a child process with memory and time limits, before the database
    is held: refused with its reason, the wards as they were."""
    from stalking_profile.importing import boundary_reader

    spiky = _self_crossing_ward(tmp_path / "spiky.geojson", 1_500)
    assert spiky.stat().st_size < 70_000
    monkeypatch.setattr(boundary_reader, "READ_SECONDS", 10)
    before = _ward_snapshot(writable_demo)
    with pytest.raises(
        BoundaryError, match="could not be read and its shapes repaired within 10 s"
    ):
        load_boundaries(writable_demo, spiky)
    assert _ward_snapshot(writable_demo).equals(before)


def test_a_geopackage_whose_layer_never_ends_is_refused(tmp_path: Path) -> None:
    """A 98 KB GeoPackage whose one layer is a view over an endless recursive query: reading
    it never finished (helper 96)."""
    import sqlite3

    import shapely

    from stalking_profile.importing.boundary_reader import read_boundaries_safely

    ward = gpd.GeoDataFrame(
        {"WD23CD": ["E05001341"], "WD23NM": ["Baildon"]},
        geometry=[shapely.box(-1.8, 53.8, -1.7, 53.9)],
        crs=4326,
    )
    path = tmp_path / "loop.gpkg"
    ward.to_file(path, layer="wards", driver="GPKG")
    with sqlite3.connect(path) as database:
        database.executescript(
            """
            CREATE VIEW v AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
            SELECT r.i AS fid, w.geom AS geom, w.WD23CD, w.WD23NM FROM r, wards AS w;
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
            VALUES ('v', 'features', 'v', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('v', 'geom', 'POLYGON', 4326, 0, 0);
            DELETE FROM gpkg_contents WHERE table_name = 'wards';
            DELETE FROM gpkg_geometry_columns WHERE table_name = 'wards';
            """
        )
    with pytest.raises(BoundaryError, match="within 10 s"):
        read_boundaries_safely(path, seconds=10)


def test_a_boundary_file_read_in_its_own_process_reads_as_in_this_one(tmp_path: Path) -> None:
    """The child's result is the file as read here, and its refusal the same words."""
    from stalking_profile.importing.boundary_reader import read_boundaries_safely

    safely = read_boundaries_safely(WEST_YORKSHIRE_2023)
    here = read_boundaries(WEST_YORKSHIRE_2023)
    assert safely.notes == here.notes and safely.frame.equals(here.frame)
    broken = tmp_path / "broken.geojson"
    broken.write_text(WEST_YORKSHIRE_2023.read_text()[:500])
    with pytest.raises(BoundaryError) as refused:
        read_boundaries(broken)
    with pytest.raises(BoundaryError, match=re.escape(str(refused.value))):
        read_boundaries_safely(broken)


def test_a_boundary_file_of_too_many_points_is_refused_before_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geography, "MOST_VERTICES", 1_000)
    spiky = _self_crossing_ward(tmp_path / "spiky.geojson", 1_500)
    with pytest.raises(BoundaryError, match="holds 1,501 points, more than the 1,000"):
        read_boundaries(spiky)
