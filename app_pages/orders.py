"""Civil orders and breaches: applications, orders made and in force, take-up, breaches."""

import streamlit as st

from stalking_profile import protection_panels, ui

flt = ui.active_filter()

st.title("Civil orders and breaches")
st.caption(
    ui.described(flt) + " · orders sought in the selected districts (by the police, the court "
    "or the victim: see each tab's note), arising from offences of the chosen types and DA choice"
)
no_offences = ui.nothing_to_show(flt)  # said; an order made earlier may still be in force
order_type = ui.chosen_order_type(flt)  # charted in its tab; the tables are the same for any
view = ui.civil_orders(flt, order_type)
if no_offences and (view is None or view.activity.is_empty()):
    st.stop()
if view is not None and view.withheld_note:
    st.info(view.withheld_note, icon=":material/visibility_off:")
    st.stop()
if view is None or view.orders == 0:
    st.info(protection_panels.NO_ORDERS, icon=":material/upload_file:")
    st.stop()

if view.unlinked_note:
    st.caption(view.unlinked_note)
in_period_tab, month_tab, take_up_tab, time_tab, breaches_tab, without_tab = ui.page_tabs(
    [
        "Orders in the period",
        "Orders by month",
        "Take-up per 100 offences",
        "Application to order",
        "Breaches",
        "Repeat suspects with no order",
    ]
)
if in_period_tab.open:
    with in_period_tab:
        ui.show_table(view.activity, ui.file_stem("orders-in-period", flt))
        st.caption(protection_panels.ORDERS_IN_PERIOD_NOTE)

if month_tab.open:
    with month_tab:
        ui.order_type_choice()
        if view.nothing_to_chart:
            st.info(view.nothing_to_chart, icon=":material/bar_chart_off:")
        else:
            ui.chart_with_table(
                view.figure,
                view.chosen_monthly,
                f"orders-{order_type}-by-month",
                flt,
                "Bars: applications and full orders made each month. Line: full orders in force "
                "at the month's end (right axis).",
                labels={"month": "Month"},
            )

if take_up_tab.open:
    with take_up_tab:
        ui.show_table(view.take_up_table, ui.file_stem("orders-take-up", flt))
        st.caption(protection_panels.TAKE_UP_NOTE)

if time_tab.open:
    with time_tab:
        ui.show_table(view.times, ui.file_stem("orders-time-to-order", flt))
        st.caption(protection_panels.TIME_TO_ORDER_NOTE)

if breaches_tab.open:
    with breaches_tab:
        ui.show_table(
            view.breaches,
            ui.file_stem("orders-breaches", flt),
            labels={"rate": "Orders breached (%)"},
        )
        st.caption(view.breaches_note)
        first_made = protection_panels.FIRST_MADE
        ui.show_table(
            view.first_breach,
            ui.file_stem("orders-time-to-first-breach", flt),
            first_made,
            empty=protection_panels.NO_ORDERS_MADE,
            note=protection_panels.FIRST_BREACH_NOTE,
        )
        ui.show_table(
            view.breach_outcomes,
            ui.file_stem("orders-breach-outcomes", flt),
            empty=protection_panels.NO_BREACHES,
            note=protection_panels.BREACH_OUTCOMES_NOTE,
        )

if without_tab.open:
    with without_tab:
        ui.show_table(
            view.without_order_table,
            ui.file_stem("orders-repeat-suspects", flt),
            labels={"rate": "Offences with no order applied for (%)"},
        )
        st.caption(protection_panels.WITHOUT_ORDER_NOTE)
