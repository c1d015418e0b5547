"""Every page renders under AppTest, for the default filter and others, without an exception."""

from __future__ import annotations

import pytest

PAGES = {
    "app_pages/overview.py": "Overview",
    "app_pages/trends.py": "Trends",
    "app_pages/outcomes.py": "Outcomes",
    "app_pages/risk.py": "Risk & flags",
    "app_pages/maps.py": "Hotspot maps",
    "app_pages/quality.py": "Data quality",
    "app_pages/data.py": "Data",
    "app_pages/definitions.py": "Definitions",
}
FILTERS = {
    "default": {},
    "single district, non-DA": {"district": "BD", "da": "non_domestic"},
    "harassment and stalking, DA, one month": {
        "type": ["stalking", "harassment"],
        "da": "domestic",
        "period": ["2021-06", "2021-06"],
    },
    "empty period before the data": {
        "period": ["2018-04", "2018-04"],
        "district": "CD",
        "da": "non_domestic",
    },
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_page_renders(app_test, page: str, filters: dict) -> None:
    at = app_test(**filters).run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    if "from" in filters:  # the page-address filters (month labels, as the URL shows them) applied
        assert (
            at.selectbox(key="from").format_func(at.selectbox(key="from").value) == filters["from"]
        )
    assert any("synthetic" in warning.value for warning in at.warning), "the demo banner shows"


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_overview_shows_the_published_figures(app_test) -> None:
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}).run()
    assert _metrics(at)["Offences"] == "6,129"
    assert "+86.5%" in at.metric[0].proto.delta
    assert _metrics(at)["DA share"] == "92.5%"  # 5,669 of 6,129
    at.button_group(key="da").set_value("domestic").run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["Outcome 1-8 rate"], figures["Outcome 16 rate"]) == (
        "5,669",
        "2.7%",
        "51.3%",
    )
    at.button_group(key="da").set_value("non_domestic").run()
    figures = _metrics(at)
    assert (figures["Offences"], figures["Outcome 1-8 rate"]) == ("460", "3.9%")


def test_filters_from_the_page_address(app_test) -> None:
    at = app_test(
        **{"from": "Oct 2020", "to": "Sep 2021"}, district="CD Calderdale", da="Non-DA"
    ).run()
    assert _metrics(at)["Offences"] == "37"  # the published Calderdale non-domestic figure


def test_filters_change_the_figures(app_test) -> None:
    at = app_test(**{"from": "Oct 2020", "to": "Sep 2021"}).run()
    force = _metrics(at)["Offences"]
    at.multiselect(key="district").set_value(["CD"]).run()
    assert _metrics(at)["Offences"] == "565"
    assert force != "565"


def test_period_ending_before_it_starts_says_so(app_test) -> None:
    at = app_test(**{"from": "Sep 2021", "to": "Oct 2020"}).run()
    assert not at.exception
    assert any("ends before it starts" in info.value for info in at.info)


def test_no_district_selected_says_so(app_test) -> None:
    at = app_test().run()
    at.multiselect(key="district").set_value([]).run()
    assert not at.exception
    assert any("at least one district" in info.value for info in at.info)
