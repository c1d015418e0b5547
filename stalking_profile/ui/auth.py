"""Who is using the dashboard: the login form, the session's access context, the banners that
say how the dashboard is open, and audited record-level downloads."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import streamlit as st
from streamlit import runtime
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from stalking_profile.access import Access, AccessDenied, parse_role_map, role_from_claims
from stalking_profile.formatting import literal
from stalking_profile.operational import OperationalStore, accounts, audit, open_store
from stalking_profile.operational import settings as app_settings
from stalking_profile.operational.audit import Action
from stalking_profile.queries import DatasetInfo
from stalking_profile.ui.cache import ACCESS_KEY, current_access, settings

TOKEN_KEY = "session_token"
PUBLICATION_KEY = "publication_mode"
WANTED_PAGE_KEY = "page_before_sign_in"
PROVIDER_SEEN_KEY = "provider_last_seen"  # time.time() of an identity-provider tab's last run
PROVIDER_ENDED_KEY = "provider_session_ended"

BROWSER_KEY = "signed_in_browser"  # the browser a sign-in belongs to (browser_of)
XSRF_COOKIE = "_streamlit_xsrf"  # the cookie Streamlit gives each browser


def browser_of(cookies: Mapping[str, str]) -> str:
    """Which browser a connection comes from: a hash of the token in Streamlit's XSRF cookie
    (each browser has its own; the cookie's text changes from request to request, its token
    does not), '' where there is none (a test, XSRF protection off). Streamlit lets a new
    connection take over a session by presenting the session's id: a browser that had never
    signed in took over an analyst's and downloaded records as the analyst (helper 97). A
    sign-in belongs to the browser that signed in."""
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    token, _ = decode_xsrf_token_string(cookies.get(XSRF_COOKIE) or "")
    return hashlib.sha256(token).hexdigest() if token else ""


def _session_browser(session_id: str) -> str:
    """`browser_of` the connection a session has now (after any takeover)."""
    client = runtime.get_instance().get_client(session_id) if runtime.exists() else None
    context = None if client is None else client.client_context
    return browser_of(context.cookies if context is not None else {})


@st.cache_resource(show_spinner=False)
def operational_store(url: str) -> OperationalStore:
    """The operational store (accounts, sessions, audit trail, settings), opened once."""
    return open_store(url)


def store() -> OperationalStore:
    return operational_store(settings().operational_store_url)


def sign_in_gate(info: DatasetInfo | None) -> Access:
    """Who this session is. Shows the login form and stops the run when login is required
    and there is no valid session; the synthetic demo (unless an administrator turned login
    on for it) and a force database whose administrator turned login off open without one."""
    current = store()
    synthetic = info is not None and info.is_synthetic
    threshold = settings().suppress_below
    if not app_settings.login_required(current, synthetic):
        access = Access.demo() if synthetic else Access.login_off()
    elif _identity_provider() and st.user.is_logged_in:
        access = _provider_access(current)
    else:
        token = st.session_state.get(TOKEN_KEY)
        if token and st.session_state.get(BROWSER_KEY, "") != browser_of(st.context.cookies):
            _taken_over(current, token)
        found = accounts.session_access(current, token, settings().idle_minutes) if token else None
        if found is None:
            st.session_state.pop(ACCESS_KEY, None)
            if token is not None:  # ended since the last run (idle too long, disabled)
                _forget_session()
            st.session_state.setdefault(WANTED_PAGE_KEY, _page_asked_for())
            _login_form(current, ended=token is not None)
            st.stop()
        access = found
    access = access.with_threshold(threshold, settings().round_to)
    if st.session_state.get(PUBLICATION_KEY):
        access = access.for_publication()
    st.session_state[ACCESS_KEY] = access
    return access


def _page_asked_for() -> str:
    """The page address the browser asked for ("trends" for .../trends; "" for the default
    page): the login form runs before any page is known, so the address says it alone."""
    path = urlsplit(st.context.url or "").path.strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")  # served under a path
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    return path.rsplit("/", 1)[-1]


# pages some roles are not offered: an address naming one is written to the audit trail
RESTRICTED_PAGES = frozenset({"prioritisation", "data", "admin", "export", "dip-samples"})


PAGE_REFUSED_KEY = "_page_refused"  # (the page shown instead, what it says), while on it


def return_to_page_asked_for(navigation: StreamlitPage, pages: list[StreamlitPage]) -> None:
    """After signing in, the page a shared or bookmarked address named (with its filters),
    not the default page; once, and only a page this session's role is offered. An address
    naming a page the role is not offered says so (it silently showed the default page), on
    every run of the page shown instead until another is opened (the sidebar's rerun to
    write `?district=CD` as `CD Calderdale` wiped it: helper 84), and one of
    RESTRICTED_PAGES is written to the audit trail as refused."""
    kept = st.session_state.get(PAGE_REFUSED_KEY)
    if kept and kept[0] == navigation.url_path:
        st.warning(kept[1], icon=":material/block:")
    elif kept:
        del st.session_state[PAGE_REFUSED_KEY]
    if st.session_state.get("_first_page_shown"):
        return
    st.session_state["_first_page_shown"] = True
    wanted = st.session_state.pop(WANTED_PAGE_KEY, None)
    if wanted is None:  # signed in already (an identity provider), or login is off
        wanted = _page_asked_for()
    if not wanted or wanted == navigation.url_path:
        return
    for page in pages:
        if page.url_path == wanted:
            kept = {name: st.query_params.get_all(name) for name in st.query_params}
            st.switch_page(page, query_params=kept)
    access = current_access()
    said = (
        f"The page address names a page, “{literal(wanted[:60])}”, that "
        + (f"your role ({access.role.label}) is not offered" if access.signed_in else "is not here")
        + f": this is {navigation.title} instead."
    )
    st.session_state[PAGE_REFUSED_KEY] = (navigation.url_path, said)
    st.warning(said, icon=":material/block:")
    if wanted in RESTRICTED_PAGES:
        audit.record(store(), Action.ACCESS_REFUSED, access, f"page {wanted}", outcome="refused")


def _identity_provider() -> bool:
    """Whether an identity provider is configured for `st.login` (secrets.toml [auth])."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def _provider_access(current: OperationalStore) -> Access:
    """The access an identity provider's login gives, by the configured claim; a user whose
    claims map to no role is told so and stopped (and may sign out)."""
    claims = st.user.to_dict()
    who = str(claims.get("email") or claims.get("sub") or "unknown")
    role = role_from_claims(
        claims, settings().oidc_role_claim, parse_role_map(settings().oidc_roles)
    )
    if role is None:
        if not st.session_state.get("_provider_refusal_logged"):
            st.session_state["_provider_refusal_logged"] = True
            audit.record(current, Action.LOGIN_FAILED, who[:64], "no role", outcome="refused")
        st.error(
            "You are signed in with your organisation's account, but it has no role in Stalking "
            "Profile. Ask an administrator to add you to one of its groups.",
            icon=":material/lock:",
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    _end_idle_provider_session(current, who)
    access = Access.for_role(who, role)
    if not st.session_state.get("_provider_login_logged"):
        st.session_state["_provider_login_logged"] = True
        audit.record(current, Action.LOGIN, access, "identity provider")
    return access


def _end_idle_provider_session(current: OperationalStore, who: str) -> None:
    """End this tab's identity-provider session after the idle minutes without a run (a click,
    a filter, a page): the tab shows nothing but a way to sign in again, which signs the
    browser out of the dashboard first (the provider's identity cookie is otherwise good for
    every new tab). A login session ends the same way (accounts.session_access); an identity
    provider's had no idle limit at all."""
    now = time.time()
    last = st.session_state.get(PROVIDER_SEEN_KEY)
    if last is not None and now - last > settings().idle_minutes * 60:
        _forget_session()  # what the tab held (a built pack, chosen samples) goes with it
        st.session_state[PROVIDER_ENDED_KEY] = True
        audit.record(current, Action.SESSION_EXPIRED, who[:64], "identity provider")
    if st.session_state.get(PROVIDER_ENDED_KEY):
        st.title("Stalking Profile")
        st.info(
            f"Your session has ended ({settings().idle_minutes} minutes without activity). "
            "Sign in again to go on.",
            icon=":material/timer_off:",
        )
        st.button("Sign in again", on_click=st.logout, key="provider_sign_in_again")
        st.stop()
    st.session_state[PROVIDER_SEEN_KEY] = now


def _taken_over(current: OperationalStore, token: str) -> None:
    """End a sign-in that another browser has taken over (it presented the session's id): the
    session is signed out and the takeover is in the audit trail."""
    access = st.session_state.get(ACCESS_KEY)
    who = access.username if isinstance(access, Access) else None
    audit.record(
        current,
        Action.ACCESS_REFUSED,
        who,
        "another browser took over a signed-in session: signed out",
        outcome="refused",
    )
    if isinstance(access, Access):
        accounts.sign_out(current, token, access)


def _login_form(current: OperationalStore, ended: bool) -> None:
    st.title("Stalking Profile")
    if ended:
        st.session_state.pop(TOKEN_KEY, None)
        st.info(
            f"Your session has ended (signed out, or {settings().idle_minutes} minutes without "
            "activity). Sign in again.",
            icon=":material/timer_off:",
        )
    st.caption("OFFICIAL-SENSITIVE records. Sign in with the account your administrator gave you.")
    with st.form("login", enter_to_submit=True):
        username = st.text_input("User name", key="login_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if _identity_provider():
        st.button(
            "Sign in with your organisation's account",
            on_click=st.login,
            icon=":material/badge:",
            key="login_provider",
        )
    if submitted:
        signed = accounts.sign_in(current, username or "", password or "")
        if signed is None:
            st.error(accounts.LOGIN_REFUSED, icon=":material/lock:")
            return
        _forget_session()  # what an earlier user of this tab left (a built pack) is not theirs
        st.session_state[TOKEN_KEY] = signed.token
        st.session_state[ACCESS_KEY] = signed.access
        st.session_state[BROWSER_KEY] = browser_of(st.context.cookies)
        st.rerun()


def _forget_session() -> None:
    """Drop everything this browser session holds (built packs, chosen samples, the views
    already logged) but the page a shared address asked for, and let go of the files its
    downloads made: Streamlit serves one until two script runs after nothing shows it, and
    the run after signing out is the second."""
    wanted = st.session_state.get(WANTED_PAGE_KEY)
    st.session_state.clear()
    if wanted is not None:
        st.session_state[WANTED_PAGE_KEY] = wanted
    context = get_script_run_ctx()
    if context is not None and runtime.exists():
        files = runtime.get_instance().media_file_mgr
        files.clear_session_refs(context.session_id)
        files.remove_orphaned_files()


def access_sidebar(access: Access) -> None:
    """Who is signed in, with a sign-out button; or how the dashboard is open without login;
    and the publication-mode switch (always on, and fixed, for commissioners' offices)."""
    switched = bool(st.session_state.get(PUBLICATION_KEY))
    always = access.publication and not switched
    st.sidebar.toggle(
        "Publication mode",
        value=True if always else switched,
        key=None if always else PUBLICATION_KEY,
        disabled=always,
        help="Suppress small numbers (counts from 1 to the threshold - 1) on every page and "
        "download, hide record-level lists: what can go into a public paper."
        + (" Always on for this role." if always else ""),
    )
    if access.signed_in:
        st.sidebar.caption(f"Signed in as **{literal(access.username)}** · {access.role.label}")
        if st.session_state.get(TOKEN_KEY) is None:  # through the identity provider
            if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
                audit.record(store(), Action.LOGOUT, access, "identity provider")
                st.logout()
            return
        if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
            token = st.session_state.pop(TOKEN_KEY, None)
            if token:
                accounts.sign_out(store(), token, access)
            _forget_session()
            st.rerun()
        with st.sidebar:
            end_page_when_signed_out()


def access_banner(access: Access, info: DatasetInfo | None) -> None:
    """Say on every page how the dashboard is open and what this role receives (the synthetic
    demo says it opens without login in its own banner)."""
    if not access.signed_in and (info is None or not info.is_synthetic):
        st.error(
            "**Login is turned off for this database**: anyone who can reach the dashboard sees "
            "it as an analyst, records included. An administrator can turn login on with "
            "`python -m stalking_profile login on`.",
            icon=":material/lock_open:",
        )
    if access.publication:
        st.info(
            f"**Publication mode** ({access.role.label}): counts from 1 to "
            f"{access.suppress_below - 1} are suppressed (shown as suppressed, or left out of "
            "charts), with the rates that would give them back"
            + (
                f"; other counts are rounded to the nearest {access.round_to}"
                if access.round_to > 1
                else ""
            )
            + ". Further counts are hidden (shown as suppressed) where tables shown together "
            "would otherwise give one back by subtraction; zeros are shown, and hidden only "
            "where nothing else would protect a count. It shows the whole force, with each "
            "district's rows on its pages, and one offence type at a time.",
            icon=":material/visibility_off:",
        )


WATCH_SECONDS = 20  # how often a signed-in page checks that its session still stands


def end_page_when_signed_out() -> None:
    """Run the page again, as the sign-in form, within WATCH_SECONDS of its session ending
    (idle too long, signed out in another tab, its user disabled). Records stayed on screen
    after a session ended until the next click (helper 95). The check is no activity: it
    does not keep an idle session alive. Sessions without a token have nothing to end."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        _watch_session(token, settings().idle_minutes)


@st.fragment(run_every=WATCH_SECONDS)
def _watch_session(token: str, idle_minutes: int) -> None:
    if accounts.session_access(store(), token, idle_minutes, touch=False) is None:
        st.rerun(scope="app")


def session_check() -> Callable[[], None]:
    """A check for work done outside the page's run (a download made when it is clicked,
    served with no session to read): raises AccessDenied when the session that drew the
    button has since ended (signed out, idle too long, its user disabled or given another
    role). Sessions without a token (login off, the demo, an identity provider) pass."""
    token, access = st.session_state.get(TOKEN_KEY), current_access()
    if token is None:
        return lambda: None
    current, idle = store(), settings().idle_minutes
    browser, context = st.session_state.get(BROWSER_KEY, ""), get_script_run_ctx()
    session_id = None if context is None else context.session_id

    def check() -> None:
        if session_id is not None and _session_browser(session_id) != browser:
            raise AccessDenied("this download belongs to a session another browser took over")
        if not accounts.still_signed_in(current, token, access, idle):
            raise AccessDenied(
                f"{access.username}'s session has ended: sign in again to download this file."
            )

    return check


def audit_view(what: str, filter_text: str = "") -> None:
    """Write a record-level view to the audit trail (once per session, view and filter)."""
    access = current_access()
    seen = st.session_state.setdefault("_audited_views", set())
    key = (access.username, what, filter_text)  # a tab another user signs into logs again
    if key in seen:
        return
    seen.add(key)
    audit.record(store(), Action.RECORDS_VIEWED, access, what, filter_text)


def audited(action: Action, detail: str, filter_text: str = "") -> Callable[[], None]:
    """A callback that writes one event (for buttons whose click is the event)."""
    access = current_access()
    current = store()
    return lambda: audit.record(current, action, access, detail, filter_text)
