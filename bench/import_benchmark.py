"""Import benchmark: 1,000,000 offence rows from CSV into a new database.

    uv run python bench/import_benchmark.py [--rows 1000000]

Writes a CSV with contract headers (UK dates, Y/N flags, outcome labels), imports the
districts, then times `python -m stalking_profile import` in a child process and reads its peak
memory. Prints one Markdown line for docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def write_extract(path: Path, rows: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 3650, rows)
    recorded = np.datetime64("2012-04-01") + day.astype("timedelta64[D]")
    outcome = rng.choice(
        ["16", "15-police", "18", "1-charged", ""], rows, p=[0.45, 0.2, 0.12, 0.05, 0.18]
    )
    frame = pl.DataFrame(
        {
            "crime_ref": pl.Series(np.arange(rows)).cast(pl.String).str.zfill(9),
            "recorded_date": pl.Series(recorded).dt.strftime("%d/%m/%Y"),
            "offence_type": np.where(rng.random(rows) < 0.3, "stalking", "harassment"),
            "district_code": rng.choice(["BD", "CD"], rows),
            "ward_code": rng.choice(["E05001341", "E05001342", ""], rows),
            "is_domestic": rng.choice(["Y", "N"], rows),
            "is_cyber": rng.choice(["Y", "N"], rows, p=[0.1, 0.9]),
            "dash_completed": rng.choice(["Y", "N"], rows),
            "sash_completed": rng.choice(["Y", "N"], rows),
            "arrest_made": rng.choice(["Y", "N"], rows, p=[0.2, 0.8]),
            "victim_age": rng.integers(14, 90, rows).astype(str),
            "victim_sex": rng.choice(["F", "M"], rows),
            "outcome_key": outcome,
            "outcome_date": np.where(
                outcome == "", "", pl.Series(recorded + 40).dt.strftime("%Y-%m-%d").to_numpy()
            ),
        }
    )
    frame.write_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/stalking-profile-import-bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    extract = args.work / f"offences_{args.rows}.csv"
    database = args.work / "force.duckdb"
    database.unlink(missing_ok=True)
    write_extract(extract, args.rows)
    command = [sys.executable, "-m", "stalking_profile", "import"]
    subprocess.run(
        [
            *command,
            str(ROOT / "data" / "templates" / "districts.csv"),
            "--db",
            str(database),
            "--quiet",
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    started = time.perf_counter()
    result = subprocess.run(
        [*command, str(extract), "--db", str(database), "--quiet"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout.splitlines()[0])
    size = extract.stat().st_size / 2**20
    print(f"| {args.rows:,} offence rows ({size:,.0f} MB CSV) | {elapsed:.1f} s | {peak:,.0f} MB |")


if __name__ == "__main__":
    main()
