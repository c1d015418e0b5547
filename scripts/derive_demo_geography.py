"""Derive the demo force's ward geography from the real ONS files in ../shared/data/.

Run once by a developer (the outputs are committed; a fresh clone never needs ../shared/):

    uv run python scripts/derive_demo_geography.py [--shared ../shared/data]

Writes data/demo/wards.geojson: one feature per 2013 ONS ward in the five West Yorkshire
districts, geometry simplified for display (about 30 m in British National Grid), with
`ward_code`, `ward_name`, `district_code` and `population` (mid-2019 residents: each LSOA
2011's population is given to the ward that holds the LSOA's centroid).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

DISTRICTS = {
    "E08000032": "BD",
    "E08000033": "CD",
    "E08000034": "KD",
    "E08000035": "LD",
    "E08000036": "WD",
}
SIMPLIFY_METRES = 30.0
ROOT = Path(__file__).resolve().parents[1]


def load_wards(shared: Path) -> gpd.GeoDataFrame:
    """The 2013 wards of the five districts, tagged with the force's district code."""
    frames = []
    for lad_code, district_code in DISTRICTS.items():
        wards = gpd.read_file(shared / "boundaries" / f"wards_WD13_{lad_code}.geojson")
        wards = wards.rename(columns={"WD13CD": "ward_code", "WD13NM": "ward_name"})
        wards["district_code"] = district_code
        frames.append(wards[["ward_code", "ward_name", "district_code", "geometry"]])
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def load_lsoa_population(shared: Path) -> gpd.GeoDataFrame:
    """LSOA 2011 centroids (in British National Grid) with their mid-2019 population."""
    population = pd.read_csv(
        shared / "population" / "lsoa11_mid2019_population_uk_mysociety.csv",
        encoding="utf-8-sig",
        thousands=",",
    )
    population = population[population["lsoa"] != "Grand Total"]
    frames = [
        gpd.read_file(shared / "boundaries" / f"lsoa11_{lad_code}.geojson")
        for lad_code in DISTRICTS
    ]
    lsoas = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    lsoas = lsoas.merge(population, left_on="LSOA11CD", right_on="lsoa", how="left")
    if lsoas["pop"].isna().any():
        missing = lsoas.loc[lsoas["pop"].isna(), "LSOA11CD"].tolist()
        raise SystemExit(f"LSOAs without a population: {missing[:10]}")
    centroids = lsoas.to_crs(27700)
    centroids["geometry"] = centroids.geometry.representative_point()
    return centroids[["LSOA11CD", "pop", "geometry"]]


def derive(shared: Path) -> gpd.GeoDataFrame:
    """Wards with population and simplified geometry."""
    wards = load_wards(shared).to_crs(27700)
    wards["geometry"] = wards.geometry.make_valid()
    lsoas = load_lsoa_population(shared)
    joined = gpd.sjoin(lsoas, wards[["ward_code", "geometry"]], predicate="within", how="left")
    if joined["ward_code"].isna().any():
        nearest = gpd.sjoin_nearest(
            lsoas[joined["ward_code"].isna().to_numpy()], wards[["ward_code", "geometry"]]
        )
        joined.loc[joined["ward_code"].isna(), "ward_code"] = nearest["ward_code"].to_numpy()
    population = joined.groupby("ward_code")["pop"].sum().astype(int).rename("population")
    wards = wards.merge(population, left_on="ward_code", right_index=True, how="left")
    wards["population"] = wards["population"].fillna(0).astype(int)
    wards["geometry"] = wards.geometry.simplify(SIMPLIFY_METRES, preserve_topology=True)
    wards = wards.to_crs(4326)
    wards["geometry"] = wards.geometry.set_precision(0.00001)
    return wards.sort_values(["district_code", "ward_code"]).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    wards = derive(args.shared)
    out = ROOT / "data" / "demo" / "wards.geojson"
    collection = json.loads(wards.to_json(drop_id=True))
    out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {len(wards)} wards)")
    print(wards.groupby("district_code")["population"].agg(["count", "sum"]))


if __name__ == "__main__":
    main()
