"""Settings (config.py): defaults, environment overrides, and one place each default lives."""

from __future__ import annotations

from pathlib import Path

from stalking_profile import config
from stalking_profile.config import Settings

ROOT = Path(__file__).resolve().parents[1]


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


def test_preparing_pages_ahead_is_on_unless_switched_off() -> None:
    import pytest

    assert Settings.from_env({}).prepare_ahead is True
    for value, expected in (("0", False), ("off", False), ("No", False), ("1", True), ("", True)):
        assert (
            Settings.from_env({"STALKING_PROFILE_PREPARE_AHEAD": value}).prepare_ahead is expected
        )
    with pytest.raises(ValueError, match="STALKING_PROFILE_PREPARE_AHEAD must be 1 or 0"):
        Settings.from_env({"STALKING_PROFILE_PREPARE_AHEAD": "sometimes"})


def test_streamlit_does_not_collect_every_object_after_every_run() -> None:
    """Streamlit's default runs gc.collect(2) after each script run: with the cached panels,
    ward geometry and figures in memory that was about 0.5 s of one core a rerun at 10 million
    offences, most of what twenty concurrent sessions waited for (docs/performance.md). The
    app's Streamlit configuration turns it off (Python's own collector still runs)."""
    import tomllib

    from stalking_profile.config import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_themes_text_and_accent_meet_wcag_contrast() -> None:
    """Captions are the theme's text colour at 60% opacity: from Streamlit's default text they
    were 3.9:1 on white, and a chosen filter option's text on the accent's 10% tint 4.2:1
    (helper 52's accessibility audit). WCAG 2.2 AA asks 4.5:1 of both."""
    import tomllib

    from tests.test_charts import contrast

    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]

    def over_white(colour: str, alpha: float) -> str:
        channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        return "#" + "".join(f"{round(c * alpha + 255 * (1 - alpha)):02x}" for c in channels)

    caption = over_white(theme["textColor"], 0.6)
    assert contrast(caption) >= 4.5
    assert contrast(theme["primaryColor"], over_white(theme["primaryColor"], 0.1)) >= 4.5
    assert contrast(theme["codeTextColor"]) >= 4.5
