"""police.uk street-level CSVs as a context layer: real files with their quirks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from stalking_profile import queries
from stalking_profile.db import Gateway
from stalking_profile.importing.police_uk import import_police_uk, outcome_groups, parse_month

POLICE_UK = Path(__file__).resolve().parent / "fixtures" / "police_uk"  # see fixtures/README.md


def test_month_formats() -> None:
    months = pl.DataFrame({"m": ["2022-01", "Feb-25", "feb-2025", "Dec-99", "nonsense"]}).select(
        parse_month(pl.col("m"))
    )
    assert months["m"].to_list() == [
        date(2022, 1, 1),
        date(2025, 2, 1),
        date(2025, 2, 1),
        date(2099, 12, 1),
        None,
    ]


def test_outcome_categories_map_to_groups() -> None:
    groups = {row["last_outcome_category"]: row for row in outcome_groups().iter_rows(named=True)}
    assert (
        groups["Investigation complete; no suspect identified"]["outcome_group"]
        == "Investigation complete – no suspect identified"
    )
    assert groups["Under investigation"]["mapping_confidence"] == "none"
    assert groups["Offender given a caution"]["mapping_confidence"] == "approximate"


def test_leeds_file_with_mangled_month_is_placed_in_wards(writable_demo: Gateway) -> None:
    path = POLICE_UK / "wyp_leeds_street_2025-02_trimmed.csv"  # 800 of its 8,009 rows
    report = import_police_uk(writable_demo, [path])
    assert report.rows_read == 800
    assert report.months == (date(2025, 2, 1), date(2025, 2, 1))
    assert report.placed_by_point + report.placed_by_lsoa + report.unplaced == 800
    assert report.placed_by_point > 790  # Leeds points fall in the demo's Leeds wards
    stored = writable_demo.sql(
        "SELECT count(*) AS n, count(*) FILTER (WHERE context_id LIKE '%#%') AS no_id FROM context_crime"
    ).row(0)
    assert stored == (800, 57)  # 57 anti-social behaviour rows have no Crime ID
    layers = queries.comparison_layers(writable_demo)
    violence = layers.filter(pl.col("layer") == "police.uk: Violence and sexual offences")
    assert violence["offences"].item() <= 335 and violence["period_end"].item() == date(2025, 2, 28)
    again = import_police_uk(writable_demo, [path])
    assert again.rows_read == 800
    assert writable_demo.sql("SELECT count(*) AS n FROM context_crime")["n"].item() == 800


def test_rows_without_coordinates_are_counted_not_lost(writable_demo: Gateway) -> None:
    files = sorted(POLICE_UK.glob("2022-*-dyfed-powys-street_trimmed.csv"))
    report = import_police_uk(writable_demo, files)
    assert report.rows_read == 1_200
    assert report.unplaced == 1_200  # Dyfed-Powys lies outside the demo's West Yorkshire wards
    missing = (
        pl.concat([pl.read_csv(f, infer_schema=False) for f in files])
        .filter(pl.col("Longitude").is_null())
        .height
    )
    assert missing == 54


def test_a_row_of_the_wrong_number_of_fields_is_reported_not_dropped(
    writable_demo: Gateway, tmp_path: Path
) -> None:
    """Helper 62: of three rows, one with two fields too many and one a field short, the
    import said "1 rows" and the other two vanished without a word. Each is reported with its
    file, row number and reason."""
    import pytest

    from stalking_profile.importing.readers import ReadError

    lines = (POLICE_UK / "wyp_leeds_street_2025-02_trimmed.csv").read_text().splitlines()
    fields = lines[2].count(",")
    ragged = [lines[0], lines[1], lines[2] + ",extra,extra", lines[3].rsplit(",", 1)[0]]
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(ragged) + "\n")
    report = import_police_uk(writable_demo, [path])
    assert report.rows_read == 1
    assert report.refused["row_number"].to_list() == [3, 4]
    assert report.refused["source_file"].to_list() == ["ragged.csv"] * 2
    assert f"found {fields + 3}" in report.refused["reason"][0]
    assert "2 rows refused, not stored" in report.text()
    assert "ragged.csv row 3:" in report.text() and "ragged.csv row 4:" in report.text()

    stored = writable_demo.sql("SELECT count(*) AS n FROM context_crime")["n"].item()
    header, row = lines[0], lines[1].replace("Feb-25", "1066-10")
    (tmp_path / "hastings.csv").write_text(f"{header}\n{row}\n")
    with pytest.raises(ReadError, match=r"Month values \['1066-10'\] are outside police.uk's"):
        import_police_uk(writable_demo, [tmp_path / "hastings.csv"])
    assert writable_demo.sql("SELECT count(*) AS n FROM context_crime")["n"].item() == stored
