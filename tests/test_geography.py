"""Ward geometry (geography.py): district outlines, contiguity, ward points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from stalking_profile import geography
from stalking_profile.db import Gateway


def test_district_outlines_have_no_stray_rings(demo_gateway: Gateway) -> None:
    """Fault 8: slivers and holes between wards drew dashes inside districts (118 rings for
    five districts); now one outer ring per district part."""
    frame = geography.ward_geodataframe(demo_gateway, None)
    lon, _ = geography.district_outlines(frame)
    rings = sum(1 for value in lon if value is None)
    assert rings == 5


def _same_geometry(made: geography.WardGeometry, cut: geography.WardGeometry) -> None:
    made_matrix, cut_matrix = made.weights.sparse.tocsr(), cut.weights.sparse.tocsr()
    assert made.wards.equals(cut.wards) and made.points.equals(cut.points)
    assert made.geojson == cut.geojson
    assert (made.outline_lon, made.outline_lat) == (cut.outline_lon, cut.outline_lat)
    # Gi* and Lee's L read the neighbours as this matrix: the same arrays, the same figures
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(made_matrix, part), getattr(cut_matrix, part)), part
    assert made.neighbour_count_min == cut.neighbour_count_min


@pytest.mark.parametrize(
    "districts",
    [("BD",), ("CD",), ("KD", "WD"), ("BD", "CD", "LD"), ("BD", "CD", "KD", "LD", "WD")],
)
def test_a_map_cut_from_the_force_is_the_map_made_afresh(
    demo_gateway: Gateway, districts: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A choice of districts' ward geometry cut from the force's (ForceWards: contiguity,
    dissolved districts and display outlines worked out once) is what working it out for
    those districts alone gives, down to the last coordinate and neighbour. Lines are
    simplified more the more wards a map has; the demo's 17 to 124 wards would all get the
    same tolerance, so here 17 wards get 20 m, 30 get 60 m and the force 120 m."""
    monkeypatch.setattr(
        geography,
        "display_tolerance_metres",
        lambda wards: 20.0 if wards <= 20 else 60.0 if wards <= 60 else 120.0,
    )
    force = geography.ForceWards(geography.ward_geodataframe(demo_gateway))
    _same_geometry(
        geography.ward_geometry(demo_gateway, districts),
        geography.ward_geometry(demo_gateway, districts, force),
    )


def test_a_ward_whose_neighbours_are_all_left_out_is_joined_to_its_nearest() -> None:
    """Cut from the force, a ward whose only neighbours are in districts not chosen is an
    island among the chosen wards, joined to its nearest as when worked out afresh."""
    squares = {  # A touches only B (another district); D stands apart from both
        "A": box(0, 0, 1000, 1000),
        "B": box(1000, 0, 2000, 1000),
        "D": box(5000, 0, 6000, 1000),
    }
    frame = gpd.GeoDataFrame(
        {"ward_code": list(squares), "district_code": ["X", "Y", "X"]},
        geometry=list(squares.values()),
        crs=geography.BRITISH_NATIONAL_GRID,
    ).to_crs(geography.WGS84)
    force = geography.ForceWards(frame)
    assert force.queen.neighbors[0] == [1]
    chosen = frame[frame["district_code"] == "X"].reset_index(drop=True)
    made = geography.contiguity_weights(chosen)
    cut = geography.contiguity_weights(chosen, force)
    assert force.queen_among(chosen["ward_code"]).islands == [0, 1]
    assert made.neighbors == cut.neighbors
    assert {ward: set(near) for ward, near in cut.neighbors.items()} == {0: {1}, 1: {0}}
    assert np.array_equal(made.sparse.toarray(), cut.sparse.toarray())
