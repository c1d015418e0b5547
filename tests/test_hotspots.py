"""Gi*, the multiple-testing correction, emerging hotspots and correspondence on constructed data."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from libpysal.weights import lat2W

from stalking_profile.measures import hotspots

GRID = lat2W(10, 10, rook=False)  # 100 cells, queen contiguity
BLOCK = [
    row * 10 + column for row in range(3, 6) for column in range(3, 6)
]  # cells 33-35, 43-45, 53-55


def test_gi_star_matches_the_hand_formula() -> None:
    """Getis and Ord's Gi* z-score with binary weights including the cell itself:
    z_i = (sum_j w_ij x_j - xbar sum_j w_ij) / (S sqrt((n sum_j w_ij^2 - (sum_j w_ij)^2) / (n - 1)))."""
    weights = lat2W(3, 3, rook=False)
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 20.0])
    z, p = hotspots.gi_star(x, weights)
    n = x.size
    w = np.array(weights.full()[0])
    np.fill_diagonal(w, 1)
    s = np.sqrt((x**2).mean() - x.mean() ** 2)
    with np.errstate(invalid="ignore"):  # the centre cell's denominator is 0
        expected = (w @ x - x.mean() * w.sum(1)) / (
            s * np.sqrt((n * (w**2).sum(1) - w.sum(1) ** 2) / (n - 1))
        )

    corners_and_edges = [0, 1, 2, 3, 5, 6, 7, 8]  # the centre neighbours everything: z undefined
    assert z[corners_and_edges] == pytest.approx(expected[corners_and_edges], abs=1e-9)
    assert z[8] == pytest.approx(1.6748, abs=1e-4)  # the high corner cell, worked by hand
    assert p[8] == pytest.approx(2 * (1 - 0.953), abs=2e-3)


def test_benjamini_hochberg() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06])
    assert hotspots.benjamini_hochberg_threshold(p, 0.05) == 0.008
    assert hotspots.benjamini_hochberg_threshold(np.array([0.2, 0.5]), 0.05) == 0.0


def test_planted_cluster_is_found() -> None:
    rng = np.random.default_rng(1)
    x = rng.poisson(20, 100).astype(float)
    x[BLOCK] = rng.poisson(40, 9)
    z, p = hotspots.gi_star(x, GRID)
    classes = hotspots.hotspot_classes(z, p)
    assert classes[44] == "Hot spot (99%)"  # the centre of the planted block
    flagged = {i for i, c in enumerate(classes) if c.startswith("Hot spot")}
    assert flagged <= set(BLOCK)  # nothing outside the cluster


def test_uniform_data_has_no_hotspot_at_95_percent() -> None:
    flagged = 0
    for seed in range(30):
        x = np.random.default_rng(seed).poisson(20, 100).astype(float)
        z, p = hotspots.gi_star(x, GRID)
        flagged += sum(
            c.endswith("(95%)") or c.endswith("(99%)") for c in hotspots.hotspot_classes(z, p)
        )
    assert flagged <= 3  # of 3,000 cells tested: the FDR keeps chance findings rare
    x = np.random.default_rng(0).poisson(20, 100).astype(float)
    z, p = hotspots.gi_star(x, GRID)
    assert not any(
        c.endswith("(95%)") or c.endswith("(99%)") for c in hotspots.hotspot_classes(z, p)
    )


def test_constant_values_have_no_hotspot() -> None:
    z, p = hotspots.gi_star(np.full(100, 7.0), GRID)
    assert set(hotspots.hotspot_classes(z, p)) == {"Not significant"}


def test_ward_turning_hot_in_the_last_period_is_a_new_hot_spot() -> None:
    rates = np.random.default_rng(2).poisson(20, (100, 8)).astype(float)
    rates[BLOCK, -1] = np.random.default_rng(3).poisson(45, 9)
    table, z = hotspots.emerging_hotspots(rates, GRID)
    assert z.shape == (100, 8)
    assert table["category"][44] == "New hot spot"
    assert table["periods_hot"][44] == 1


def test_ward_growing_hotter_is_intensifying() -> None:
    rates = np.random.default_rng(2).poisson(20, (100, 8)).astype(float)
    for period in range(8):
        rates[BLOCK, period] = np.random.default_rng(10 + period).poisson(45 + 5 * period, 9)
    table, _ = hotspots.emerging_hotspots(rates, GRID)
    row = table.row(44, named=True)
    assert row["category"] == "Intensifying hot spot"
    assert row["trend_tau"] > 0 and row["trend_p"] < 0.05


def test_emerging_categories_by_hand() -> None:
    z = np.zeros(10)
    hot = np.zeros(10, dtype=bool)
    cold = np.zeros(10, dtype=bool)
    assert hotspots._emerging_category(hot, cold, z, 0.05) == "No pattern detected"
    hot[-3:] = True
    assert hotspots._emerging_category(hot, cold, z, 0.05) == "Consecutive hot spot"
    hot[2] = True
    assert hotspots._emerging_category(hot, cold, z, 0.05) == "Sporadic hot spot"
    cold[4] = True
    assert hotspots._emerging_category(hot, cold, z, 0.05) == "Oscillating hot spot"
    always = np.ones(10, dtype=bool)
    assert (
        hotspots._emerging_category(always, np.zeros(10, dtype=bool), np.arange(10.0), 0.05)
        == "Intensifying hot spot"
    )
    assert (
        hotspots._emerging_category(always, np.zeros(10, dtype=bool), np.full(10, 3.0), 0.05)
        == "Persistent hot spot"
    )
    faded = always.copy()
    faded[-1] = False
    assert (
        hotspots._emerging_category(faded, np.zeros(10, dtype=bool), np.full(10, 3.0), 0.05)
        == "Historical hot spot"
    )


def _layer(counts: np.ndarray, population: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ward_code": [f"W{i}" for i in range(len(counts))],
            "offences": counts,
            "population": population,
            "rate": counts / population * 1000,
        }
    )


def test_lees_l_equals_pysal_esda() -> None:
    """Reference: esda.lee.Spatial_Pearson with the same row-standardised neighbourhoods
    (each cell with itself); tolerance 1e-12."""
    import esda.lee

    rng = np.random.default_rng(3)
    grid = lat2W(12, 12, rook=False)
    x, y = rng.gamma(2.0, 3.0, 144), rng.gamma(2.0, 3.0, 144)
    smoothing = hotspots._neighbourhoods(grid, np.arange(144))
    reference = esda.lee.Spatial_Pearson(connectivity=smoothing, permutations=0).fit(
        x.reshape(-1, 1), y.reshape(-1, 1)
    )
    assert hotspots.lees_l(x, y, smoothing) == pytest.approx(
        reference.association_[0, 1], abs=1e-12
    )


def test_correspondence_of_identical_layers() -> None:
    rng = np.random.default_rng(5)
    population = rng.integers(5_000, 15_000, 60)
    counts = rng.poisson(population / 1000 * 3)
    frame = _layer(counts, population)
    same = hotspots.correspondence(frame, frame, "A", "B", lat2W(6, 10, rook=False))
    assert same["related"] and same["lees_l_p"] < 0.01
    assert same["smoothed_correlation"] == pytest.approx(1.0) and "strongly" in same["sentence"]
    assert same["top_decile_overlap"] == same["top_decile"] == 6 and same["jaccard"] == 1.0


def test_a_correspondence_on_few_offences_says_so_and_counts_one_ward_as_one() -> None:
    """Helper 89: Calderdale's non-DA stalking, July to September 2021, "match strongly" on 11
    offences, and "1 of the 2 wards ... are among". On few offences (under the small-numbers
    threshold) the sentence says so; one ward is one."""
    population = 10_000 + 100 * np.arange(12)
    few = np.array([3, 2, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0])
    other = np.array([9, 0, 1, 0, 2, 1, 0, 1, 6, 0, 1, 0])  # the top two: wards 0 and 8
    grid = lat2W(3, 4, rook=False)
    result = hotspots.correspondence(
        _layer(few, population), _layer(other, population), "Stalking", "Harassment", grid
    )
    assert "rests on only 8 stalking offences" in result["sentence"]
    assert result["top_decile"] == 2 and result["top_decile_overlap"] == 1
    assert "1 of the 2 wards with the most excess stalking is among" in result["sentence"]
    many = hotspots.correspondence(
        _layer(few * 10, population), _layer(other, population), "Stalking", "Harassment", grid
    )
    assert "rests on only" not in many["sentence"]


def _demo_wards():
    import geopandas as gpd

    from stalking_profile.config import DEMO_DIR
    from stalking_profile.geography import contiguity_weights

    wards = gpd.read_file(DEMO_DIR / "wards.geojson")
    return wards["population"].to_numpy(), contiguity_weights(wards)


@pytest.mark.parametrize("construction", ["in proportion to population", "unrelated to it"])
def test_independent_layers_are_not_called_related(construction: str) -> None:
    """Fault 5: two independent layers on the demo's 124 wards must be called related in at
    most 5 of 100 seeds: layers that grow with the real ward populations, and layers whose
    counts have nothing to do with random populations. On the second, the rank correlation of
    rates (the method before) claimed a relation in every seed: the rates share 1 / population."""
    population, weights = _demo_wards()
    claims = rate_claims = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        if construction == "in proportion to population":
            people, scale = population, population / 1000 * 2
        else:
            people, scale = rng.integers(500, 20_000, len(population)), np.full(len(population), 20)
        first = rng.poisson(scale * rng.gamma(4, 1 / 4, len(people)))
        second = rng.poisson(scale * rng.gamma(4, 1 / 4, len(people)))
        result = hotspots.correspondence(
            _layer(first, people), _layer(second, people), "A", "B", weights, permutations=199
        )
        claims += result["related"]
        rate_claims += result["rate_p"] < 0.05 and result["rate_rho"] > 0
    assert claims <= 5, (claims, rate_claims)
    if construction == "unrelated to it":
        assert rate_claims >= 95


def test_excess_risk_equals_statsmodels_poisson_residuals() -> None:
    """Reference: statsmodels GLM, Poisson on log population, Pearson residuals; 1e-8."""
    import statsmodels.api as sm

    population, _ = _demo_wards()
    counts = np.random.default_rng(1).poisson(population / 1000 * 2)
    fit = sm.GLM(counts, sm.add_constant(np.log(population)), family=sm.families.Poisson()).fit()
    assert hotspots.excess_risk(counts, population) == pytest.approx(fit.resid_pearson, abs=1e-8)


def test_a_planted_shared_hotspot_is_found() -> None:
    """Both layers three times as high in one ward and its neighbours: found, with the
    planted wards in both top deciles."""
    population, weights = _demo_wards()
    rng = np.random.default_rng(7)
    centre = int(np.argmax(population))
    planted = np.array([centre, *weights.neighbors[centre]])
    risk = np.ones(len(population))
    risk[planted] = 3.0
    first = rng.poisson(population / 1000 * 2 * risk)
    second = rng.poisson(population / 1000 * 2 * risk)
    result = hotspots.correspondence(
        _layer(first, population), _layer(second, population), "A", "B", weights
    )
    assert result["related"] and result["lees_l_p"] < 0.01
    assert "line up" not in result["sentence"] and "area by area" in result["sentence"]
    top = result["top_decile"]
    assert (
        f"Ward by ward, {result['top_decile_overlap']} of the {top} wards" in (result["sentence"])
    )


def test_gi_star_equals_pysal_esda() -> None:
    import warnings

    import esda

    rng = np.random.default_rng(11)
    weights = lat2W(20, 20, rook=False)
    values = rng.gamma(2.0, 5.0, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = esda.G_Local(values, weights, transform="B", permutations=0, star=True)
    z, _ = hotspots.gi_star(values, weights)
    assert z == pytest.approx(np.asarray(reference.Zs), abs=1e-9)


def test_space_time_gi_star_equals_pysal_on_the_cube() -> None:
    """Reference: esda.G_Local (star, binary) on the flattened cube with the space-time
    neighbourhood (the ward's neighbours this period and the period before); 1e-9."""
    import warnings

    import esda
    from libpysal.weights import WSP
    from scipy import sparse

    rng = np.random.default_rng(4)
    rates = rng.gamma(2.0, 5.0, (100, 5))
    z, _ = hotspots.space_time_gi_star(rates, GRID, time_steps=1)
    space = GRID.sparse.tocsr().astype(bool).astype(float)
    space.setdiag(1.0)
    lags = sparse.eye(5, format="csr") + sparse.eye(5, k=-1, format="csr")
    cube = sparse.kron(lags, space, format="csr").tolil()
    cube.setdiag(0)  # esda adds each bin itself (star)
    cube_weights = WSP(cube.tocsr()).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = esda.G_Local(
            rates.T.ravel(), cube_weights, transform="B", permutations=0, star=True
        )
    assert z.T.ravel() == pytest.approx(np.asarray(reference.Zs), abs=1e-9)


def test_a_noise_cube_has_almost_no_pattern() -> None:
    """Fault 4: on pure noise, raw p < 0.05 per ward-quarter makes 'patterns' by chance;
    with each quarter's false discovery rate controlled, at most 5 of 100 wards have one."""
    patterned = 0
    for seed in range(5):
        rates = np.random.default_rng(seed).poisson(20, (100, 6)).astype(float)
        table, _ = hotspots.emerging_hotspots(rates, GRID)
        patterned += (table["category"] != "No pattern detected").sum()
    assert patterned <= 25  # of 500 wards


@pytest.mark.parametrize(
    ("hot", "cold", "trend", "category"),
    [
        ("....H", ".....", 0, "New hot spot"),
        ("...HH", ".....", 0, "Consecutive hot spot"),
        ("HHHHHHHHHH", "..........", 1, "Intensifying hot spot"),
        ("HHHHHHHHHH", "..........", 0, "Persistent hot spot"),
        ("HHHHHHHHHH", "..........", -1, "Diminishing hot spot"),
        ("H.H.H", ".....", 0, "Sporadic hot spot"),
        ("..H.H", ".C...", 0, "Oscillating hot spot"),
        ("HHHHHHHHH.", "..........", 0, "Historical hot spot"),
        ("HHHH.", ".....", 0, "No pattern detected"),  # 4 of 5 is under 90%: not historical
        (".....", "....C", 0, "New cold spot"),
        (".....", "...CC", 0, "Consecutive cold spot"),
        ("..........", "CCCCCCCCCC", -1, "Intensifying cold spot"),
        ("..........", "CCCCCCCCCC", 0, "Persistent cold spot"),
        ("..........", "CCCCCCCCCC", 1, "Diminishing cold spot"),
        (".....", "C.C.C", 0, "Sporadic cold spot"),
        (".H...", "..C.C", 0, "Oscillating cold spot"),
        ("..........", "CCCCCCCCC.", 0, "Historical cold spot"),
        (".....", ".....", 0, "No pattern detected"),
    ],
)
def test_each_emerging_category_as_arcgis_pro_defines_it(hot, cold, trend, category) -> None:
    """Each category of ArcGIS Pro's Emerging Hot Spot Analysis, on a constructed ward's
    hot and cold flags per period (trend: the direction of its z-scores, +1 rising)."""
    flags_hot = np.array([c == "H" for c in hot])
    flags_cold = np.array([c == "C" for c in cold])
    sign = np.where(flags_hot, 3.0, np.where(flags_cold, -3.0, 0.0))
    z = sign + trend * np.arange(len(hot)) * 0.5
    assert hotspots._emerging_category(flags_hot, flags_cold, z, 0.05) == category


def test_a_ward_with_no_population_takes_each_periods_mean_rate() -> None:
    """A helper agent's trial: a ward with no population had a rate of 0 in every quarter, so
    Leeds's three busiest wards, their populations blanked, fell out of every hot quarter and
    five other wards changed category. It now takes each period's mean rate over the wards
    with a population (neutral), as the Gi* map gives it."""
    from datetime import date

    wards = pl.DataFrame(
        {"ward_code": ["A", "B", "C"], "population": [1_000, None, 2_000]},
        schema={"ward_code": pl.String, "population": pl.Int64},
    )
    counts = pl.DataFrame(
        {
            "ward_code": ["A", "B", "C", "A", "B", "C"],
            "recorded_month": [date(2021, 1, 1)] * 3 + [date(2021, 4, 1)] * 3,
            "offences": [2, 50, 6, 4, 60, 2],
        }
    )
    rates, totals = hotspots.period_rates(counts, wards, date(2021, 1, 1), 2, 3)
    # A: 2 and 4 per 1,000; C: 3 and 1 per 1,000; B: the mean of A and C in each quarter
    assert rates.tolist() == [[2.0, 4.0], [2.5, 2.5], [3.0, 1.0]]
    assert dict(totals.iter_rows()) == {"A": 6, "B": 110, "C": 8}  # its offences still counted
