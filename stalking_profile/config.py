"""Settings: one frozen object, and the only place environment variables are read."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
STATIC_DIR = PROJECT_ROOT / "static"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "profile.duckdb"
SMALL_DENOMINATOR = 30  # the default below which a rate is flagged "small numbers"
SPC_RUN_LENGTH = 6
SUPPRESS_BELOW = 5  # publication mode: counts of 1 to this - 1 are suppressed


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; each can be overridden by the environment variable named.

    - `db_path` (`STALKING_PROFILE_DB`): the DuckDB file the dashboard reads.
    - `spc_run_length` (`STALKING_PROFILE_SPC_RUN`): points in a shift or trend for SPC special
      cause; NHS England's Making Data Count tools use 6 since January 2024 (7 before).
    - `small_denominator` (`STALKING_PROFILE_SMALL_DENOMINATOR`): rates on fewer offences than
      this are flagged as unreliable.
    - `store_url` (`STALKING_PROFILE_STORE`): the operational store (users, sessions, audit
      trail, settings): `sqlite:///path` (default: `<database>.operational.sqlite` beside the
      database) or `postgresql://user@host/db` when several dashboard processes share it.
    - `idle_minutes` (`STALKING_PROFILE_IDLE_MINUTES`): a login session ends after this long
      without activity.
    - `suppress_below` (`STALKING_PROFILE_SUPPRESS_BELOW`): in publication mode (always on for
      commissioners' offices) counts from 1 to this - 1 are suppressed.
    - `serial_victims` (`STALKING_PROFILE_SERIAL_VICTIMS`) and `serial_years`
      (`STALKING_PROFILE_SERIAL_YEARS`): a serial perpetrator has this many victims or more
      within this many years (MATAC's definition, 2 in 3, by default).
    - `round_to` (`STALKING_PROFILE_ROUND_TO`): in publication mode the other counts are
      rounded to the nearest multiple of this (0, the default: not rounded). The ONS style is
      `STALKING_PROFILE_SUPPRESS_BELOW=10` with `STALKING_PROFILE_ROUND_TO=5`.
    - `oidc_role_claim` (`STALKING_PROFILE_OIDC_ROLE_CLAIM`) and `oidc_roles`
      (`STALKING_PROFILE_OIDC_ROLES`): with an identity provider (Streamlit's `st.login`,
      configured in `.streamlit/secrets.toml`), the claim holding a user's groups and which
      group is which role, e.g. `SP-Analysts=analyst,SP-Leads=strategic`.
    - `prepare_ahead` (`STALKING_PROFILE_PREPARE_AHEAD`): in publication mode, once a page is
      drawn for a filter, the slowest pages' protection for it is worked out in the background
      (`stalking_profile.prepared`); `0` leaves each to be worked out when first opened.
    """

    db_path: Path = DEFAULT_DB_PATH
    spc_run_length: int = SPC_RUN_LENGTH
    small_denominator: int = SMALL_DENOMINATOR
    store_url: str = ""
    idle_minutes: int = 30
    suppress_below: int = SUPPRESS_BELOW
    round_to: int = 0
    serial_victims: int = 2
    serial_years: int = 3
    oidc_role_claim: str = "roles"
    oidc_roles: str = ""
    prepare_ahead: bool = True

    @property
    def operational_store_url(self) -> str:
        """The operational store's URL: as configured, or a SQLite file beside the database."""
        if self.store_url:
            return self.store_url
        return _store_beside(self.db_path)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from the environment, falling back to the defaults."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            db_path=Path(env.get("STALKING_PROFILE_DB", defaults.db_path)),
            spc_run_length=int(env.get("STALKING_PROFILE_SPC_RUN", defaults.spc_run_length)),
            small_denominator=int(
                env.get("STALKING_PROFILE_SMALL_DENOMINATOR", defaults.small_denominator)
            ),
            store_url=env.get("STALKING_PROFILE_STORE", defaults.store_url),
            idle_minutes=int(env.get("STALKING_PROFILE_IDLE_MINUTES", defaults.idle_minutes)),
            oidc_role_claim=env.get("STALKING_PROFILE_OIDC_ROLE_CLAIM", defaults.oidc_role_claim),
            oidc_roles=env.get("STALKING_PROFILE_OIDC_ROLES", defaults.oidc_roles),
            suppress_below=int(env.get("STALKING_PROFILE_SUPPRESS_BELOW", defaults.suppress_below)),
            round_to=int(env.get("STALKING_PROFILE_ROUND_TO", defaults.round_to)),
            serial_victims=int(env.get("STALKING_PROFILE_SERIAL_VICTIMS", defaults.serial_victims)),
            serial_years=int(env.get("STALKING_PROFILE_SERIAL_YEARS", defaults.serial_years)),
            prepare_ahead=_switch(env, "STALKING_PROFILE_PREPARE_AHEAD", defaults.prepare_ahead),
        )


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    """The environment variable `name` as a setting that is on or off: `1`, `true`, `yes` or
    `on` and `0`, `false`, `no` or `off` (any case); unset or empty, `default`. Anything else
    is refused, saying which variable and what it may be."""
    value = env.get(name, "").strip()
    if not value:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (on or off), not {value!r}")


@cache
def _store_beside(db_path: Path) -> str:
    """The operational store's SQLite URL beside a database, its path resolved once (each page
    asks for it several times a run; resolving a path is a system call per part)."""
    return "sqlite:///" + str(db_path.resolve().with_suffix(".operational.sqlite"))
