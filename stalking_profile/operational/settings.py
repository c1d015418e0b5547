"""Settings an administrator changes in the running application (kept in the operational
store, so every dashboard process sees the same)."""

from __future__ import annotations

from stalking_profile.access import Access, Permission
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore

LOGIN = "login"


def login_setting(store: OperationalStore) -> bool | None:
    """Login as an administrator set it: True (on), False (off) or None (never set)."""
    row = store.fetch_one("setting_get", key=LOGIN)
    return None if row is None else row["value"] == "on"


def login_required(store: OperationalStore, synthetic: bool) -> bool:
    """Whether the dashboard asks for a login: always for a force's data unless an
    administrator turned it off; never for the synthetic demo unless one turned it on."""
    setting = login_setting(store)
    return not synthetic if setting is None else setting


def set_login_required(store: OperationalStore, required: bool, by: Access) -> None:
    """Turn login on or off (administrators and the command line)."""
    by.require(Permission.SETTINGS)
    value = "on" if required else "off"
    store.execute("setting_put", key=LOGIN, value=value, now=now_text(), username=by.username)
    audit.record(store, Action.SETTING_CHANGED, by, f"login {value}")
