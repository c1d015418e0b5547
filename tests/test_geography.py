"""Ward geometry (geography.py): district outlines, contiguity, ward points."""

from __future__ import annotations

from stalking_profile import geography
from stalking_profile.db import Gateway


def test_district_outlines_have_no_stray_rings(demo_gateway: Gateway) -> None:
    """Fault 8: slivers and holes between wards drew dashes inside districts (118 rings for
    five districts); now one outer ring per district part."""
    frame = geography.ward_geodataframe(demo_gateway, None)
    lon, _ = geography.district_outlines(frame)
    rings = sum(1 for value in lon if value is None)
    assert rings == 5
