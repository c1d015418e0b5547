"""Publish benchmark: the time to publish a new snapshot of a 10-million-offence store.

    uv run python bench/publish_benchmark.py [--size 10000000]

Generates and builds the scaling benchmark's store (bench/run.py; reused if present), then
times, each in a child process as a user runs it:

- a publish with no change (`snapshots.writing` with an empty action): copy the published
  file, checkpoint, fsync, rename - the fixed cost of every import;
- `python -m stalking_profile import` of a 1,000-offence extract into it: the publish plus
  validation, the write and rebuilding the marts over 10 million offences.

Prints Markdown lines for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "crime_ref,recorded_date,offence_type,ho_offence_code,district_code,ward_code,is_domestic,"
    "is_cyber,dash_completed,dash_risk,sash_completed,arrest_made,outcome_key,outcome_date"
)


def _run(command: list[str]) -> tuple[float, float, str]:
    """Wall time (s), the command's peak memory (MB) and its output: run through a fresh
    measuring process, so no earlier child's peak is counted."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(command)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    *output, last = done.stdout.strip().splitlines()
    measured = json.loads(last)
    return measured["seconds"], measured["peak_mb"], "\n".join(output)


def _measure(command: list[str]) -> None:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stdout.strip())
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def _empty_publish(database: str) -> None:
    from stalking_profile.snapshots import writing

    started = time.perf_counter()
    with writing(Path(database)):
        pass
    print(json.dumps({"seconds": time.perf_counter() - started}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/stalking-profile-bench"))
    parser.add_argument("--empty-publish", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.empty_publish:
        _empty_publish(args.empty_publish)
        return
    if args.measure:
        _measure(json.loads(args.measure))
        return
    folder = args.work / str(args.size)
    database = folder / "bench.duckdb"
    common = ["--size", str(args.size), "--work", str(args.work), "--repeats", "1"]
    if not database.exists():
        print(f"generating and building {args.size:,} offences ...", flush=True)
        for engine in ("generate", "build"):
            subprocess.run(
                [sys.executable, "bench/run.py", "--engine", engine, *common],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
    # A force's own store (the benchmark's is marked synthetic, and imports refuse to mix).
    force = folder / "publish.duckdb"
    shutil.copy(database, force)
    import duckdb

    with duckdb.connect(str(force)) as connection:
        connection.execute("UPDATE dataset SET is_synthetic = false")
    database = force
    size_mb = database.stat().st_size / 2**20
    seconds, peak, output = _run(
        [sys.executable, __file__, "--empty-publish", str(database), "--work", str(args.work)]
    )
    inner = json.loads(output.strip().splitlines()[-1])["seconds"]
    print(
        f"| publish with no change ({args.size:,} offences, {size_mb:,.0f} MB file) | "
        f"{inner:.1f} s ({seconds:.1f} s with start-up) | {peak:,.0f} MB |"
    )
    extract = folder / "more.csv"
    rows = [HEADER] + [
        f"NEW{n:06d},2022-03-{1 + n % 28:02d},stalking,8Q,D{n % 50:02d},,Y,N,Y,standard,N,N,,"
        for n in range(1_000)
    ]
    extract.write_text("\n".join(rows) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "stalking_profile", "import", str(extract)]
    seconds, peak, output = _run(
        [*command, "--db", str(database), "--extract-date", "2022-03-31", "--quiet"]
    )
    print(output.splitlines()[0])
    print(
        f"| import of 1,000 offences into {args.size:,} and publish | {seconds:.1f} s | "
        f"{peak:,.0f} MB |"
    )


if __name__ == "__main__":
    main()
