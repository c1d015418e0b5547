"""Local user accounts: argon2id password hashes, login with lock-out, sessions that expire
after inactivity. Messages never say whether a user name exists."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stalking_profile.access import Access, Permission, Role
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
IDLE_MINUTES = 30
MIN_PASSWORD_LENGTH = 12
LOGIN_REFUSED = (
    "Sign-in failed: the user name or password is not right, or the account is locked or "
    f"disabled. After {MAX_FAILED_LOGINS} failed attempts an account is locked for "
    f"{LOCK_MINUTES} minutes."
)
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _HASHER.hash("a password no account has")


class AccountError(ValueError):
    """A user-management request that cannot be done; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    """A successful login: the access it grants and the session token (kept by the client;
    the store keeps only its SHA-256)."""

    access: Access
    token: str
    display_name: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise AccountError("a user name is 1 to 64 printable characters without spaces")
    return name


def add_user(
    store: OperationalStore,
    username: str,
    role: Role | str,
    password: str,
    by: Access,
    display_name: str = "",
) -> None:
    """Add a local account (administrators and the command line)."""
    by.require(Permission.USERS)
    name = _check_username(username)
    role = Role(role)
    _check_password(password)
    if store.fetch_one("user_by_name", username=name) is not None:
        raise AccountError(f"there is already a user {name!r}")
    store.execute(
        "user_insert",
        username=name,
        display_name=display_name or name,
        role=role.value,
        districts="",
        password_hash=_HASHER.hash(password),
        now=now_text(),
    )
    audit.record(store, Action.USER_ADDED, by, f"{name} as {role.label}")


def _change(store: OperationalStore, name: str, by: Access, what: str, detail: str, **params):
    by.require(Permission.USERS)
    with store.transaction() as transaction:
        if transaction.execute(what, username=name, now=now_text(), **params) == 0:
            raise AccountError(f"there is no user {name!r}")
        transaction.execute("sessions_end_for_user", username=name, now=now_text())
    audit.record(store, Action.USER_CHANGED, by, f"{name}: {detail}")


def set_role(store: OperationalStore, username: str, role: Role | str, by: Access) -> None:
    """Change a user's role (their open sessions end)."""
    role = Role(role)
    _change(store, username, by, "user_set_role", f"role set to {role.label}", role=role.value)


def reset_password(store: OperationalStore, username: str, password: str, by: Access) -> None:
    """Set a new password, clearing any lock-out (their open sessions end)."""
    _check_password(password)
    _change(
        store,
        username,
        by,
        "user_set_password",
        "password reset",
        password_hash=_HASHER.hash(password),
    )


def set_disabled(store: OperationalStore, username: str, disabled: bool, by: Access) -> None:
    """Disable or re-enable a user (a disabled user's sessions end)."""
    _change(
        store,
        username,
        by,
        "user_set_disabled",
        "disabled" if disabled else "enabled",
        disabled=int(disabled),
    )


def users(store: OperationalStore, by: Access) -> pl.DataFrame:
    """Every account (no password hashes), for administrators."""
    by.require(Permission.USERS)
    schema = {
        "username": pl.String,
        "display_name": pl.String,
        "role": pl.String,
        "districts": pl.String,
        "disabled": pl.Int64,
        "failed_logins": pl.Int64,
        "locked_until": pl.String,
        "created_at": pl.String,
        "updated_at": pl.String,
    }
    return store.frame("users", schema)


def sign_in(store: OperationalStore, username: str, password: str) -> SignedIn | None:
    """Check a user name and password; None (and one audit event) when refused, for any
    reason, so a caller cannot tell a wrong password from an unknown or locked account."""
    name = username.strip()
    now = datetime.now(UTC)
    row = store.fetch_one("user_by_name", username=name)
    if row is None or row["password_hash"] is None:
        _verify(_DUMMY_HASH, password)  # the same work as a real check: no timing oracle
        # not what was typed: a password typed into the name box would be in the trail
        unknown = f"(a user name of {len(name)} characters no account has)"
        audit.record(store, Action.LOGIN_FAILED, unknown, "unknown user", outcome="refused")
        return None
    # The check is claimed before it is made (counted as failed until it succeeds): sign-ins
    # sent at once each read the account unlocked, and all their guesses were checked.
    claimed = store.execute(
        "user_login_attempt",
        username=name,
        limit=MAX_FAILED_LOGINS,
        at=now.isoformat(),
        locked_until=(now + timedelta(minutes=LOCK_MINUTES)).isoformat(),
        now=now_text(),
    )
    right = _verify(row["password_hash"], password)  # made either way: no timing oracle
    if not claimed or not right:
        reason = "disabled" if row["disabled"] else "wrong password" if claimed else "locked"
        audit.record(store, Action.LOGIN_FAILED, name, reason, outcome="refused")
        return None
    password_hash = row["password_hash"]
    if _HASHER.check_needs_rehash(password_hash):
        password_hash = _HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    with store.transaction() as transaction:
        transaction.execute(
            "user_login_succeeded", username=name, password_hash=password_hash, now=now_text()
        )
        transaction.execute(
            "session_insert", token_hash=_token_hash(token), username=name, now=now_text()
        )
    access = Access.for_role(name, row["role"])
    audit.record(store, Action.LOGIN, access)
    return SignedIn(access, token, row["display_name"])


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_access(
    store: OperationalStore, token: str, idle_minutes: int = IDLE_MINUTES, touch: bool = True
) -> Access | None:
    """The access a session token still grants, refreshing its last activity (not with
    `touch` False: a page's own check that its session stands is no activity); None when it
    ended, expired after `idle_minutes` without activity, or its user was disabled."""
    token_hash = _token_hash(token)
    row = store.fetch_one("session_by_token", token_hash=token_hash)
    if row is None or row["ended_at"] is not None or row["disabled"]:
        return None
    idle_since = datetime.now(UTC) - timedelta(minutes=idle_minutes)
    if datetime.fromisoformat(row["last_seen"]) < idle_since:
        store.execute("session_end", token_hash=token_hash, now=now_text())
        audit.record(store, Action.SESSION_EXPIRED, row["username"])
        return None
    if touch:
        store.execute("session_touch", token_hash=token_hash, now=now_text())
    return Access.for_role(row["username"], row["role"])


def still_signed_in(
    store: OperationalStore, token: str, access: Access, idle_minutes: int = IDLE_MINUTES
) -> bool:
    """Whether the session `token` names still gives `access`'s role: not ended, not idle
    too long, its user neither disabled nor given another role since (for work done outside
    a page's run, such as a download made when it is clicked)."""
    found = session_access(store, token, idle_minutes)
    return found is not None and found.role == access.role


def sign_out(store: OperationalStore, token: str, access: Access) -> None:
    """End a session."""
    store.execute("session_end", token_hash=_token_hash(token), now=now_text())
    audit.record(store, Action.LOGOUT, access)
