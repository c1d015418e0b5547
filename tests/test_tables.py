"""Tables in the users' words (tables.py): labels, one precision per column, p-values and significance."""

from __future__ import annotations

import polars as pl

from stalking_profile import tables


def test_p_values_read_as_people_read_them() -> None:
    frame = pl.DataFrame({"p_value": [1.8e-20, 0.0344, None], "significant": [True, False, None]})
    shown = tables.for_display(frame)
    assert shown["p-value"].to_list() == ["< 0.001", "0.034", ""]
    assert shown["More than chance? (q < 0.05)"].to_list() == [
        "yes: more than chance",
        "no: could be chance",
        "no test",
    ]


def test_one_precision_per_column() -> None:
    """Fault 8: '14.2%' beside '13.87%'. Rates are percentages to one place; ward rates per
    1,000 to two; counts whole; keys for code never shown."""
    frame = pl.DataFrame(
        {
            "indicator": ["a", "b"],
            "rate": [0.142, 0.13871],
            "rate_per_1000": [12.0812, 3.1],
            "numerator": [142, 1387],
        }
    )
    shown = tables.for_display(frame)
    assert shown.columns == ["Rate (%)", "Offences per 1,000 residents", "Offences counted"]
    assert shown["Rate (%)"].to_list() == [14.2, 13.9]
    assert shown["Offences per 1,000 residents"].to_list() == [12.08, 3.1]
    formats = tables.display_formats(frame)
    assert formats == {
        "Rate (%)": "%.1f",
        "Offences per 1,000 residents": "%.2f",
        "Offences counted": "localized",
    }


def test_every_registered_column_has_a_label_in_words() -> None:
    for name, column in tables.COLUMNS.items():
        assert "_" not in column.label and column.label != name, name


def test_downloads_neutralise_formulas_but_keep_numbers() -> None:
    """Issue 13, fault 7: quarantine and drill-down downloads carried =HYPERLINK(...) as
    imported. Text starting =, +, -, @, tab or CR gets a leading quote; numbers do not."""
    frame = pl.DataFrame(
        {
            "value": ['=HYPERLINK("http://x")', "@SUM(A1)", "\t=1", "+86.5%*", "-12", "plain"],
            "count": [1, -2, 3, 4, 5, 6],
        }
    )
    safe = tables.spreadsheet_safe(frame)
    assert safe["value"].to_list() == [
        '\'=HYPERLINK("http://x")',
        "'@SUM(A1)",
        "'\t=1",
        "+86.5%*",
        "-12",
        "plain",
    ]
    assert safe["count"].to_list() == frame["count"].to_list()


def test_withheld_counts_are_written_as_suppressed() -> None:
    """Publication mode: a blank count read as none (or as Streamlit's 'None'); a withheld
    count says so, and the others keep their thousands separators."""
    frame = pl.DataFrame(
        {"order_type": ["SPO", "RO"], "applied": [None, 1688], "rate": [None, 0.5]},
        schema={"order_type": pl.String, "applied": pl.Int64, "rate": pl.Float64},
    )
    shown, changed = tables.mark_suppressed(frame, tables.for_display(frame))
    assert changed == {"Applied for", "Rate (%)"}
    assert shown["Applied for"].to_list() == ["suppressed", "1,688"]
    assert shown["Rate (%)"].to_list() == ["suppressed", "50.0"]  # withheld with its count


def test_a_rolling_total_before_12_months_of_data_is_no_value_not_suppressed(
    demo_gateway,
) -> None:
    """Helper 71: a commissioner's office, DA, February to December 2019: February's rolling
    12-month total (under 12 months of data: none) read "suppressed", as did March and
    April's, which are withheld (March's count is), so a reader could not tell them apart."""
    from datetime import date

    from stalking_profile import panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter

    commissioner = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    flt = ProfileFilter(
        date(2019, 2, 1), date(2019, 12, 1), ("BD", "CD", "KD", "LD", "WD"), "domestic"
    )
    table = panels.trends_page(commissioner, flt, 6, True).volume.table
    shown, _ = tables.mark_suppressed(table, tables.for_display(table))
    total = shown[tables.column_for("rolling_12m_total").label].to_list()
    average = shown[tables.column_for("rolling_12m_average").label].to_list()
    assert total[0] == average[0] == tables.NO_VALUE  # February 2019: 11 months of data
    assert total[1:3] == average[1:3] == [tables.SUPPRESSED] * 2  # withheld
    assert total[3] not in (tables.NO_VALUE, tables.SUPPRESSED)  # May 2019, shown
    assert "rolling_12m_complete" not in " ".join(shown.columns)


def test_a_previous_period_not_in_the_data_is_no_value_not_suppressed(demo_gateway) -> None:
    """Helper 71: a commissioner's office, April 2018 (the data's first month): the Top wards'
    previous period and change read "suppressed" for every ward, though there is no previous
    period to show."""
    from datetime import date

    from stalking_profile import map_panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter
    from stalking_profile.geography import ward_geometry

    commissioner = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    force = ("BD", "CD", "KD", "LD", "WD")
    geometry = ward_geometry(commissioner, force)
    first = ProfileFilter(date(2018, 4, 1), date(2018, 4, 1), force)
    top = map_panels.hotspot_panel(commissioner, first, geometry, "rate", True).top_wards
    shown, _ = tables.mark_suppressed(top, tables.for_display(top))
    for column in ("previous_offences", "change_pct"):
        assert set(shown[tables.column_for(column).label].to_list()) <= {None, tables.NO_VALUE}
    assert not any("complete" in name for name in shown.columns)


def test_withheld_rates_beside_their_shown_denominators_say_suppressed(demo_gateway) -> None:
    """Helper 71: a commissioner's office, non-DA, November 2021 to January 2022, Risk & flags'
    DA against non-DA: the districts' arrest rates were blank and their verdict "no test",
    though each has DA and non-DA offences (shown beside them) and a test internally."""
    from datetime import date

    from stalking_profile import panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter

    commissioner = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    flt = ProfileFilter(
        date(2021, 11, 1), date(2022, 1, 1), ("BD", "CD", "KD", "LD", "WD"), "non_domestic"
    )
    table = panels.risk_panel(commissioner, flt, 30).comparison_table
    shown, _ = tables.mark_suppressed(table, tables.for_display(table))
    withheld = table.select(
        pl.col("non_da_rate").is_null() & (pl.col("non_da_denominator") > 0)
    ).to_series()
    assert withheld.any()
    for column in ("non_da_rate", "significant"):
        cells = shown[tables.column_for(column).label].filter(withheld).to_list()
        assert set(cells) == {tables.SUPPRESSED}, (column, cells)


def test_a_withheld_process_control_series_says_so_in_every_month(demo_gateway) -> None:
    """Helper 71: a commissioner's office, DA, February to December 2019: the Trends page's
    process-control table read "suppressed" for the mean and limits in the 4 months whose
    count is withheld and left them blank in the other 17, though the series' mean and limits
    are withheld in every month. Since the headline counts are spared, its mean is shown and
    its limits, blank in every month, read "suppressed" in every month."""
    from datetime import date

    from stalking_profile import panels
    from stalking_profile.access import Access, Role
    from stalking_profile.filters import ProfileFilter

    commissioner = demo_gateway.scoped(Access.for_role("x", Role("commissioner")))
    flt = ProfileFilter(
        date(2019, 2, 1), date(2019, 12, 1), ("BD", "CD", "KD", "LD", "WD"), "domestic"
    )
    chart = panels.trends_page(commissioner, flt, 6, True).control.chart_table
    assert chart["value"].null_count() > 0 and chart["upper_limit"].null_count() == chart.height
    shown, _ = tables.mark_suppressed(chart, tables.for_display(chart))
    for column in ("upper_limit", "lower_limit"):
        assert set(shown[tables.column_for(column).label]) == {tables.SUPPRESSED}, column
    assert chart["mean"].null_count() == 0  # the mean, a sum of the months, is protected
    # a series whose mean is withheld as well reads "suppressed" for it in every month too
    hidden = chart.with_columns(pl.lit(None, pl.Float64).alias("mean"))
    shown, _ = tables.mark_suppressed(hidden, tables.for_display(hidden))
    assert set(shown[tables.column_for("mean").label]) == {tables.SUPPRESSED}


def test_withheld_counts_and_shares_by_district_say_suppressed() -> None:
    """The Outcomes page's tables by district name their columns by area (district codes,
    "Force"), which the registry does not hold: a withheld count there was a bare blank, on
    screen and in the CSV, read as none. Counts and shares now say "suppressed"; a share
    column of a district with no offences (nothing to divide by) stays blank."""
    counts = pl.DataFrame(
        {"label": ["CHARGED", "(blank)"], "CD": [None, 145], "Force": [59, None]},
        schema_overrides={"CD": pl.Int64, "Force": pl.Int64},
    )
    shown, changed = tables.mark_suppressed(counts, tables.for_display(counts))
    assert {"CD", "Force"} <= changed
    assert shown["CD"].to_list() == ["suppressed", "145"]
    assert shown["Force"].to_list() == ["59", "suppressed"]
    shares = pl.DataFrame(
        {"label": ["CHARGED", "(blank)"], "CD": [None, 25.35], "KD": [None, None]},
        schema_overrides={"CD": pl.Float64, "KD": pl.Float64},
    )
    shown, changed = tables.mark_suppressed(shares, tables.for_display(shares))
    assert shown["CD"].to_list() == ["suppressed", "25.4"]
    assert shown["KD"].to_list() == [None, None] and "KD" not in changed


def test_a_rate_withheld_with_its_count_says_so_and_a_rate_of_nothing_stays_blank() -> None:
    """Publication mode: a rate withheld beside a withheld count read as blank, like a rate
    with nothing to divide by; now it says "suppressed", and the other rates keep their
    precision."""
    frame = pl.DataFrame(
        {
            "label": ["Cyber", "DASH", "Weapons"],
            "numerator": [None, 0, 30],
            "denominator": [120, 0, 90],
            "rate": [None, None, 1 / 3],
        },
        schema_overrides={"numerator": pl.Int64, "denominator": pl.Int64},
    )
    shown, changed = tables.mark_suppressed(frame, tables.for_display(frame))
    rate = tables.column_for("rate").label
    assert rate in changed
    assert shown[rate].to_list() == ["suppressed", "", "33.3"]
    assert shown[tables.column_for("numerator").label].to_list() == ["suppressed", "0", "30"]


def test_a_verdict_withheld_with_its_count_says_so_and_an_untested_one_says_no_test() -> None:
    """Publication mode withholds a test's verdict with its count; it read "no test", as if
    nothing had been compared."""
    frame = pl.DataFrame(
        {
            "district_code": ["CD", "KD", "WD"],
            "current": [None, 0, 30],
            "significant": [None, None, True],
        },
        schema_overrides={"current": pl.Int64},
    )
    shown, changed = tables.mark_suppressed(frame, tables.for_display(frame))
    verdict = tables.column_for("significant").label
    assert verdict in changed
    assert shown[verdict].to_list() == ["suppressed", "no test", "yes: more than chance"]


def test_a_column_with_every_value_withheld_is_shown_empty() -> None:
    """Publication mode can withhold a whole column (the Repeats page's shares for one
    category): Polars then holds it as nulls of no type, which cannot be rounded."""
    frame = pl.DataFrame({"repeat_victim_share": [None, None], "offences": [None, None]})
    shown = tables.for_display(frame)
    assert shown.columns == ["Repeat victim share (%)", "Offences"]
    assert shown.to_dicts() == [{"Repeat victim share (%)": None, "Offences": None}] * 2


def test_the_row_for_every_selected_district_is_called_what_other_pages_call_it() -> None:
    """The Civil orders and Victim contact tables called the selection's row "All", which read
    as the force beside the other pages' "Force" (every district) and "Selected districts"."""
    frame = pl.DataFrame({"district_code": ["CD", "WD", "All"], "offences": [565, 886, 1451]})
    shown = tables.for_display(frame)
    assert shown["District"].to_list() == ["CD", "WD", "Selected districts"]
    assert shown["Offences"].to_list() == [565, 886, 1451]


def test_a_rate_of_no_offences_is_not_a_small_number_to_treat_with_caution() -> None:
    """A district with no offences in the period read "Small numbers: yes: treat with
    caution" beside its blank rate: 0 of 0 is no data."""
    frame = pl.DataFrame(
        {
            "label": ["Arrest", "Arrest", "Arrest"],
            "numerator": [0, 2, 40],
            "denominator": [0, 9, 90],
            "rate": [None, 2 / 9, 4 / 9],
            "is_small": [True, True, False],
        }
    )
    shown = tables.for_display(frame)[tables.column_for("is_small").label].to_list()
    assert shown == ["no offences: no rate", "yes: treat with caution", ""]


def test_a_rate_of_nothing_named_otherwise_is_not_a_small_number_either() -> None:
    """Helper 70: the Civil orders, Victim contact and repeat-suspect tables name their
    denominators (orders in force, agreements, final updates due, offences by a repeat
    suspect), and their 0 of 0 read "yes: treat with caution"."""
    small = tables.column_for("is_small").label
    told = tables.column_for("told_is_small").label
    cases = {
        "orders_in_force": "no orders in force: no rate",
        "agreements": "no contact agreements: no rate",
        "repeat_suspect_offences": "no offences by a repeat suspect: no rate",
    }
    for denominator, none in cases.items():
        frame = pl.DataFrame({denominator: [0, 9, 90], "is_small": [True, True, False]})
        assert tables.for_display(frame)[small].to_list() == [none, "yes: treat with caution", ""]
    contact = pl.DataFrame(
        {
            "agreements": [58, 0],
            "is_small": [False, True],
            "updates_due": [13, 0],
            "told_is_small": [True, True],
        }
    )
    shown = tables.for_display(contact)
    assert shown[small].to_list() == ["", "no contact agreements: no rate"]
    assert shown[told].to_list() == ["yes: treat with caution", "no final updates due: no rate"]


def test_a_median_and_its_quartiles_show_at_one_precision():
    """Helper 46's trial: the Repeats page's days between a suspect's offences read a median
    of "91.5" and "3" beside quartiles of "43.0" and "3.0"."""
    gaps = pl.DataFrame(
        {
            "median_days": [91.5, 3.0],
            "lower_quartile_days": [43.0, 3.0],
            "upper_quartile_days": [120.0, 9.5],
        }
    )
    formats = tables.display_formats(gaps)
    assert len(set(formats.values())) == 1, formats
