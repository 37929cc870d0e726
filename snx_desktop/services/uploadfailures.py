"""What a failed upload request means for its job: the reason and the sentence the rep sees,
whether the connection is to be reported down, and whether the file goes to the write queue
instead (the connection dropped before the body went out) or may have arrived already (to be
checked before it is sent again)."""

from __future__ import annotations

from dataclasses import dataclass

from snx_desktop.api.errors import (
    ConnectionFailedError,
    InvalidLoginError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    RequestTimeoutError,
    SalesNexusError,
    SessionExpiredError,
)

from .documents import FailReason, human_size

__all__ = ["SendFailure", "send_failure"]


@dataclass(frozen=True)
class SendFailure:
    """How an upload request failed, and what follows for its job."""

    reason: FailReason
    message: str
    offline: str | None = None  # report the connection down, for this reason
    queue: bool = False  # hand the file to the write queue instead of failing the job
    unknown: bool = False  # the file may have arrived: look before sending it again


def send_failure(
    exc: Exception, file_name: str, size: int, *, can_queue: bool
) -> SendFailure | None:
    """The failure of sending ``file_name`` (``size`` bytes) that raised ``exc``; None for an
    error no upload expects (a bug, raised on). ``can_queue``: a write queue takes files."""
    if isinstance(exc, ConnectionFailedError):
        queue = can_queue and getattr(exc, "code", None) != "CERTIFICATE"
        return SendFailure(
            FailReason.CONNECTION_LOST,
            "The connection was lost before the file was sent. Retry when online.",
            offline=str(exc),
            queue=queue,
        )
    if isinstance(exc, OutcomeUnknownError):
        return SendFailure(
            FailReason.OUTCOME_UNKNOWN,
            "The connection was lost after the file was sent; it may have arrived. "
            "Retry checks the contact's documents before sending again.",
            offline=str(exc) if exc.offline else None,
            unknown=True,
        )
    if isinstance(exc, SessionExpiredError | InvalidLoginError):
        return SendFailure(
            FailReason.SESSION_EXPIRED, "Your session has expired. Sign in again, then retry."
        )
    if isinstance(exc, PayloadTooLargeError):
        return SendFailure(
            FailReason.TOO_LARGE,
            f"The server refused “{file_name}” ({human_size(size)}): "
            "it is larger than the server accepts.",
        )
    if isinstance(exc, NotFoundError):
        return SendFailure(FailReason.NOT_FOUND, "The contact no longer exists on the server.")
    if isinstance(exc, RequestTimeoutError):
        return SendFailure(
            FailReason.CONNECTION_LOST, "The server did not answer in time.", offline=str(exc)
        )
    if isinstance(exc, SalesNexusError):
        reason = FailReason.SERVER if exc.retryable else FailReason.REFUSED
        return SendFailure(reason, f"The server refused the file: {exc}")
    if isinstance(exc, OSError):
        return SendFailure(
            FailReason.UNREADABLE,
            f"“{file_name}” could not be read while sending: {exc.strerror or exc}",
        )
    return None
