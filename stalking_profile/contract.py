"""The data contract: every stored table, its columns, types, keys and code lists.

This module is the single description of the data. The schema DDL in `sql/schema.sql` is
checked against it by the tests; validation, the generated data dictionary and the demo
generator all read it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

OFFENCE_TYPES: tuple[str, ...] = ("stalking", "harassment")
HO_OFFENCE_CODES: dict[str, str] = {
    "8Q": "Stalking (PHA 1997 ss.2A, 4A)",
    "8L": "Harassment (PHA 1997 ss.2, 4)",
    "8M": "Racially or religiously aggravated harassment",
    "8R": "Malicious communications",
}
OFFENCE_TYPE_OF_CODE: dict[str, str] = {
    "8Q": "stalking",
    "8L": "harassment",
    "8M": "harassment",
    "8R": "harassment",
}
DASH_RISK_LEVELS: tuple[str, ...] = ("standard", "medium", "high")
# text-direction embeddings, overrides and isolates (a regex class's range, the characters
# themselves): no record's text holds them, and a name holding U+202E reads reversed
DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"
SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
ETHNIC_GROUPS: tuple[str, ...] = ("White", "Asian", "Black", "Mixed", "Other", "Not stated")
AGE_RANGE: tuple[int, int] = (0, 110)
AGE_BANDS: tuple[str, ...] = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
POPULATION_SEXES: tuple[str, ...] = ("female", "male")
ORDER_TYPES: dict[str, str] = {
    "SPO": "Stalking Protection Order (Stalking Protection Act 2019)",
    "RO": "Restraining order (on conviction or acquittal)",
    "NMO": "Non-molestation order (Family Law Act 1996)",
    "DVPO": "Domestic Violence Protection Order",
    "DAPO": "Domestic Abuse Protection Order (Domestic Abuse Act 2021)",
}
ORDER_STATUSES: tuple[str, ...] = (
    "applied",
    "interim",
    "granted",
    "refused",
    "withdrawn",
    "expired",
    "discharged",
)


@dataclass(frozen=True)
class Column:
    """One column: its DuckDB type, whether it may be null, what it means, allowed codes."""

    name: str
    dtype: str
    description: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """One stored table with its grain (primary key) and columns."""

    name: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


DATASET = Table(
    name="dataset",
    description="What the database holds and as of when: one row per load.",
    primary_key=("loaded_at",),
    columns=(
        Column("loaded_at", "TIMESTAMP", "When this data was loaded.", nullable=False),
        Column(
            "extract_date",
            "DATE",
            "The records system's extract date: outcomes are taken as at this date.",
            nullable=False,
        ),
        Column("source", "VARCHAR", "Where the records came from.", nullable=False),
        Column(
            "is_synthetic",
            "BOOLEAN",
            "True for the generated demonstration force; every page then says so.",
            nullable=False,
        ),
        Column("force_name", "VARCHAR", "The police force the records belong to.", nullable=False),
        Column("notes", "VARCHAR", "Free text about the load (generator seed, caveats)."),
    ),
)

DISTRICT = Table(
    name="district",
    description="Policing districts (local authority areas) of the force.",
    primary_key=("district_code",),
    columns=(
        Column("district_code", "VARCHAR", "The force's district code, e.g. BD.", nullable=False),
        Column("district_name", "VARCHAR", "District name, e.g. Bradford.", nullable=False),
        Column("force_name", "VARCHAR", "The force the district belongs to.", nullable=False),
        Column("population", "INTEGER", "Resident population (for rates per 1,000)."),
        Column("ons_code", "VARCHAR", "ONS local authority code, e.g. E08000032."),
    ),
)

WARD = Table(
    name="ward",
    description="Electoral wards with resident population and boundary.",
    primary_key=("ward_code",),
    columns=(
        Column("ward_code", "VARCHAR", "ONS ward code, e.g. E05001341.", nullable=False),
        Column("ward_name", "VARCHAR", "Ward name.", nullable=False),
        Column("district_code", "VARCHAR", "The district holding the ward.", nullable=False),
        Column("population", "INTEGER", "Resident population (for rates per 1,000)."),
        Column(
            "geometry",
            "VARCHAR",
            "Boundary as GeoJSON geometry text in WGS84 (EPSG:4326); no DuckDB extension needed.",
        ),
    ),
)

OUTCOME_TYPE = Table(
    name="outcome_type",
    description=(
        "The Home Office crime outcomes framework (1-22 with 1A, 2A, 3A) and the sub-variants "
        "records systems list separately (1 charged/summonsed, 3 simple/conditional, 15 CPS/police)."
    ),
    primary_key=("outcome_key",),
    columns=(
        Column("outcome_key", "VARCHAR", "Unique key, e.g. 1-charged, 15-cps, 16.", nullable=False),
        Column(
            "outcome_code", "VARCHAR", "Home Office outcome type, e.g. 1, 1A, 15.", nullable=False
        ),
        Column(
            "label", "VARCHAR", "Upper-case label as problem profiles print it.", nullable=False
        ),
        Column("official_name", "VARCHAR", "The Home Office name.", nullable=False),
        Column("outcome_group", "VARCHAR", "Home Office outcome group.", nullable=False),
        Column("group_short", "VARCHAR", "Short group name for charts.", nullable=False),
        Column(
            "group_confirmed",
            "BOOLEAN",
            "False where the sources do not confirm the group (1A/2A/3A, 5, 17, 19).",
            nullable=False,
        ),
        Column("sort_order", "INTEGER", "Order of rows in outcome tables.", nullable=False),
        Column(
            "counts_in_outcome_1_8",
            "BOOLEAN",
            "Counts in the outcome 1-8 rate: types 1, 1A, 2, 2A, 3, 3A, 4, 6, 7, 8 (not 5, offender died).",
            nullable=False,
        ),
    ),
)

OFFENCE = Table(
    name="offence",
    description="One row per recorded stalking or harassment offence (crime).",
    primary_key=("crime_ref",),
    columns=(
        Column("crime_ref", "VARCHAR", "The crime reference number.", nullable=False),
        Column("recorded_date", "DATE", "Date the crime was recorded.", nullable=False),
        Column("committed_date", "DATE", "Date (or first date) the offence was committed."),
        Column(
            "offence_type",
            "VARCHAR",
            "stalking or harassment.",
            nullable=False,
            allowed=OFFENCE_TYPES,
        ),
        Column(
            "ho_offence_code",
            "VARCHAR",
            "Home Office offence code: 8Q stalking; 8L, 8M, 8R harassment.",
            allowed=tuple(HO_OFFENCE_CODES),
        ),
        Column(
            "district_code", "VARCHAR", "District where the offence was recorded.", nullable=False
        ),
        Column("ward_code", "VARCHAR", "Ward of the offence location (null if unknown)."),
        Column("is_domestic", "BOOLEAN", "Domestic abuse (DA) flag.", nullable=False),
        Column("is_cyber", "BOOLEAN", "Cyber-enabled flag.", nullable=False),
        Column(
            "dash_completed", "BOOLEAN", "A DASH risk assessment was completed.", nullable=False
        ),
        Column(
            "dash_risk",
            "VARCHAR",
            "DASH risk level: standard, medium or high; null if no DASH.",
            allowed=DASH_RISK_LEVELS,
        ),
        Column(
            "sash_completed",
            "BOOLEAN",
            "A stalking risk screening was completed: SASH (the Screening Assessment for "
            "Stalking and Harassment) or the S-DASH checklist, whichever the force uses "
            "(record one tool in this field, not both).",
            nullable=False,
        ),
        Column(
            "arrest_made", "BOOLEAN", "A suspect was arrested for this offence.", nullable=False
        ),
        Column(
            "stalking_screen_negative",
            "BOOLEAN",
            "The risk assessment recorded that stalking does not feature (null if not asked).",
        ),
        Column("victim_id", "VARCHAR", "Pseudonymous victim key (for repeat victims)."),
        Column("suspect_id", "VARCHAR", "Pseudonymous suspect key; null if none identified."),
        Column("victim_age", "INTEGER", "Victim's age in years at recording."),
        Column("victim_sex", "VARCHAR", "Victim's sex.", allowed=SEXES),
        Column(
            "victim_ethnicity", "VARCHAR", "Victim's ethnic group (ONS 5+1).", allowed=ETHNIC_GROUPS
        ),
        Column("suspect_age", "INTEGER", "Suspect's age in years at recording."),
        Column("suspect_sex", "VARCHAR", "Suspect's sex.", allowed=SEXES),
        Column(
            "suspect_ethnicity",
            "VARCHAR",
            "Suspect's ethnic group (ONS 5+1).",
            allowed=ETHNIC_GROUPS,
        ),
    ),
)

OUTCOME = Table(
    name="outcome",
    description=(
        "The outcome history of each offence. An offence's outcome is its latest outcome on or "
        "before the extract date; an offence with none is open."
    ),
    primary_key=("crime_ref", "outcome_date", "outcome_key"),
    columns=(
        Column("crime_ref", "VARCHAR", "The offence's crime reference.", nullable=False),
        Column("outcome_key", "VARCHAR", "Key into outcome_type.", nullable=False),
        Column("outcome_date", "DATE", "Date the outcome was assigned.", nullable=False),
    ),
)

COMPARISON_COUNT = Table(
    name="comparison_count",
    description=(
        "Ward counts of another layer to compare stalking hotspots with, e.g. all domestic abuse "
        "offences from the force's DA problem profile, or police.uk street-level crime."
    ),
    primary_key=("layer", "ward_code", "period_start"),
    columns=(
        Column("layer", "VARCHAR", "Name of the layer, e.g. 'All DA offences'.", nullable=False),
        Column("ward_code", "VARCHAR", "ONS ward code.", nullable=False),
        Column("period_start", "DATE", "First day the counts cover.", nullable=False),
        Column("period_end", "DATE", "Last day the counts cover.", nullable=False),
        Column("offences", "INTEGER", "Count in the ward over the period.", nullable=False),
        Column("source", "VARCHAR", "Where the counts came from."),
    ),
)

IMPORT_LOG = Table(
    name="import_log",
    description="One row per file imported: what came in and what happened to it.",
    primary_key=("import_id",),
    columns=(
        Column("import_id", "VARCHAR", "Unique id of the import.", nullable=False),
        Column("file_name", "VARCHAR", "The file's name.", nullable=False),
        Column("file_hash", "VARCHAR", "SHA-256 of the file's bytes.", nullable=False),
        Column(
            "kind",
            "VARCHAR",
            "What the file held (offences, outcomes, districts, wards, comparison, orders, "
            "breaches, contacts, population).",
            nullable=False,
        ),
        Column("imported_at", "TIMESTAMP", "When.", nullable=False),
        Column("rows_read", "INTEGER", "Data rows in the file.", nullable=False),
        Column("rows_accepted", "INTEGER", "Rows that passed validation.", nullable=False),
        Column(
            "rows_rejected",
            "INTEGER",
            "Rows quarantined (rows_read = accepted + rejected).",
            nullable=False,
        ),
        Column("rows_inserted", "INTEGER", "Accepted rows that were new.", nullable=False),
        Column(
            "rows_updated",
            "INTEGER",
            "Accepted rows that changed an existing record.",
            nullable=False,
        ),
        Column(
            "status", "VARCHAR", "loaded, unchanged (same file again) or refused.", nullable=False
        ),
        Column("message", "VARCHAR", "A short summary."),
    ),
)

QUARANTINE = Table(
    name="quarantine",
    description="Rows refused by validation, kept with the reason so they can be fixed and re-imported.",
    primary_key=("import_id", "row_number", "column_name"),
    columns=(
        Column("import_id", "VARCHAR", "The import that refused the row.", nullable=False),
        Column("row_number", "INTEGER", "Row in the file (the header is row 1).", nullable=False),
        Column(
            "column_name",
            "VARCHAR",
            "The column at fault ('(row)' for the whole row).",
            nullable=False,
        ),
        Column("value", "VARCHAR", "The value found."),
        Column("reason", "VARCHAR", "Why the row was refused.", nullable=False),
        Column("raw_row", "VARCHAR", "The whole row as JSON, for fixing."),
    ),
)

CONTEXT_CRIME = Table(
    name="context_crime",
    description="Public police.uk street-level crimes, a context layer (not the force's records).",
    primary_key=("context_id",),
    columns=(
        Column(
            "context_id",
            "VARCHAR",
            "Crime ID, or a stable hash where police.uk gives none.",
            nullable=False,
        ),
        Column("month", "DATE", "Month of the crime.", nullable=False),
        Column("crime_type", "VARCHAR", "police.uk crime type.", nullable=False),
        Column("ward_code", "VARCHAR", "Ward holding the point (null if unplaced)."),
        Column("lsoa_code", "VARCHAR", "LSOA code given by police.uk."),
        Column(
            "last_outcome_category", "VARCHAR", "police.uk's description of the latest outcome."
        ),
        Column("outcome_group", "VARCHAR", "Nearest Home Office outcome group (approximate)."),
        Column("source_file", "VARCHAR", "The file it came from.", nullable=False),
    ),
)

CIVIL_ORDER = Table(
    name="civil_order",
    description=(
        "Civil and protective orders: one row per order, from application to its end. A later "
        "import of the same order_id replaces the row, so variations, renewals (a new expiry "
        "date) and discharges are recorded by re-importing the order as it now stands."
    ),
    primary_key=("order_id",),
    columns=(
        Column("order_id", "VARCHAR", "The order's reference.", nullable=False),
        Column(
            "order_type",
            "VARCHAR",
            "SPO (Stalking Protection Order), RO (restraining order), NMO (non-molestation "
            "order), DVPO or DAPO.",
            nullable=False,
            allowed=tuple(ORDER_TYPES),
        ),
        Column("subject_id", "VARCHAR", "Pseudonymous key of the person the order restricts."),
        Column("protected_id", "VARCHAR", "Pseudonymous key of the person it protects."),
        Column("crime_ref", "VARCHAR", "The offence the application arose from, if any."),
        Column("applied_date", "DATE", "Date the application was made to court.", nullable=False),
        Column("interim_date", "DATE", "Date an interim order was made (null if none)."),
        Column("granted_date", "DATE", "Date the full order was made (null if not, or not yet)."),
        Column("refused_date", "DATE", "Date the court refused the application."),
        Column(
            "expiry_date",
            "DATE",
            "Date the full order ends: the first day it is no longer in force, as the measures "
            "count it (an order made for 2 years from 1 Dec 2021 expires on 1 Dec 2023; null: "
            "until further order). A full SPO lasts at least 2 years.",
        ),
        Column("discharged_date", "DATE", "Date the order was discharged early."),
        Column(
            "status",
            "VARCHAR",
            "The order's status as the records system gives it.",
            nullable=False,
            allowed=ORDER_STATUSES,
        ),
        Column("district_code", "VARCHAR", "District that applied for the order.", nullable=False),
    ),
)

BREACH = Table(
    name="breach",
    description="Breaches of civil orders: one row per breach recorded.",
    primary_key=("breach_id",),
    columns=(
        Column("breach_id", "VARCHAR", "The breach's reference.", nullable=False),
        Column("order_id", "VARCHAR", "The order breached (key into civil_order).", nullable=False),
        Column("breach_date", "DATE", "Date of the breach.", nullable=False),
        Column("crime_ref", "VARCHAR", "The offence recorded for the breach, if any."),
        Column(
            "outcome_key",
            "VARCHAR",
            "Home Office outcome of the breach offence (key into outcome_type; null if open).",
        ),
    ),
)

VICTIM_CONTACT = Table(
    name="victim_contact",
    description=(
        "Victim Contact Agreements and the contacts made: one row per contact, with the "
        "interval agreed with the victim. A row with no contact_date records an agreement with "
        "no contact yet. An import replaces the stored log of every offence it names."
    ),
    primary_key=("crime_ref", "contact_date"),
    columns=(
        Column("crime_ref", "VARCHAR", "The offence (key into offence).", nullable=False),
        Column(
            "agreed_interval_days",
            "INTEGER",
            "Days between updates agreed with the victim (e.g. 28).",
            nullable=False,
        ),
        Column("contact_date", "DATE", "Date the victim was contacted (null: none yet)."),
    ),
)

POPULATION = Table(
    name="population",
    description=(
        "Resident population by district, sex and age band: the denominators of victim and "
        "suspect rates per 1,000 (e.g. ONS mid-year estimates, summed into the bands)."
    ),
    primary_key=("district_code", "sex", "age_band"),
    columns=(
        Column("district_code", "VARCHAR", "The district.", nullable=False),
        Column("sex", "VARCHAR", "female or male.", nullable=False, allowed=POPULATION_SEXES),
        Column("age_band", "VARCHAR", "Age band in years.", nullable=False, allowed=AGE_BANDS),
        Column("population", "INTEGER", "Residents.", nullable=False),
        Column("year", "INTEGER", "The year the estimate is for (mid-year)."),
        Column("source", "VARCHAR", "Where the figures came from."),
    ),
)

TABLES: tuple[Table, ...] = (
    DATASET,
    DISTRICT,
    WARD,
    OUTCOME_TYPE,
    OFFENCE,
    OUTCOME,
    COMPARISON_COUNT,
    IMPORT_LOG,
    QUARANTINE,
    CONTEXT_CRIME,
    CIVIL_ORDER,
    BREACH,
    VICTIM_CONTACT,
    POPULATION,
)


TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
# What a force can import, by the name users give on the command line and the Data page.
IMPORT_KINDS: dict[str, Table] = {
    "offences": OFFENCE,
    "outcomes": OUTCOME,
    "districts": DISTRICT,
    "wards": WARD,
    "comparison": COMPARISON_COUNT,
    "orders": CIVIL_ORDER,
    "breaches": BREACH,
    "contacts": VICTIM_CONTACT,
    "population": POPULATION,
}


def table(name: str) -> Table:
    """The contract of one table; a KeyError names the known tables."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES_BY_NAME)}") from None


@cache
def outcome_type_rows() -> tuple[dict[str, object], ...]:
    """The outcome framework rows shipped in `reference/outcome_types.csv`, typed."""
    text = (
        resources.files("stalking_profile")
        .joinpath("reference/outcome_types.csv")
        .read_text(encoding="utf-8")
    )
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append(
            {
                **row,
                "group_confirmed": row["group_confirmed"] == "true",
                "sort_order": int(row["sort_order"]),
                "counts_in_outcome_1_8": row["counts_in_outcome_1_8"] == "true",
            }
        )
    return tuple(rows)


def data_dictionary_markdown() -> str:
    """The data contract as Markdown tables, for the docs and the Definitions page."""
    lines: list[str] = []
    for tbl in TABLES:
        lines.append(
            f"### `{tbl.name}`\n\n{tbl.description} Key: `{', '.join(tbl.primary_key)}`.\n"
        )
        lines.append("| column | type | null | meaning | allowed |")
        lines.append("| --- | --- | --- | --- | --- |")
        for col in tbl.columns:
            allowed = ", ".join(col.allowed) if col.allowed else ""
            lines.append(
                f"| `{col.name}` | {col.dtype} | {'yes' if col.nullable else 'no'} | "
                f"{col.description} | {allowed} |"
            )
        lines.append("")
    return "\n".join(lines)
