"""Users and audit: accounts, roles, login, and the audit trail (administrators only)."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.access import Permission, Role
from stalking_profile.operational import accounts, audit
from stalking_profile.operational import settings as app_settings

access = ui.current_access()
store = ui.store()
st.title("Users and audit")
users_tab, audit_tab, login_tab = st.tabs(["Users", "Audit trail", "Login"])

with users_tab:
    if not access.allows(Permission.USERS):
        st.caption("Managing users is for administrators.")
    else:
        if done := st.session_state.pop("admin_done", None):
            st.success(done)
        ui.show_table(accounts.users(store, access))
        roles = [role.value for role in Role]
        with st.form("add_user", clear_on_submit=True):
            st.header("Add a user")
            username = st.text_input("User name", key="admin_new_username")
            name = st.text_input("Name shown (optional)", key="admin_new_name")
            role = st.selectbox(
                "Role", roles, format_func=lambda value: Role(value).label, key="admin_new_role"
            )
            password = st.text_input(
                "Password (at least 12 characters)", type="password", key="admin_new_password"
            )
            if st.form_submit_button("Add user"):
                try:
                    accounts.add_user(store, username, role, password, access, name)
                    st.session_state["admin_done"] = f"Added {username} as {Role(role).label}."
                    st.rerun()
                except ValueError as error:
                    st.error(f"Not added: {error}.")
        with st.form("change_user"):
            st.header("Change a user")
            target = st.text_input("User name", key="admin_target")
            change = st.selectbox(
                "Change",
                ["set role", "reset password", "disable", "enable"],
                key="admin_change",
            )
            new_role = st.selectbox(
                "New role (for set role)",
                roles,
                format_func=lambda value: Role(value).label,
                key="admin_change_role",
            )
            new_password = st.text_input(
                "New password (for reset password)", type="password", key="admin_change_password"
            )
            if st.form_submit_button("Apply"):
                try:
                    if change == "set role":
                        accounts.set_role(store, target, new_role, access)
                    elif change == "reset password":
                        accounts.reset_password(store, target, new_password, access)
                    else:
                        accounts.set_disabled(store, target, change == "disable", access)
                    st.session_state["admin_done"] = (
                        f"{target}: {change} done; their open sessions have ended."
                    )
                    st.rerun()
                except ValueError as error:
                    st.error(f"Not changed: {error}.")

with audit_tab:
    if not access.allows(Permission.AUDIT):
        st.caption("The audit trail is for administrators.")
    else:
        days = st.number_input("Days back", 1, 3650, 90, key="admin_audit_days")
        events, said = audit.for_the_page(store, access, int(days))
        st.caption(said)
        ui.show_table(events, f"audit-trail-{int(days)}-days", about=audit.export_about(int(days)))

with login_tab:
    required = app_settings.login_required(store, synthetic=False)
    st.markdown(
        f"Login is **{'required' if required else 'off'}** for this database "
        "(the synthetic demo opens without login unless it is turned on here)."
    )
    if access.allows(Permission.SETTINGS):
        turn_on = st.toggle("Require login", value=required, key="admin_login_required")
        if turn_on != required:
            app_settings.set_login_required(store, turn_on, access)
            st.rerun()
