"""Settings (config.py): defaults, environment overrides, and one place each default lives."""

from __future__ import annotations

from pathlib import Path

from stalking_profile import config
from stalking_profile.config import Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.db_path == config.DEFAULT_DB_PATH
    assert settings.spc_run_length == config.SPC_RUN_LENGTH == 6
    assert settings.small_denominator == config.SMALL_DENOMINATOR == 30


def test_environment_overrides_each_setting() -> None:
    settings = Settings.from_env(
        {
            "STALKING_PROFILE_DB": "/tmp/force.duckdb",
            "STALKING_PROFILE_SPC_RUN": "7",
            "STALKING_PROFILE_SMALL_DENOMINATOR": "50",
        }
    )
    assert settings == Settings(Path("/tmp/force.duckdb"), 7, 50)
