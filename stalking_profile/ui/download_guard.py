"""Each download made when clicked is given only to the browser session that drew its button.

Streamlit keeps such downloads in one list for the whole server, each under a random id, and
makes one for whichever session asks for its id: its handler (`DeferredFileHandler.handle`)
does not look at the session asking. A session that learnt another's id (a shared screen, a
proxy's log of the websocket) could have had an analyst's record-level download made for it,
signed in as a commissioner or not at all, and the audit trail would have named the analyst
(helper 95). The guard below refuses any request from a session other than the one that drew
the button, before the download is made, so nothing is made, logged or sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from streamlit.logger import get_logger
from streamlit.proto.ForwardMsg_pb2 import BackendOperationResponse
from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.media_file_manager import MediaFileManager

LOGGER = get_logger(__name__)
# what the browser is told: Streamlit's own words for a download that failed, so a request
# for another session's download learns nothing about whether the id exists
REFUSED = "Failed to generate file for download"

Handle = Callable[[DeferredFileHandler, Any, str], Awaitable[BackendOperationResponse]]


def drawn_by(manager: MediaFileManager, file_id: str) -> str | None:
    """The session that drew the download `file_id`, or None where there is none."""
    with manager._lock:
        entry = manager._deferred_callables.get(file_id)
    return None if entry is None else entry["session_id"]


def _for_its_session(handle: Handle) -> Handle:
    async def handle_for_its_session(
        self: DeferredFileHandler, request: Any, session_id: str
    ) -> BackendOperationResponse:
        owner = drawn_by(self._get_media_file_mgr(), request.deferred_file.file_id)
        if owner != session_id:
            LOGGER.warning("A download was asked for by a session that did not draw it: refused")
            return BackendOperationResponse(request_id=request.request_id, error_msg=REFUSED)
        return await handle(self, request, session_id)

    handle_for_its_session.guarded = True  # type: ignore[attr-defined]
    return handle_for_its_session


def guard_downloads() -> None:
    """Give each download made when clicked only to the session that drew its button (once per
    server process: the entry script calls it before any page draws a button)."""
    if not getattr(DeferredFileHandler.handle, "guarded", False):
        DeferredFileHandler.handle = _for_its_session(DeferredFileHandler.handle)  # type: ignore[method-assign,assignment]
