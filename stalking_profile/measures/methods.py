"""The statistical methods behind the figures, one line each with where they are used and a
reference: the Definitions page prints them and a test keeps the README's Statistics section
naming every one."""

from __future__ import annotations

from dataclasses import dataclass

from stalking_profile.measures.volumes import BORROWED_PAIRS, MIN_BORROWED_PAIRS


@dataclass(frozen=True)
class Method:
    name: str
    used_for: str
    how: str
    reference: str


METHODS: tuple[Method, ...] = (
    Method(
        "Wilson score interval",
        "every rate",
        "95% interval for a proportion that stays inside 0-100% and behaves for small counts.",
        "Wilson (1927); Newcombe (1998)",
    ),
    Method(
        "Exact conditional binomial test",
        "change on the previous period",
        "given both periods' counts, the current count is binomial with share 1/2 where the "
        "periods' days differ by 1% or less (years, compared as counts, as the problem profile "
        "does), else with the current period's share of the days (months, quarters: per day); "
        "like for like where the data start inside the period before.",
        "Przyborowski and Wilenski (1940)",
    ),
    Method(
        "Clopper-Pearson rate-ratio interval",
        "change on the previous period",
        "the exact interval of the conditional binomial proportion, turned into a rate ratio.",
        "Clopper and Pearson (1934)",
    ),
    Method(
        "Quasi-Poisson change test",
        "change on the previous period, where months vary more than Poisson allows",
        "the rate ratio per day with its standard error scaled by the overdispersion phi "
        "(Pearson X^2 / (months - 2) of each period's own rate) and Student's t; a month "
        f"against a month, having no months to spare, borrows phi from the {BORROWED_PAIRS} "
        f"month-to-month changes up to it (none across a counting-rule change or before the "
        f"data; {MIN_BORROWED_PAIRS} at least); used where phi > 1, else the exact test.",
        "McCullagh and Nelder (1989); checked against statsmodels' GLM",
    ),
    Method(
        "Lee's L",
        "do hotspots line up? (Hotspot maps)",
        "the bivariate spatial correlation of two layers' excess over what population predicts "
        "(Poisson regression residuals), with 999 random relocations for the p-value.",
        "Lee (2001); PySAL esda",
    ),
    Method(
        "Kaplan-Meier time to first breach",
        "civil orders: share breached within 30 to 365 days",
        "orders not breached are followed up until they ended or the extract date (censored), "
        "never counted as never breached.",
        "Kaplan and Meier (1958)",
    ),
    Method(
        "Mid-p exact test",
        "DA against non-DA, small counts",
        "Fisher's exact test with half the probability of the observed table, used when an "
        "expected count is under 5 (else the two-proportion z-test).",
        "Lancaster (1961); Agresti (2013)",
    ),
    Method(
        "Newcombe interval",
        "DA against non-DA differences",
        "95% interval for a difference of proportions from the two Wilson intervals (method 10).",
        "Newcombe (1998)",
    ),
    Method(
        "Benjamini-Hochberg false discovery rate",
        "every table of many tests; hotspots",
        "q-values over a table's tests, so a table of many comparisons does not find gaps by luck.",
        "Benjamini and Hochberg (1995)",
    ),
    Method(
        "Kaplan-Meier",
        "time to outcome",
        "median days to an outcome with open offences censored at the extract date; 95% "
        "interval from the exponential Greenwood bounds, as lifelines computes it (tested "
        "against it).",
        "Kaplan and Meier (1958); Kalbfleisch and Prentice (2002)",
    ),
    Method(
        "XmR chart (Making Data Count)",
        "SPC on Trends and the scorecard",
        "limits = mean ± 2.66 × mean moving range; points labelled by the rule that fired; at "
        "least 13 points, partitions of 12.",
        "NHS England Making Data Count; NHSRplotthedots",
    ),
    Method(
        "Exact Poisson interval",
        "ward rates per 1,000",
        "the Garwood interval from chi-squared quantiles of the count.",
        "Garwood (1936)",
    ),
    Method(
        "Funnel plot",
        "ward rates against ward size",
        "95% and 99.8% exact Poisson limits around the whole area's rate.",
        "Spiegelhalter (2005)",
    ),
    Method(
        "Getis-Ord Gi*",
        "hot and cold spots",
        "local sums of ward rates with queen contiguity, checked against PySAL.",
        "Ord and Getis (1995)",
    ),
    Method(
        "Space-time Gi*",
        "emerging hotspots",
        "Gi* on the ward x quarter cube (neighbours this quarter and the one before), the false "
        "discovery rate per quarter, ArcGIS Pro's Emerging Hot Spot Analysis categories.",
        "Esri, How Emerging Hot Spot Analysis works; Mann (1945), Kendall (1975)",
    ),
    Method(
        "Rounding a half away from zero",
        "every percentage and rate shown",
        "a figure exactly halfway rounds away from zero (2 of 16 is 12.5%: 13% as a whole "
        "percent), as a reader working it out and Excel's ROUND do.",
        "Government Statistical Service, Rounding policy guidance",
    ),
)
