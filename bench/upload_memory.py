"""Memory of the dashboard's process around a large upload on the Data page.

    uv run python bench/upload_memory.py [--rows 2200000]

Starts the dashboard on a new force database (login off), views the Overview and the Data page
in Chromium (the baseline), uploads an offence extract of about 150 MB, waits for the check,
imports it, waits for the report, and reads the server process's resident memory from
/proc: the baseline, the peak (VmHWM) and after the import. Prints a Markdown line for
docs/performance.md. The check and the import run in child processes, so the server holds the
upload itself (Streamlit keeps uploads in memory) and the first 500 refused rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_benchmark import write_extract  # noqa: E402


def _memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_200_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from stalking_profile.access import Access
    from stalking_profile.operational import open_store
    from stalking_profile.operational import settings as app_settings

    work = Path(tempfile.mkdtemp(prefix="upload-memory-"))
    database = work / "force.duckdb"
    districts = ROOT / "data" / "templates" / "districts.csv"
    subprocess.run(
        [sys.executable, "-m", "stalking_profile", "import", str(districts), "--db", str(database)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    store = open_store(f"sqlite:///{work / 'force.operational.sqlite'}")
    app_settings.set_login_required(store, False, Access.command_line("benchmark"))
    extract = work / "extract.csv"
    write_extract(extract, args.rows)
    size_mb = extract.stat().st_size / 2**20
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
    server = subprocess.Popen(
        [*command, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env={**os.environ, "STALKING_PROFILE_DB": str(database)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(f"{url}/data")
            page.get_by_role("heading", name="Data", level=1).wait_for(timeout=60_000)
            time.sleep(2)
            baseline = _memory_mb(server.pid)["VmRSS"]
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
                str(extract)
            )
            page.get_by_text("would be accepted").first.wait_for(timeout=600_000)
            checked = _memory_mb(server.pid)["VmRSS"]
            page.get_by_role("button", name="Import the accepted rows").click()
            page.get_by_text("Every page now shows the new data").wait_for(timeout=900_000)
            time.sleep(5)
            after = _memory_mb(server.pid)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"| {args.rows:,} offence rows ({size_mb:,.0f} MB CSV) uploaded, checked and imported "
        f"on the Data page | {baseline:,.0f} MB | {checked:,.0f} MB | {after['VmHWM']:,.0f} MB "
        f"| {after['VmRSS']:,.0f} MB ({after['VmRSS'] / baseline - 1:+.0%}) |"
    )


if __name__ == "__main__":
    main()
