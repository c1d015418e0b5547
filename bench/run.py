"""The scaling benchmark: this project against a pandas notebook, at several sizes.

    uv run python bench/run.py --sizes 100000 1000000 10000000 --repeats 5

For each size, in separate processes (so that each engine's peak memory is its own): generate
the synthetic data (Parquet); build the DuckDB store from it (ours) or load it into pandas (the
baseline); then time every page's measures for two filters, median of the repeats after one
warm-up run. Writes docs/performance.md and bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGES = ("overview", "trends", "outcomes", "risk", "map")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time(function, repeats: int) -> float:
    function()  # warm-up (first-query compilation, caches of the OS)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _time_pages(districts: tuple[str, ...], pages, repeats: int) -> dict:
    """Median milliseconds of each page's measures, for each benchmark filter.

    `pages(flt)` returns {page name: a call computing that page's measures for the filter}."""
    from bench import measure_sets as m
    from bench.synthetic import FIRST_MONTH

    return {
        name: {page: _time(call, repeats) for page, call in pages(flt).items()}
        for name, flt in m.filters(FIRST_MONTH, date(2022, 3, 1), districts).items()
    }


def build_ours(folder: Path, repeats: int) -> dict:
    """Build the DuckDB store from the Parquet files (its own process, for its peak memory)."""
    import polars as pl

    from bench.synthetic import EXTRACT_DATE
    from stalking_profile import contract
    from stalking_profile.db import connect
    from stalking_profile.store import create_schema, refresh_marts

    database = folder / "bench.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    gateway = connect(database, read_only=False, create=True)
    create_schema(gateway)
    with gateway.transaction():
        gateway.insert(
            "dataset",
            pl.DataFrame(
                {
                    "loaded_at": [datetime.now()],
                    "extract_date": [EXTRACT_DATE],
                    "source": ["benchmark"],
                    "is_synthetic": [True],
                    "force_name": ["Benchmark force"],
                }
            ),
        )
        gateway.insert(
            "outcome_type",
            pl.DataFrame(list(contract.outcome_type_rows())).with_columns(
                pl.col("sort_order").cast(pl.Int32)
            ),
        )
        for table in ("district", "ward", "offence", "outcome"):
            gateway.insert_parquet(table, folder / f"{table}.parquet")

        refresh_marts(gateway)
    gateway.close()
    return {
        "prepare_s": time.perf_counter() - started,
        "database_mb": database.stat().st_size / 2**20,
        "peak_mb": _peak_mb(),
    }


def run_ours(folder: Path, repeats: int) -> dict:
    """Time every page's measures on the built store (a fresh process: the dashboard's memory)."""
    import polars as pl

    from bench import measure_sets as m
    from bench.synthetic import GRID
    from stalking_profile.db import connect

    gateway = connect(folder / "bench.duckdb", read_only=True)
    districts = tuple(pl.read_parquet(folder / "district.parquet")["district_code"].to_list())
    wards = (
        pl.read_parquet(folder / "ward.parquet").select("ward_code", "population").sort("ward_code")
    )
    weights = m.grid_weights(GRID)
    results = _time_pages(
        districts,
        lambda flt: {
            "overview": lambda: m.ours_overview(gateway, flt),
            "trends": lambda: m.ours_trends(gateway, flt),
            "outcomes": lambda: m.ours_outcomes(gateway, flt),
            "risk": lambda: m.ours_risk(gateway, flt),
            "map": lambda: m.ours_map(gateway, flt, wards, weights),
        },
        repeats,
    )
    return {"pages_ms": results, "peak_mb": _peak_mb()}


def run_pandas(folder: Path, repeats: int) -> dict:
    import pandas as pd
    import polars as pl

    from bench import measure_sets as m
    from bench.synthetic import EXTRACT_DATE, GRID

    started = time.perf_counter()
    offence = pd.read_parquet(folder / "offence.parquet")
    outcome = pd.read_parquet(folder / "outcome.parquet")
    for frame, column in ((offence, "recorded_date"), (outcome, "outcome_date")):
        frame[column] = pd.to_datetime(frame[column])
    frame = m.pandas_prepare(offence, outcome, EXTRACT_DATE)
    del offence, outcome
    load = time.perf_counter() - started
    districts = tuple(pl.read_parquet(folder / "district.parquet")["district_code"].to_list())
    wards = pd.read_parquet(folder / "ward.parquet")[["ward_code", "population"]].sort_values(
        "ward_code"
    )
    weights = m.grid_weights(GRID)
    results = _time_pages(
        districts,
        lambda flt: {
            "overview": lambda: m.pandas_overview(frame, flt),
            "trends": lambda: m.pandas_trends(frame, flt),
            "outcomes": lambda: m.pandas_outcomes(frame, flt),
            "risk": lambda: m.pandas_risk(frame, flt),
            "map": lambda: m.pandas_map(frame, flt, wards, weights),
        },
        repeats,
    )
    return {"prepare_s": load, "pages_ms": results, "peak_mb": _peak_mb()}


def _child(command: list[str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *command], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def machine() -> str:
    import os

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = (
        int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        / 2**20
    )
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def markdown(results: dict, repeats: int) -> str:
    lines = [
        "## Scaling benchmark",
        "",
        f"Machine: {machine()}. Median of {repeats} runs after a warm-up; each engine in its own process.",
        "`bench/run.py` generated the data (10 years, 50 districts, 7,056 wards, outcome histories).",
        "Ours: DuckDB store (pre-aggregated marts) + Polars measures, exactly the functions the pages call",
        "(figures excluded on both sides). Baseline: a straightforward pandas notebook over the same",
        "Parquet files, with each offence's latest outcome joined once at load time (not per filter).",
        "",
        "| offences | build / load (s): ours, pandas | peak memory (MB): ours build, ours dashboard, pandas | filter | page | ours (ms) | pandas (ms) | pandas / ours |",
        "| ---: | --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for size, entry in results.items():
        ours, base = entry["ours"], entry["pandas"]
        first = True
        for name, pages in ours["pages_ms"].items():
            for page in PAGES:
                mine, theirs = pages[page], base["pages_ms"][name][page]
                prefix = (
                    f"| {int(size):,} | {ours['prepare_s']:.1f}, {base['prepare_s']:.1f} | "
                    f"{ours['build_peak_mb']:,.0f}, {ours['peak_mb']:,.0f}, {base['peak_mb']:,.0f} "
                    if first
                    else "| | | "
                )
                lines.append(
                    f"{prefix}| {name} | {page} | {mine:,.1f} | {theirs:,.1f} | {theirs / mine:,.1f}× |"
                )
                first = False
        totals = {name: sum(pages[p] for p in PAGES) for name, pages in ours["pages_ms"].items()}
        base_totals = {
            name: sum(pages[p] for p in PAGES) for name, pages in base["pages_ms"].items()
        }
        for name in totals:
            lines.append(
                f"| | | | {name} | **all five pages** | **{totals[name]:,.1f}** | **{base_totals[name]:,.1f}** | "
                f"**{base_totals[name] / totals[name]:,.1f}×** |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/stalking-profile-bench"))
    parser.add_argument(
        "--engine", choices=["build", "ours", "pandas", "generate"], help=argparse.SUPPRESS
    )
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        folder = args.work / str(args.size)
        if args.engine == "generate":
            from bench.synthetic import generate

            generate(args.size, folder)
            print(json.dumps({"ok": True}))
        else:
            engines = {"build": build_ours, "ours": run_ours, "pandas": run_pandas}
            print(json.dumps(engines[args.engine](folder, args.repeats)))

        return
    results = {}
    for size in args.sizes:
        print(f"{size:,} offences: generating ...", flush=True)
        common = ["--size", str(size), "--repeats", str(args.repeats), "--work", str(args.work)]
        _child(["--engine", "generate", *common])
        print("  building ...", flush=True)
        built = _child(["--engine", "build", *common])
        print("  ours ...", flush=True)
        ours = {
            **_child(["--engine", "ours", *common]),
            "prepare_s": built["prepare_s"],
            "build_peak_mb": built["peak_mb"],
            "database_mb": built["database_mb"],
        }

        print(
            f"    built in {ours['prepare_s']:.1f} s; pages {json.dumps(ours['pages_ms'])}",
            flush=True,
        )
        print("  pandas ...", flush=True)
        base = _child(["--engine", "pandas", *common])
        results[str(size)] = {"ours": ours, "pandas": base}
    (ROOT / "bench" / "results.json").write_text(
        json.dumps({"machine": machine(), "results": results}, indent=2) + "\n"
    )
    table = markdown(results, args.repeats)
    print(table)
    (ROOT / "bench" / "latest.md").write_text(table)


if __name__ == "__main__":
    main()
