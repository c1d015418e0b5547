"""Key findings in words: plain-English sentences generated from the measures and their tests
(no language model). Each names the figure it comes from; a change is called a rise or a fall
only when its test supports it; a suppressed figure (None in publication mode) is never put in
words - its sentence says only that the number is small."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from stalking_profile.filters import Comparison, ProfileFilter, month_label
from stalking_profile.measures.spc import variation
from stalking_profile.rounding import percent_text
from stalking_profile.tables import SUPPRESSED

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Finding:
    text: str
    source: str  # the measure(s) it is traceable to


def _row(headline: pl.DataFrame, indicator: str) -> dict | None:
    rows = headline.filter(indicator=indicator)
    return rows.row(0, named=True) if rows.height else None


def _count(value: float | int | None) -> str:
    """A count in words; a withheld one as "suppressed", whatever withheld it: "fewer than 5"
    for a small count and "a number withheld" for one hidden to protect it told a reader
    which was the small one, as the tables' one word does not."""
    return SUPPRESSED if value is None else f"{int(value):,}"


def _p_text(p: float, name: str = "p") -> str:
    """A p-value (or, `name` "q", a q-value) as the findings write it: 'p = 0.020', 'p < 0.001'."""
    return f"{name} < 0.001" if p < 0.001 else f"{name} = {p:.3f}"


CHANGE_TEST = (
    "change (test of the two periods' counts: exact, or quasi-Poisson where the months vary "
    "more than Poisson allows; the false discovery rate over the Trends page's table)"
)

YEAR_EARLIER_TEST = (
    "change on a year earlier (test of the two periods' counts: exact, or quasi-Poisson where "
    "the months vary more than Poisson allows)"
)


def _recorded(number: int, what: str, period: str) -> str:
    """'1 stalking offence was recorded in May 2021.'; 'No ... offences were ...' for none."""
    if number == 0:
        return f"No {what} offences were recorded {period}."
    noun = "offence was" if number == 1 else "offences were"
    return f"{number:,} {what} {noun} recorded {period}."


def volume(
    headline: pl.DataFrame,
    period: str,
    what: str,
    rule_change: str | None = None,
    compared: Comparison | None = None,
    q_value: float | None = None,
    year_compared: Comparison | None = None,
) -> list[Finding]:
    """Offences recorded, and the change on the previous period in words its test allows
    (a withheld count as "suppressed", whatever withheld it; `rule_change`: the warning that the periods straddle a counting-rule change, said after
    the change as the Overview and Trends pages say it; `compared`: the periods the change
    compares, which where the data start inside the period before are the months both have,
    like for like, and said so: the period's offences beside the previous period's count
    read as a doubling where the change was +7.7%). `q_value`: the change's q on the Trends
    page's district table, which marks a change more than chance only where q < 0.05 (the
    false discovery rate over its many tests): a change with p under 0.05 and q over it is
    said to be both, not called more than chance (the force's fall of 28.4%, October to
    December 2021, p = 0.021: the pack called it more than chance, which the Trends page,
    q = 0.086, did not). `year_compared`: the months the change on a year earlier compares,
    named where like for like."""
    offences = _row(headline, "offences")
    if offences is None:
        return []
    number = offences["numerator"]
    found = [
        Finding(
            f"The number of {what} offences recorded {period} is suppressed."
            if number is None
            else _recorded(int(number), what, period),
            "offences",
        )
    ]
    change = _row(headline, "change")
    if change is None or change["value"] is None or change["denominator"] is None:
        return found + _year_earlier(headline, year_compared)
    previous = _count(change["denominator"])
    against = f"on the previous equal period ({previous})"
    if compared is not None and compared.like_for_like and compared.previous is not None:
        against = f"like for like ({_like_for_like(change, compared)} both periods)"
    if compared is not None and compared.per_day:  # months of unequal length: per day
        against = "in offences a day " + against
    pct = change["value"]
    p = change["p_value"]
    if p is not None and p < SIGNIFICANCE:
        change_text = (
            f"That is a {'rise' if pct > 0 else 'fall'} of {percent_text(abs(pct))} {against}"
        )
        if q_value is not None and q_value >= SIGNIFICANCE:  # the Trends page leaves it unmarked
            change_text += (
                f": {_p_text(p)} on its own, but beside the Trends page's tests of every "
                f"district within what chance gives (q = {q_value:.3f}), so not clear evidence "
                "of a change."
            )
        else:
            change_text += f", more than chance would give ({_p_text(p)})."
        found.append(Finding(change_text, CHANGE_TEST))
    elif p is None:  # withheld with the monthly counts behind the test
        found.append(
            Finding(
                f"That is {percent_text(pct, signed=True)} {against}; whether that is more than chance is not "
                "published (the test rests on monthly counts withheld).",
                "change",
            )
        )
    else:  # "little changed" had stood beside -60.0% (5 offences before) and -100.0%
        movement = (
            "no change"
            if pct == 0
            else f"a {'rise' if pct > 0 else 'fall'} of {percent_text(abs(pct))}"
        )
        found.append(
            Finding(
                f"That is {movement} {against}, which chance could give ({_p_text(p)}): not "
                "evidence of a change.",
                CHANGE_TEST,
            )
        )
    found += _year_earlier(headline, year_compared)
    if rule_change:
        found.append(
            Finding(rule_change, "counting-rule changes (reference/recording_rule_changes.csv)")
        )
    return found


def _like_for_like(change: dict, compared: Comparison) -> str:
    """'215 from Apr 2019 to Jun 2019 against 215 from Apr 2018 to Jun 2018, the months the
    data hold in': the counts of a like-for-like change with the months each covers."""
    assert compared.previous is not None
    now, before = compared.current, compared.previous
    return (
        f"{_count(change['numerator'])} {_months(now)} against {_count(change['denominator'])} "
        f"{_months(before)}, the months the data hold in"
    )


def _months(flt: ProfileFilter) -> str:
    """'from Apr 2019 to Jun 2019'; 'in Apr 2019' for one month ("from Apr 2019 to Apr 2019")."""
    if flt.start_month == flt.end_month:
        return f"in {month_label(flt.start_month)}"
    return f"from {month_label(flt.start_month)} to {month_label(flt.end_month)}"


def _year_earlier(headline: pl.DataFrame, compared: Comparison | None) -> list[Finding]:
    """The change on the same months a year earlier in words its test allows (a period
    shorter than 12 months: November to January read as a fall on the period before, a
    seasonal fall, and as a rise on a year earlier); like for like, with the months it
    compares where `compared` gives them ("215 against 215" had not said which)."""
    year = _row(headline, "change_year_earlier")
    if year is None or year["value"] is None or year["denominator"] is None:
        return []
    label = str(year["label"])
    same = "month" if compared is not None and compared.current.months == 1 else "months"
    against = f"On the same {same} a year earlier ({_count(year['denominator'])})"
    if "like for like" in label:
        counts = (
            _like_for_like(year, compared)
            if compared is not None and compared.previous is not None
            else f"{_count(year['numerator'])} against {_count(year['denominator'])}, the months "
            "the data hold in"
        )
        against = f"On the same {same} a year earlier, like for like ({counts} both years)"
    if label.endswith("per day"):
        against += ", in offences a day"
    pct, p = year["value"], year["p_value"]
    movement = (
        "no change"
        if pct == 0
        else f"a {'rise' if pct > 0 else 'fall'} of {percent_text(abs(pct))}"
    )
    if p is None:  # withheld with the monthly counts behind the test
        text = f"{against}, that is {percent_text(pct, signed=True)}; whether that is more than chance is not published."
    elif p < SIGNIFICANCE:
        text = f"{against}, that is {movement}, more than chance would give ({_p_text(p)})."
    else:
        text = (
            f"{against}, that is {movement}, which chance could give ({_p_text(p)}): not "
            "evidence of a change."
        )
    return [Finding(text, YEAR_EARLIER_TEST)]


def domestic_share(headline: pl.DataFrame) -> list[Finding]:
    share = _row(headline, "domestic_share")
    if share is None or share["value"] is None:
        return []
    return [
        Finding(
            f"{percent_text(share['value'], 0)} were domestic-abuse related (95% interval "
            f"{percent_text(share['lower'], 0)} to {percent_text(share['upper'], 0)}): "
            f"{_count(share['numerator'])} DA offences.",
            "DA share",
        )
    ]


def outcomes(headline: pl.DataFrame) -> list[Finding]:
    withdrawn, charged = _row(headline, "outcome_16_rate"), _row(headline, "outcome_1_8_rate")
    if withdrawn is None or withdrawn["value"] is None:
        return []
    few = _small_numbers(withdrawn)
    text = (
        f"In {percent_text(withdrawn['value'], 0)} of offences (95% interval {percent_text(withdrawn['lower'], 0)} to "
        f"{percent_text(withdrawn['upper'], 0)}{'; ' + few if few else ''}) the suspect was identified but "
        "the victim did not support further action (outcome 16)"
    )
    if charged is not None and charged["value"] == 0:
        text += "; none ended in a charge or another outcome 1-8"
    elif charged is not None and charged["value"] is not None:
        # with its small-numbers caution too (helper 83: "100.0%" of 1 offence, unqualified)
        text += f"; {percent_text(charged['value'])}{_few(charged)} ended in a charge or another outcome 1-8"
    # as the Overview says beside them (helper 71: the pack stated both for November 2021 to
    # January 2022, when 52% of the offences were still open, with no word of it)
    return [Finding(text + ". " + OPEN_CASES_CAVEAT, "outcome 16 rate; outcome 1-8 rate")]


OPEN_CASES_CAVEAT = (
    "Each offence's outcome is its latest at the extract date, and offences still open count "
    "in the denominator: a period of recent offences reads low until they close."
)


def control(chart: pl.DataFrame) -> list[Finding]:
    """The latest month on the XmR chart (spc.xmr's columns, as published), in the words of
    the Trends page's variation: special cause, higher or lower, or common cause, with its
    process limits; nothing where there are too few points or the detail is withheld (the
    pack had no word of the 17 months the page marks: helper 83)."""
    if chart.is_empty() or chart["value"][-1] is None:
        return []
    verdict = variation(chart)
    latest = chart.row(-1, named=True)
    if verdict == "too few points" or latest["upper_limit"] is None:
        return []
    limits = f"process limits {max(latest['lower_limit'], 0):,.0f} to {latest['upper_limit']:,.0f}"
    month = f"{month_label(latest['month'])} ({int(latest['value']):,} offences)"
    marked = int(chart["special_cause"].fill_null(False).sum())
    since = f"{month_label(chart['month'][0])} to {month_label(latest['month'])}"
    text = (
        f"{month} is within common-cause variation ({limits})"
        if verdict == "common cause"
        else f"{month} is a special cause, {'higher' if latest['side'] == 'high' else 'lower'} "
        f"than common-cause variation allows ({limits})"
    )
    return [
        Finding(
            f"{text}; {marked:,} of the {chart.height} months from {since} are special "
            "cause on the chart.",
            "XmR chart of offences by month (Making Data Count rules)",
        )
    ]


def risk(selection: pl.DataFrame, tests: pl.DataFrame | None = None) -> list[Finding]:
    """DASH completion and arrest, DA against non-DA: the selection's rows (the Risk page's
    `selection`: the force's, a district's or the selected districts'; a district's pack had
    none, for it kept the rows named "Force" alone), each with what the Risk page's test of
    the difference says (`tests`: its comparison rows for the selection, flag and q_value):
    Calderdale's 27% against 16% read as a difference the page says chance could explain
    (q = 0.135; helper 83). No word where the test is withheld or there is none."""
    found = []
    for flag, name in (("dash_completed", "A DASH risk assessment"), ("arrest_made", "An arrest")):
        rows = {row["category"]: row for row in selection.filter(flag=flag).iter_rows(named=True)}
        da, non = rows.get("domestic"), rows.get("non_domestic")
        if not da or not non or da["rate"] is None or non["rate"] is None:
            continue
        tested = tests.filter(flag=flag) if tests is not None else None
        q = tested["q_value"][0] if tested is not None and tested.height else None
        verdict = (
            ""
            if q is None
            else f": a difference more than chance ({_p_text(q, 'q')})"
            if q < SIGNIFICANCE
            else f": a difference chance could explain ({_p_text(q, 'q')})"
        )
        found.append(
            Finding(
                f"{name} was recorded for {percent_text(da['rate'], 0)} of DA offences"
                f"{_few(da)} and {percent_text(non['rate'], 0)} of non-DA offences{_few(non)}{verdict}.",
                f"{flag} rate by DA / non-DA",
            )
        )
    return found


def _small_numbers(rate: dict) -> str:
    """The small-numbers caution the dashboard gives a rate over fewer than 30 offences (a
    finding read "25% of non-DA offences" for 1 of 4): "1 of 4: small numbers", or ""."""
    if not rate.get("is_small") or rate.get("numerator") is None:
        return ""
    return f"{rate['numerator']:,} of {rate['denominator']:,}: small numbers"


def _few(rate: dict) -> str:
    """`_small_numbers` in brackets after a rate, or nothing."""
    caution = _small_numbers(rate)
    return f" ({caution})" if caution else ""


def quality(indicators: pl.DataFrame) -> list[Finding]:
    """The data-quality caveats that matter most for reading the figures: the three largest
    rates of 10% or more (the first three in the table's order had left out 17% still open
    for 10% without a DASH), each with the small-numbers caution the page gives."""
    found = []
    rows = indicators.filter(pl.col("rate").is_not_null() & (pl.col("denominator") > 0))
    for row in rows.sort("rate", descending=True, maintain_order=True).iter_rows(named=True):
        if row["rate"] >= 0.1:
            found.append(
                Finding(
                    f"Data quality: {row['label']} - {percent_text(row['rate'], 0)} of the offences it "
                    f"applies to{_few(row)}.",
                    row["label"],
                )
            )
    return found[:3]
