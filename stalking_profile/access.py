"""Who may see what: roles, what each may do, and the access context that travels with every
call that reads data.

The three user groups need different things: commissioners' offices aggregates only, with
small numbers suppressed (publication mode, always on); strategic leads the dashboards;
analysts the records and imports; administrators users, the audit trail and settings. The
package refuses what a role may not have (`AccessDenied`), whatever a page asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from stalking_profile.config import SUPPRESS_BELOW


class Role(StrEnum):
    COMMISSIONER = "commissioner"
    STRATEGIC = "strategic"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COMMISSIONER: "Commissioner's office",
    Role.STRATEGIC: "Strategic lead",
    Role.ANALYST: "Analyst",
    Role.ADMINISTRATOR: "Administrator",
}


class Permission(StrEnum):
    UNSUPPRESSED = "see counts below the suppression threshold"
    RECORDS = "see or download record-level data"
    IMPORT = "import files"
    EXPORT = "download tables and charts"
    USERS = "manage users"
    AUDIT = "view the audit trail"
    SETTINGS = "change settings"
    REVIEW = "draw dip samples and record case reviews"
    TRACKER = "update the recommendations tracker"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COMMISSIONER: frozenset({Permission.EXPORT, Permission.TRACKER}),
    Role.STRATEGIC: frozenset({Permission.UNSUPPRESSED, Permission.EXPORT}),
    Role.ANALYST: frozenset(
        {
            Permission.UNSUPPRESSED,
            Permission.RECORDS,
            Permission.IMPORT,
            Permission.EXPORT,
            Permission.REVIEW,
            Permission.TRACKER,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.UNSUPPRESSED,
            Permission.EXPORT,
            Permission.USERS,
            Permission.AUDIT,
            Permission.SETTINGS,
            Permission.TRACKER,
        }
    ),
}
EVERYTHING = frozenset(Permission)


def role_from_claims(
    claims: Mapping[str, Any], claim: str, roles: Mapping[str, str]
) -> Role | None:
    """The role an identity provider's claims give (OIDC login): the claim named (a string
    or a list, e.g. group names) is looked up in `roles` (claim value -> role); the most
    capable match wins when several do; None when none does (no access at all)."""
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else list(value or [])
    matched = [Role(roles[item]) for item in values if isinstance(item, str) and item in roles]
    order = [Role.COMMISSIONER, Role.STRATEGIC, Role.ANALYST, Role.ADMINISTRATOR]
    return max(matched, key=order.index) if matched else None


def parse_role_map(text: str) -> dict[str, str]:
    """`"SP-Analysts=analyst, SP-Leads=strategic"` as a mapping (roles checked)."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    mapping = {name.strip(): role.strip() for name, role in pairs}
    for role in mapping.values():
        Role(role)  # ValueError names the role that does not exist
    return mapping


class AccessDenied(PermissionError):
    """A role asked for something it may not have; the message says what and who."""


@dataclass(frozen=True)
class Access:
    """Who is asking: user name, role, and what they may do (from the role, or everything
    for the synthetic demo and the command line, which needs the files themselves)."""

    username: str
    role: Role
    permissions: frozenset[Permission]
    signed_in: bool = True
    suppress_below: int = SUPPRESS_BELOW  # publication mode: counts 1 to this - 1 suppressed
    round_to: int = 0  # publication mode: other counts rounded to this (0: not rounded)

    def with_threshold(self, suppress_below: int, round_to: int = 0) -> Access:
        """The same access with another disclosure rule: counts from 1 to `suppress_below` - 1
        suppressed and, with `round_to`, the rest rounded to the nearest multiple of it (the
        ONS style is 10 and 5)."""
        return replace(self, suppress_below=suppress_below, round_to=round_to)

    @property
    def disclosure_rule(self) -> tuple[int, int]:
        """(threshold, rounding base) in publication mode, (0, 0) otherwise."""
        return (self.suppress_below, self.round_to) if self.publication else (0, 0)

    def for_publication(self) -> Access:
        """The same user in publication mode (switched on from any page): small numbers
        suppressed, no record-level lists, no imports, whatever the role."""
        record_level = {Permission.RECORDS, Permission.IMPORT, Permission.REVIEW}
        return replace(
            self, permissions=self.permissions - {Permission.UNSUPPRESSED, *record_level}
        )

    @classmethod
    def for_role(cls, username: str, role: Role | str) -> Access:
        role = Role(role)
        return cls(username, role, PERMISSIONS[role])

    @classmethod
    def demo(cls) -> Access:
        """The synthetic demo, open without login: every capability (no real data) but
        changing settings (one visitor must not turn login on for everyone), managing users and
        reading the audit trail: the accounts and the trail are the operational store's, which
        may be shared, and a visitor added an administrator there and reset another's
        password, live as soon as login was turned on."""
        withheld = {Permission.SETTINGS, Permission.USERS, Permission.AUDIT}
        return cls("demo visitor", Role.ANALYST, EVERYTHING - withheld, signed_in=False)

    @classmethod
    def command_line(cls, username: str = "command line") -> Access:
        """The command line: whoever runs it already holds the database files."""
        return cls(username, Role.ADMINISTRATOR, EVERYTHING, signed_in=False)

    @classmethod
    def login_off(cls) -> Access:
        """A force database whose administrator turned login off: everyone is an analyst."""
        return cls("anyone (login is off)", Role.ANALYST, PERMISSIONS[Role.ANALYST], False)

    def allows(self, permission: Permission) -> bool:
        return permission in self.permissions

    def withdrawn_in_publication(self, permission: Permission) -> bool:
        """Whether `permission` is withheld only by publication mode, which this role may
        switch off (an analyst's record-level lists), not by the role."""
        return (
            self.publication
            and not self.allows(permission)
            and permission in PERMISSIONS[self.role]
            and Permission.UNSUPPRESSED in PERMISSIONS[self.role]
        )

    def require(self, permission: Permission) -> None:
        """Raise AccessDenied unless this access may do `permission`."""
        if permission not in self.permissions:
            raise AccessDenied(f"{self.role.label} ({self.username}) may not {permission.value}.")

    @property
    def publication(self) -> bool:
        """Publication mode: small numbers suppressed, always on for those without
        UNSUPPRESSED (commissioners' offices)."""
        return Permission.UNSUPPRESSED not in self.permissions
