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


def test_streamlit_does_not_collect_every_object_after_every_run() -> None:
    """Streamlit's default runs gc.collect(2) after each script run: with the cached panels,
    ward geometry and figures in memory that was about 0.5 s of one core a rerun at 10 million
    offences, most of what twenty concurrent sessions waited for (docs/performance.md). The
    app's Streamlit configuration turns it off (Python's own collector still runs)."""
    import tomllib

    from stalking_profile.config import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
