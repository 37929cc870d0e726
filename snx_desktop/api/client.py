"""The SalesNexus call-v1 client: typed calls, automatic batching, retries, re-login.

One :class:`SalesNexusClient` per account holds one ``httpx.AsyncClient``. Each call-v1
function is an async method. Calls issued in the same event-loop turn are sent together as
one POST (at most ``max_calls_per_request`` calls each); every caller gets its own answer or
its own error. Every request is bounded in time (an overall deadline) and its answer in size
(see ``_transfer.py``).

It is built in three parts: the transport (:mod:`.transport`, with :mod:`.batching`,
:mod:`.answers`, :mod:`.retrypolicy` and :mod:`.tls`), the typed calls grouped by record kind
(:mod:`.calls`), and downloads (:mod:`.downloads`). Which function reads or writes and which
needs a token is in :mod:`.functions`.

How a batch of calls is settled:

* Each answer element is routed to its call by request-id (by position when the server
  echoes no ids). A call without a usable answer is retried if it is a read, and fails with
  :class:`OutcomeUnknownError` if it is a write: whatever broke (the answer cut off, late,
  too large, not JSON, nested too deep to decode, an element that fails to settle).
* ``INVALID_TOKEN`` sends the affected calls through one sign-in with the app's credentials
  provider, then replays them once.
* Connection failures before anything was sent are retried for every call; after sending,
  only reads are retried.
"""

from __future__ import annotations

from .batching import Batch
from .calls.campaigns import CampaignCalls
from .calls.documents import DocumentCalls
from .calls.notes import NoteCalls
from .calls.paging import PagingCalls
from .calls.session import AccountCalls
from .downloads import DocumentDownloads
from .sessions import CredentialsProvider, TokenListener

__all__ = ["Batch", "CredentialsProvider", "SalesNexusClient", "TokenListener"]


class SalesNexusClient(
    AccountCalls,
    PagingCalls,
    NoteCalls,
    DocumentCalls,
    CampaignCalls,
    DocumentDownloads,
):
    """Async client for the SalesNexus ``call-v1`` API (see the module docstring).

    TLS certificates are always verified (the operating system's trust store, certifi's CAs,
    plus ``ca_bundle``). ``proxy`` (an ``http://`` or ``https://`` URL) carries every request;
    without it, the proxy from the environment is used (``HTTPS_PROXY``, ``NO_PROXY``…). Plain
    ``http://`` is accepted only for this machine: ``localhost`` itself and literal loopback
    addresses (127.0.0.0/8, ::1), not other names such as ``*.localhost`` (a resolver need not
    map them to loopback), unless ``allow_insecure_http=True`` is passed, for a server on a
    trusted network; otherwise the constructor raises :class:`InsecureURLError`, whose text
    says to use https:// or http://127.0.0.1.

    Every request is bounded in time and size. ``timeout`` limits each step (connecting, each
    read and write); ``deadline`` the request as a whole, from connecting to the last byte of
    the answer (default ``4 * timeout``), plus the time its bytes need at ``min_transfer_rate``
    bytes a second (an upload's body counted in advance, an answer or a document as it comes).
    An answer larger than ``max_answer_bytes`` (64 MB) or a document larger than
    ``max_download_bytes`` (512 MB) is not read: :class:`AnswerTooLargeError`. A read past its
    deadline is retried as a timeout; a write that may have reached the server, whose answer
    timed out, was cut, too large or unreadable in any way, fails with
    :class:`OutcomeUnknownError`.
    """
