"""Ward hotspots: rates per 1,000 residents, Getis-Ord Gi* with a multiple-testing correction,
emerging hotspots over time, and whether two layers' hotspots correspond.

Gi* (Getis and Ord 1992; Ord and Getis 1995) compares each ward's neighbourhood - the ward and
its queen-contiguous neighbours - with the whole area; its z-score is large and positive where
high rates cluster. With one test per ward, some wards pass by chance; significance here is
corrected with the Benjamini-Hochberg false discovery rate at each confidence level.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
from scipy.stats import kendalltau, norm, spearmanr

from stalking_profile.config import SMALL_DENOMINATOR

LEVELS: tuple[int, ...] = (99, 95, 90)
CLASS_ORDER: tuple[str, ...] = (
    "Hot spot (99%)",
    "Hot spot (95%)",
    "Hot spot (90%)",
    "Not significant",
    "Cold spot (90%)",
    "Cold spot (95%)",
    "Cold spot (99%)",
)
EMERGING_ORDER: tuple[str, ...] = (
    "New hot spot",
    "Consecutive hot spot",
    "Intensifying hot spot",
    "Persistent hot spot",
    "Diminishing hot spot",
    "Sporadic hot spot",
    "Oscillating hot spot",
    "Historical hot spot",
    "New cold spot",
    "Consecutive cold spot",
    "Intensifying cold spot",
    "Persistent cold spot",
    "Diminishing cold spot",
    "Sporadic cold spot",
    "Oscillating cold spot",
    "Historical cold spot",
    "No pattern detected",
)

# Each emerging category in plain words, hot spots' (a cold spot's the same of cold quarters):
# ArcGIS Pro's names had been left to the reader to look up (a helper agent's trial).
_HOT_MEANINGS = {
    "New": "hot in the latest quarter, never before",
    "Consecutive": "hot in an unbroken run of two or more quarters up to the latest, never before",
    "Intensifying": "hot in nearly every quarter (90% or more) and the latest, and getting hotter",
    "Persistent": "hot in nearly every quarter (90% or more) and the latest, with no clear trend",
    "Diminishing": "hot in nearly every quarter (90% or more) and the latest, but cooling",
    "Sporadic": "hot in the latest quarter and on and off before it, never cold",
    "Oscillating": "hot in the latest quarter, but cold in an earlier one",
    "Historical": "hot in nearly every quarter (90% or more), but not the latest",
}


def category_meanings(categories: list[str]) -> str:
    """What each of `categories` (emerging hot and cold spot categories) means, in the
    order of EMERGING_ORDER, as one sentence for a map's caption ("" for none to explain).

    >>> category_meanings(["Oscillating cold spot", "New hot spot", "No pattern detected"])
    'New hot spot: hot in the latest quarter, never before. Oscillating cold spot: cold in the latest quarter, but hot in an earlier one.'
    """
    explained = []
    for category in EMERGING_ORDER:
        if category not in categories or category == "No pattern detected":
            continue
        kind, hot = category.split()[0], category.endswith("hot spot")
        meaning = _HOT_MEANINGS[kind]
        if not hot:  # hot and cold swapped, word for word
            meaning = " ".join(
                {"hot": "cold", "cold": "hot", "hotter": "colder", "cooling": "warming"}.get(w, w)
                for w in meaning.split(" ")
            )
        explained.append(f"{category}: {meaning}.")
    return " ".join(explained)


def rate_per_1000(counts: pl.Expr, population: pl.Expr) -> pl.Expr:
    """Offences per 1,000 residents (null where the population is unknown or zero)."""
    return pl.when(population > 0).then(counts / population * 1000).otherwise(None)


def gi_star(values: np.ndarray, weights) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores with binary weights that include each ward itself, and their two-sided
    p-values from the normal approximation. Constant values give z = 0, p = 1.

    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1))), with
    W_i = sum_j w_ij and S the population standard deviation (Ord and Getis 1995). Computed as
    one sparse matrix product; tests check it against PySAL's esda.G_Local and a hand-worked
    example. A ward neighbouring every other ward has no defined z and gets 0.
    """
    binary = weights.sparse.tocsr().astype(bool).astype(float)
    binary.setdiag(1.0)
    return _gi_star_binary(np.asarray(values, dtype=float), binary)


def _gi_star_binary(values: np.ndarray, binary) -> tuple[np.ndarray, np.ndarray]:
    """Gi* (see gi_star) for a binary sparse neighbour matrix that already includes each
    unit itself."""
    if values.size == 0 or np.allclose(values, values[0]):
        return np.zeros(values.size), np.ones(values.size)
    n = values.size
    weight_sums = np.asarray(binary.sum(axis=1)).ravel()
    mean = values.mean()
    spread = np.sqrt((values**2).mean() - mean**2)
    numerator = binary @ values - mean * weight_sums
    variance = (n * weight_sums - weight_sums**2) / (n - 1)  # binary: sum of w^2 = sum of w
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, numerator / (spread * np.sqrt(np.maximum(variance, 0))), 0.0)
    z = np.nan_to_num(z)
    return z, 2 * norm.sf(np.abs(z))


def benjamini_hochberg_threshold(p_values: np.ndarray, alpha: float) -> float:
    """The largest p-value that stays significant at false discovery rate `alpha`
    (Benjamini-Hochberg step-up); 0 when none does.

    >>> benjamini_hochberg_threshold(np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06]), 0.05)
    0.008
    """
    ordered = np.sort(np.asarray(p_values, dtype=float))
    m = ordered.size
    passing = ordered <= alpha * np.arange(1, m + 1) / m
    return float(ordered[np.flatnonzero(passing)[-1]]) if passing.any() else 0.0


def hotspot_classes(z: np.ndarray, p: np.ndarray, correct: bool = True) -> list[str]:
    """Hot / cold spot at 99, 95 or 90% confidence, or not significant, for each ward.

    With `correct`, a ward is significant at a level only if its p-value is within the
    Benjamini-Hochberg threshold for that level's false discovery rate.
    """
    classes = np.full(z.size, "Not significant", dtype=object)
    for level in sorted(LEVELS):  # 90 first, so stronger levels overwrite weaker ones
        alpha = 1 - level / 100
        threshold = benjamini_hochberg_threshold(p, alpha) if correct else alpha
        significant = p <= threshold
        classes[significant & (z > 0)] = f"Hot spot ({level}%)"
        classes[significant & (z < 0)] = f"Cold spot ({level}%)"
    return classes.tolist()


def ward_hotspots(ward_values: pl.DataFrame, weights, correct: bool = True) -> pl.DataFrame:
    """Gi* on ward rates per 1,000 residents.

    `ward_values` has ward_code, population and offences, in the weights' row order; offences
    are those recorded in the period for the filter. Wards with unknown population take the
    mean rate (neutral) and are marked. Adds rate, gi_z, gi_p and hotspot.
    """
    frame = ward_values.with_columns(
        rate_per_1000(pl.col("offences"), pl.col("population")).alias("rate")
    )
    rates = frame["rate"].to_numpy().astype(float)
    mean_rate = np.nanmean(rates) if np.isfinite(rates).any() else 0.0
    filled = np.where(np.isfinite(rates), rates, mean_rate)
    z, p = gi_star(filled, weights)
    return frame.with_columns(
        pl.Series("gi_z", z),
        pl.Series("gi_p", p),
        pl.Series("hotspot", hotspot_classes(z, p, correct), dtype=pl.String),
        pl.col("rate").is_null().alias("population_unknown"),
    )


def mann_kendall(series: np.ndarray) -> tuple[float, float]:
    """Mann-Kendall trend test: Kendall's tau between the series and time, and its two-sided
    p-value (1 for fewer than three points or a constant series)."""
    series = np.asarray(series, dtype=float)
    if series.size < 3 or np.allclose(series, series[0]):
        return 0.0, 1.0
    tau, p = kendalltau(np.arange(series.size), series)
    return float(tau), float(p if not math.isnan(p) else 1.0)


def _emerging_category(hot: np.ndarray, cold: np.ndarray, z: np.ndarray, alpha: float) -> str:
    """One ward's category from its per-period hot and cold flags, as ArcGIS Pro's Emerging
    Hot Spot Analysis defines them (for hot; cold alike):

    - new: hot in the final period and never before;
    - consecutive: one uninterrupted run of at least two hot periods ending in the final one,
      never hot before it, and hot in under 90% of periods;
    - intensifying / persistent / diminishing: hot in at least 90% of periods including the
      final one, with a significant rising / no significant / a significant falling
      Mann-Kendall trend in its z-scores;
    - sporadic: hot in the final period, on and off before, under 90%, never cold;
    - oscillating: hot in the final period, cold in an earlier one, under 90% hot;
    - historical: not hot in the final period, but hot in at least 90% of all periods;
    - no pattern detected: none of these.

    A ward that was cold before and is newly, or consecutively, hot fits both those words and
    oscillating's; it is oscillating, the category that says it was once cold."""
    for kind, flags, opposite in (("hot", hot, cold), ("cold", cold, hot)):
        share = flags.mean()
        tau, p = mann_kendall(z if kind == "hot" else -z)
        if flags[-1]:
            if share >= 0.9:
                if p < alpha and tau > 0:
                    return f"Intensifying {kind} spot"
                if p < alpha and tau < 0:
                    return f"Diminishing {kind} spot"
                return f"Persistent {kind} spot"
            if opposite[:-1].any():
                return f"Oscillating {kind} spot"
            if flags.sum() == 1:
                return f"New {kind} spot"
            run = len(flags) - np.flatnonzero(~flags)[-1] - 1 if (~flags).any() else len(flags)
            if run == flags.sum():
                return f"Consecutive {kind} spot"
            return f"Sporadic {kind} spot"
        if share >= 0.9:
            return f"Historical {kind} spot"
    return "No pattern detected"


def space_time_gi_star(
    rates_by_period: np.ndarray, weights, time_steps: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* on the space-time cube, as ArcGIS Pro's Emerging Hot Spot Analysis computes it: the
    neighbourhood of a ward in a period is the ward and its neighbours in that period and in
    the `time_steps` periods before it, and the mean and spread are the whole cube's. Returns
    z and two-sided p, wards x periods."""
    from scipy import sparse

    wards, periods = rates_by_period.shape
    space = weights.sparse.tocsr().astype(bool).astype(float)
    space.setdiag(1.0)
    lags = sparse.csr_matrix((periods, periods))
    for lag in range(time_steps + 1):
        lags = lags + sparse.eye(periods, k=-lag, format="csr")
    cube = sparse.kron(lags, space, format="csr")  # bin index = period x wards + ward
    values = np.asarray(rates_by_period, dtype=float).T.ravel()
    z, p = _gi_star_binary(values, cube)
    return z.reshape(periods, wards).T, p.reshape(periods, wards).T


def emerging_hotspots(
    rates_by_period: np.ndarray, weights, alpha: float = 0.05, time_steps: int = 1
) -> tuple[pl.DataFrame, np.ndarray]:
    """Space-time Gi* per ward per period and each ward's emerging-hotspot category.

    `rates_by_period` is wards x periods (rates per 1,000, weights' row order). Each period's
    rates are first taken relative to that period's mean, so that a rise (or fall) across the
    whole force does not make every ward hot in recent periods and cold in early ones (on the
    cube's overall mean, the demo's 46 months of growth made 81 of 124 wards "oscillating").
    Gi* is space_time_gi_star (neighbours this period and the `time_steps` before). A ward is hot
    (cold) in a period when its z is positive (negative) and its p-value passes the
    Benjamini-Hochberg false discovery rate `alpha` over that period's wards (ArcGIS Pro
    corrects each time step); the trend is a Mann-Kendall test on its z-scores. Returns one
    row per ward (category, periods hot, periods cold, trend tau and p) and the z matrix.
    """
    wards, periods = rates_by_period.shape
    means = rates_by_period.mean(axis=0)
    relative = np.divide(
        rates_by_period,
        means[None, :],
        out=np.zeros_like(rates_by_period, dtype=float),
        where=means[None, :] > 0,
    )
    z, p = space_time_gi_star(relative, weights, time_steps)
    thresholds = np.array([benjamini_hochberg_threshold(p[:, t], alpha) for t in range(periods)])
    significant = p <= thresholds[None, :]
    hot = (z > 0) & significant
    cold = (z < 0) & significant
    categories = [_emerging_category(hot[i], cold[i], z[i], alpha) for i in range(wards)]
    trends = [mann_kendall(z[i]) for i in range(wards)]
    frame = pl.DataFrame(
        {
            "category": categories,
            "periods_hot": hot.sum(axis=1),
            "periods_cold": cold.sum(axis=1),
            "trend_tau": [t for t, _ in trends],
            "trend_p": [q for _, q in trends],
        }
    )
    return frame, z


def excess_risk(offences: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Each ward's excess over what its population predicts, as a Pearson residual
    (observed - expected) / sqrt(expected), where expected comes from the layer's own Poisson
    regression on log population (log expected = a + g x log population, fitted by iteratively
    reweighted least squares): g = 1 is a constant rate per resident, but a layer may rise
    more or less than in proportion to ward size. Rates per 1,000 share the wards'
    populations, so two independent layers' rates correlate by chance (a small ward's rate is
    extreme in both); their residuals do not."""
    observed = np.asarray(offences, dtype=float)
    size = np.log(np.asarray(population, dtype=float))
    if observed.sum() == 0:
        return np.zeros_like(observed)
    design = np.column_stack([np.ones_like(size), size - size.mean()])
    coefficients = np.array([np.log(observed.mean()), 1.0])
    for _ in range(50):
        expected = np.exp(design @ coefficients)
        working = design @ coefficients + (observed - expected) / expected
        weighted = design * expected[:, None]
        step = np.linalg.solve(design.T @ weighted, weighted.T @ working)
        if np.allclose(step, coefficients, rtol=0, atol=1e-10):
            coefficients = step
            break
        coefficients = step
    expected = np.exp(design @ coefficients)
    return (observed - expected) / np.sqrt(expected)


def lees_l(x: np.ndarray, y: np.ndarray, weights) -> float:
    """Lee's L, the bivariate spatial Pearson statistic (Lee 2001, eq. 18):
    L = z_x' (V'V) z_y / 1' (V'V) 1 with z the standardised values and V the row-standardised
    neighbours (each ward with itself: a spatially smoothed correlation). Equals PySAL's
    esda.lee.Spatial_Pearson given the same V. `weights` is a scipy sparse matrix."""
    zx = (x - x.mean()) / x.std()
    zy = (y - y.mean()) / y.std()
    smoothing = weights.T @ weights
    ones = np.ones(len(x))
    return float(zx @ (smoothing @ zy) / (ones @ (smoothing @ ones)))


def _neighbourhoods(weights, positions: np.ndarray):
    """The row-standardised neighbour matrix, each ward with itself, for the wards at
    `positions` (identity without weights: L is then Pearson's r)."""
    from scipy import sparse

    n = len(positions)
    if weights is None:
        return sparse.identity(n, format="csr")
    binary = weights.sparse.tocsr()[positions][:, positions].astype(bool).astype(float)
    binary = binary + sparse.identity(n, format="csr")
    rows = np.asarray(binary.sum(axis=1)).ravel()
    return sparse.diags(1 / rows) @ binary


PERMUTATIONS = 999


def _mid_sentence(label: str) -> str:
    """A layer's label inside a sentence: "Stalking" -> "stalking", "Non-DA stalking" ->
    "non-DA stalking", "DA stalking" unchanged."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _relocated_l(x: np.ndarray, y: np.ndarray, weights, permutations: int, seed: int) -> np.ndarray:
    """Lee's L of x against `permutations` random relocations of y, all at once (L is linear
    in the standardised y, so each relocation is one dot product)."""
    zx = (x - x.mean()) / x.std()
    zy = (y - y.mean()) / y.std()
    smoothing = weights.T @ weights
    ones = np.ones(len(x))
    towards = smoothing @ zx / (ones @ (smoothing @ ones))
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.tile(zy, (permutations, 1)), axis=1)
    return shuffled @ towards


def correspondence(
    first: pl.DataFrame,
    second: pl.DataFrame,
    first_label: str,
    second_label: str,
    weights=None,
    permutations: int = PERMUTATIONS,
    seed: int = 20220131,
) -> dict[str, object]:
    """How far two ward layers' hotspots line up, beyond what population explains.

    Each frame has ward_code, offences, population and rate (per 1,000), in the row order of
    `weights` (a libpysal W of the wards, or None). Each layer's excess risk (excess_risk) is
    compared with Lee's L (lees_l) over each ward and its neighbours, and tested by
    `permutations` random relocations of the second layer's values (one-sided: p = (1 + the
    relocations with L at least as large) / (1 + permutations), seeded, so a page always says
    the same). A correspondence is claimed only when p < 0.05 and L > 0. Also returned, as
    description: Spearman's rho of counts and of rates (rates sharing a denominator are
    correlated by chance, so they decide nothing), and the wards in both layers' top decile of
    excess risk (count and Jaccard index)."""
    joined = (
        first.with_row_index("__position")
        .select(
            "__position",
            "ward_code",
            "population",
            pl.col("offences").alias("a_count"),
            pl.col("rate").alias("a_rate"),
        )
        .join(
            second.select(
                "ward_code", pl.col("offences").alias("b_count"), pl.col("rate").alias("b_rate")
            ),
            on="ward_code",
            maintain_order="left",  # the permutation test and the top decile's ties follow it
        )
        .drop_nulls()
        .filter(pl.col("population") > 0)
    )
    n = joined.height
    if n < 5:
        return {"wards": n, "sentence": "Too few wards with data in both layers to compare."}
    population = joined["population"].to_numpy()
    a = excess_risk(joined["a_count"].to_numpy(), population)
    b = excess_risk(joined["b_count"].to_numpy(), population)
    if a.std() == 0 or b.std() == 0:
        return {
            "wards": n,
            "sentence": "One layer is spread exactly as the population: nothing to compare.",
        }
    smoothing = _neighbourhoods(weights, joined["__position"].to_numpy())
    statistic = lees_l(a, b, smoothing)
    relocated = _relocated_l(a, b, smoothing, permutations, seed)
    p_value = float((1 + (relocated >= statistic).sum()) / (1 + permutations))
    count_rho, count_p = spearmanr(joined["a_count"], joined["b_count"])
    rate_rho, rate_p = spearmanr(joined["a_rate"], joined["b_rate"])
    top = max(1, math.ceil(n / 10))
    codes = joined["ward_code"].to_numpy()
    top_a = set(codes[np.argsort(-a, kind="stable")[:top]])
    top_b = set(codes[np.argsort(-b, kind="stable")[:top]])
    both = len(top_a & top_b)
    jaccard = both / len(top_a | top_b)
    related = p_value < 0.05 and statistic > 0
    # L = sqrt(SSS_a x SSS_b) x the correlation of the smoothed layers (Lee 2001): that
    # correlation, not L, says how strongly they line up
    smoothed = statistic / np.sqrt(lees_l(a, a, smoothing) * lees_l(b, b, smoothing))
    strength = "strongly" if smoothed >= 0.6 else "moderately" if smoothed >= 0.3 else "weakly"
    # A helper agent read "strongly co-located" beside 4 of 13 top wards shared as a
    # contradiction: the first is of areas (a ward with its neighbours), the second of single
    # wards, and the sentence now says which is which, in words before the statistics' names.
    first_words, second_words = _mid_sentence(first_label), _mid_sentence(second_label)
    sentence = (
        f"{first_label} and {second_label}: "
        + (
            f"areas (a ward with its neighbours) with more {first_words} than their population "
            f"predicts also have more {second_words}; the two match {strength} area by area "
            f"(correlation of the areas' figures {smoothed:.2f}; Lee's L = {statistic:.2f}, "
            f"p = {p_value:.3f} against {permutations} random relocations; {n} wards)."
            if related
            else f"no evidence that their hotspots line up beyond what population explains "
            f"(Lee's L = {statistic:.2f}, p = {p_value:.3f} against {permutations} random "
            f"relocations; {n} wards)."
        )
        + f" Ward by ward, {both} of the {top} wards with the most excess {first_words} "
        f"{'is' if both == 1 else 'are'} among the {top} with the most excess {second_words}"
        + (
            " (Jaccard index, the share of the top wards in both: "
            f"{both} of {len(top_a | top_b)}, {jaccard:.2f})"
            + (
                ": areas match more closely than single wards do."
                if related and both * 2 < top
                else "."
            )
        )
    )
    counted = int(joined["a_count"].sum())
    if counted < SMALL_DENOMINATOR:  # "match strongly" on 11 offences (helper 89)
        sentence += (
            f" This rests on only {counted:,} {first_words} offences: few enough for chance "
            "to make or break a match, so read it with care."
        )
    return {
        "wards": n,
        "lees_l": statistic,
        "lees_l_p": p_value,
        "smoothed_correlation": float(smoothed),
        "related": related,
        "count_rho": float(count_rho),
        "count_p": float(count_p),
        "rate_rho": float(rate_rho),
        "rate_p": float(rate_p),
        "top_decile": top,
        "top_decile_overlap": both,
        "jaccard": jaccard,
        "sentence": sentence,
    }


def period_rates(
    counts: pl.DataFrame, wards: pl.DataFrame, start: date, periods: int, months_per_period: int
) -> tuple[np.ndarray, pl.DataFrame]:
    """Each ward's offence rate per 1,000 residents in each of `periods` consecutive periods of
    `months_per_period` months from `start` (recorded month), for emerging-hotspot analysis.

    `counts`: ward_code, recorded_month, offences; `wards`: ward_code, population (the row
    order of the result). Returns the wards x periods matrix and each ward's offences over all
    the periods (ward_code, offences_in_span). A ward with no population takes each period's
    mean rate (neutral), as `ward_hotspots` gives it: a rate of 0 had made it a cold spot's
    neighbour and taken Leeds's three busiest wards, their populations blanked, out of every
    hot quarter.
    """
    binned = counts.filter(pl.col("ward_code").is_not_null()).with_columns(
        (
            (pl.col("recorded_month").dt.year() - start.year) * 12
            + pl.col("recorded_month").dt.month()
            - start.month
        )
        .floordiv(months_per_period)
        .alias("period")
    )
    per_period = binned.group_by("ward_code", "period").agg(pl.col("offences").sum())
    grid = wards.select("ward_code", "population").join(
        pl.DataFrame({"period": list(range(periods))}), how="cross"
    )
    matrix = (
        grid.join(per_period, on=["ward_code", "period"], how="left", maintain_order="left")
        .with_columns(pl.col("offences").fill_null(0))
        .with_columns(rate_per_1000(pl.col("offences"), pl.col("population")).alias("rate"))
        .pivot(on="period", index="ward_code", values="rate")
        .select("ward_code", *(str(period) for period in range(periods)))  # periods in order
    )
    ordered = wards.select("ward_code").join(
        matrix, on="ward_code", how="left", maintain_order="left"
    )
    totals = per_period.group_by("ward_code").agg(
        pl.col("offences").sum().alias("offences_in_span")
    )
    rates = ordered.drop("ward_code").to_numpy().astype(float)  # NaN: no population
    known = np.isfinite(rates)
    means = np.array(
        [rates[known[:, i], i].mean() if known[:, i].any() else 0.0 for i in range(periods)]
    )
    return np.where(known, rates, means), totals
