"""The server check: a first contact with a server that reports how its answers differ from
the contract as the app reads it (``snx-desktop --check-server URL`` and Help ▸ Check server).

It signs in (an e-mail and password, or a login token) and makes read calls only: greet,
get-all-fields, get-user-layouts, get-users, a page of each list, one contact's details and one
group's, and one deliberate bad call (get-contact-info for a random GUID) to see the shape of an
error element. Every call goes through the app's own client (`SalesNexusClient.call`, the raw
``result`` map); the envelope of each answer (``request-id``, the error element) is read from the
HTTP answer itself, seen through a response hook on that client. The shapes are checked against
`contractshapes.EXPECTED`.

The check uses a client of its own (same server, same token for the session check), so that it
neither renews nor disturbs the session. The report is plain text with keys, types and shapes
only: no record values, no token, no password. ``exit_code`` is 0 without differences, 1 with
differences, 2 when the server could not be reached or signing in failed.
"""

from __future__ import annotations

import json
import logging
import textwrap
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from snx_desktop.api.client import SalesNexusClient
from snx_desktop.api.errors import (
    ConnectionFailedError,
    InsecureURLError,
    InvalidLoginError,
    NotFoundError,
    SalesNexusError,
    SessionExpiredError,
    error_for_code,
    is_offline,
)
from snx_desktop.api.results import parse_record_list
from snx_desktop.api.values import as_text

from .contractshapes import ERROR_CODES, Difference, Findings, check_result, key_label, type_name

__all__ = [
    "CheckReport",
    "SessionClient",
    "check_server",
    "check_session",
    "server_label",
]

log = logging.getLogger(__name__)

PAGE = 5  # records asked for in each list page
ANSWER_COPY_LIMIT = 16 * 1024 * 1024  # answers kept for their envelope's check
BAD_CALL = "get-contact-info (a contact that does not exist)"

SIGNED_IN_WITH_PASSWORD = "an e-mail address and password"
SIGNED_IN_WITH_TOKEN = "a login token"
SIGNED_IN_WITH_SESSION = "this session's login token"

_ENVELOPE_KEYS = frozenset({"result", "request-id", "error", "error-code"})
_CLIENT_DEFAULTS: dict[str, Any] = {"retries": 1, "backoff": 0.1, "timeout": 30.0}


# --- the report -------------------------------------------------------------------------------


@dataclass
class CheckReport:
    """What the check found; `text` is the report a person reads."""

    server: str
    sign_in: str
    problem: str = ""  # why the check could not (fully) run: no connection, no sign-in
    calls: list[str] = field(default_factory=list)  # the calls answered, in order
    not_checked: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.problem:
            return 2
        return 1 if self.differences else 0

    @property
    def tolerated(self) -> int:
        return sum(1 for d in self.differences if d.tolerated)

    def summary(self) -> str:
        """One sentence: the outcome."""
        if self.problem:
            return self.problem
        n = len(self.differences)
        if not n:
            return "No differences from the contract."
        return (
            f"{n} difference{'s' if n != 1 else ''} from the contract: "
            f"{self.tolerated} tolerated by the app, {n - self.tolerated} not tolerated."
        )

    def text(self) -> str:
        lines = [f"Server check: {self.server}", f"Signed in with: {self.sign_in}"]
        if self.calls:
            calls = "Calls made (read-only): " + ", ".join(self.calls) + "."
            lines += textwrap.wrap(calls, 96, subsequent_indent="  ", break_on_hyphens=False)
        lines.extend(f"Not checked: {what}" for what in self.not_checked)
        lines += ["", self.summary()]
        functions = list(dict.fromkeys(d.function for d in self.differences))
        for function in functions:
            lines += ["", function]
            lines += [f"  {d.line()}" for d in self.differences if d.function == function]
        lines += [
            "",
            "Only keys, types and shapes are shown: no values of records, no tokens, no passwords.",
        ]
        return "\n".join(lines) + "\n"


# --- answers as they came over the wire -------------------------------------------------------


@dataclass(frozen=True)
class _Exchange:
    """One HTTP answer to call-v1: the request-ids that were sent, the status, the JSON."""

    request_ids: tuple[str, ...]
    status: int
    answer: Any  # None when the answer is not JSON

    def element(self) -> Any:
        """The answer element of the (first) call sent: by request-id, else by position."""
        if not isinstance(self.answer, list) or not self.answer:
            return None
        rid = self.request_ids[0] if self.request_ids else None
        for element in self.answer:
            if isinstance(element, dict) and element.get("request-id") == rid:
                return element
        return self.answer[0]


class _Tee(httpx.AsyncByteStream):
    """An answer's byte stream that keeps a copy of what the client reads (up to a cap) and
    hands it over when the stream is closed; the client reads it as before, with its own
    bounds."""

    def __init__(self, inner: httpx.AsyncByteStream, done: Callable[[bytes | None], None]):
        self._inner = inner
        self._done: Callable[[bytes | None], None] | None = done
        self._copy: bytearray | None = bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if self._copy is not None:
                if len(self._copy) + len(chunk) > ANSWER_COPY_LIMIT:
                    self._copy = None  # too big to keep: its shape is not checked
                else:
                    self._copy += chunk
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done(None if self._copy is None else bytes(self._copy))


class _AnswerLog:
    """httpx event hooks on the check's client that keep each call-v1 answer as it came (never
    a request's parameters: they hold the token, and the password when signing in)."""

    def __init__(self) -> None:
        self.exchanges: list[_Exchange] = []

    async def on_request(self, request: httpx.Request) -> None:
        request.headers["Accept-Encoding"] = "identity"  # the copy is the JSON text itself

    async def on_response(self, response: httpx.Response) -> None:
        try:
            ids: tuple[str, ...] = ()
            try:
                sent = json.loads(response.request.content)
                if isinstance(sent, list):
                    ids = tuple(str(c.get("request-id", "")) for c in sent if isinstance(c, dict))
                del sent
            except (httpx.RequestNotRead, ValueError):
                pass
            status = response.status_code
            encoded = bool(response.headers.get("content-encoding", "identity") != "identity")

            def done(body: bytes | None) -> None:
                answer = None
                if body is not None and not encoded:
                    try:
                        answer = json.loads(body)
                    except (ValueError, UnicodeDecodeError):
                        answer = None
                self.exchanges.append(_Exchange(ids, status, answer))

            if isinstance(response.stream, httpx.AsyncByteStream):
                response.stream = _Tee(response.stream, done)
        except Exception:  # the check must never break the client's own reading
            log.debug("server check: an answer could not be noted", exc_info=True)

    def last_since(self, mark: int) -> _Exchange | None:
        return self.exchanges[-1] if len(self.exchanges) > mark else None

    def attach(self, client: SalesNexusClient) -> None:
        http = client.http
        hooks = dict(http.event_hooks)
        hooks["request"] = [*hooks.get("request", []), self.on_request]
        hooks["response"] = [*hooks.get("response", []), self.on_response]
        http.event_hooks = hooks


def _check_envelope(exchange: _Exchange | None, findings: Findings) -> Any:
    """Differences of the answer element around a result; returns the element."""
    if exchange is None:
        return None
    if exchange.status != 200:
        findings.add("HTTP", f"status {exchange.status} where the contract has 200", True)
    element = exchange.element()
    if not isinstance(element, dict):
        return element
    sent = exchange.request_ids[0] if exchange.request_ids else ""
    if "request-id" not in element:
        findings.add("request-id", "missing (the app pairs answers by position)", True)
    elif element["request-id"] != sent:
        same = as_text(element["request-id"]) == sent
        findings.add("request-id", f"{type_name(element['request-id'])}, not the id sent", same)
    for key in element:
        if key not in _ENVELOPE_KEYS:
            findings.add(key_label(str(key)), "a key the contract does not name", True)
    if isinstance(element.get("result"), str):
        findings.add("result", "an object sent as a JSON string", True)
    return element


def _result_of(element: Any) -> Any:
    result = element.get("result") if isinstance(element, dict) else None
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except ValueError:
            return None
    return result


def _check_error(exchange: _Exchange | None, error: SalesNexusError | None) -> Findings:
    """The bad call's answer: an element with ``error`` and ``error-code`` NOT_FOUND."""
    findings = Findings(BAD_CALL)
    if error is None:
        findings.add("", "a contact that does not exist was answered as found", False)
        return findings
    element = _check_envelope(exchange, findings)
    if not isinstance(element, dict):
        findings.add("", "the answer has no element for this call", False)
        return findings
    has_error, has_code = "error" in element, "error-code" in element
    if not has_error and not has_code:
        result = _result_of(element)
        if isinstance(result, dict) and "success" in result:
            findings.add(
                "result",
                'the error comes as "success" "false" instead of "error" and "error-code"',
                True,
            )
        else:
            findings.add("", 'no error element: neither "error" nor "error-code"', False)
        return findings
    if not has_error:
        findings.add("error", "missing", True)  # the app shows a message of its own
    elif not isinstance(element["error"], str):
        findings.add(
            "error", f"{type_name(element['error'])} where the contract has a string", True
        )
    read_as = error.code if error.code in ERROR_CODES else "an error the contract does not name"
    if not has_code:
        findings.add("error-code", f"missing; the app took the error for {read_as}", True)
        return findings
    code = element["error-code"]
    if not isinstance(code, str):
        findings.add("error-code", f"{type_name(code)} where the contract has a string", True)
    text = as_text(code).strip().upper()
    if text != "NOT_FOUND":
        shown = text if text in ERROR_CODES else "a code the contract does not name"
        same_meaning = error_for_code(text) is NotFoundError
        findings.add("error-code", f"{shown} where the contract has NOT_FOUND", same_meaning)
    return findings


# --- the check --------------------------------------------------------------------------------


class _Stop(Exception):
    """The check cannot go on (the connection was lost, the session refused)."""


def _error_words(exc: SalesNexusError) -> str:
    """What went wrong, in the client's words only (a server's text may quote values)."""
    if isinstance(exc, ConnectionFailedError) and exc.code == "CERTIFICATE":
        return str(exc).rstrip(".")  # the client's own words: the host and what to check
    code = f" ({exc.code})" if exc.code in ERROR_CODES else ""
    return type(exc).default_message.rstrip(".") + code


class _Check:
    def __init__(self, client: SalesNexusClient, answers: _AnswerLog, report: CheckReport) -> None:
        self.client = client
        self.answers = answers
        self.report = report

    def _lost(self, exc: SalesNexusError) -> _Stop:
        server = self.report.server
        if self.report.calls:
            self.report.problem = f"The connection to {server} was lost: {exc}"
        else:
            self.report.problem = f"Could not reach {server}: {exc}"
        return _Stop()

    async def ask(self, function: str, params: Mapping[str, Any] | None = None) -> Any:
        """One read call, its answer checked; None when it failed."""
        findings = Findings(function)
        mark = len(self.answers.exchanges)
        try:
            result = await self.client.call(function, params)
        except SessionExpiredError as exc:
            self.report.problem = "Could not sign in: the server refused the login token."
            raise _Stop() from exc
        except SalesNexusError as exc:
            if is_offline(exc):
                raise self._lost(exc) from exc
            findings.add("", f"the call failed: {_error_words(exc)}", False)
            self.report.differences.extend(findings.differences())
            return None
        self.report.calls.append(function)
        _check_envelope(self.answers.last_since(mark), findings)
        check_result(function, result, findings)
        self.report.differences.extend(findings.differences())
        return result

    async def sign_in(self, email: str, password: str) -> bool:
        findings = Findings("get-login-token")
        mark = len(self.answers.exchanges)
        try:
            await self.client.login(email, password)
        except InvalidLoginError:
            self.report.problem = (
                "Could not sign in: the e-mail address or password is not correct."
            )
            return False
        except SalesNexusError as exc:
            what = str(exc) if is_offline(exc) else _error_words(exc)
            self.report.problem = f"Could not sign in: {what}"
            return False
        self.report.calls.append("get-login-token")
        element = _check_envelope(self.answers.last_since(mark), findings)
        check_result("get-login-token", _result_of(element), findings)
        self.report.differences.extend(findings.differences())
        return True

    async def lists_and_details(self) -> None:
        for function in ("get-all-fields", "get-user-layouts", "get-users"):
            await self.ask(function)
        page = {"page-size": PAGE}
        contacts = await self.ask("get-contacts", page)
        groups = await self.ask("get-groups", page)
        await self.ask("get-activities", page)
        await self.ask("get-sales", page)
        await self.ask("get-campaigns")
        contact = _first_id(contacts, "contact")
        if contact:
            for function in (
                "get-contact-info",
                "get-notes-for-contact",
                "get-sales-for-contact",
                "get-docs-for-contact",
            ):
                await self.ask(function, {"contact-id": contact})
        else:
            self.report.not_checked.append("one contact's details (no contact was listed)")
        group = _first_id(groups, "group")
        if group:
            for function in ("get-group-info", "get-notes-for-group", "get-sales-for-group"):
                await self.ask(function, {"group-id": group})
            await self.ask("get-activities-for-group", {"group-id": group, **page})
            await self.ask("get-contacts-for-group", {"group-id": group})
        else:
            self.report.not_checked.append("one group's details (no group was listed)")

    async def bad_call(self) -> None:
        mark = len(self.answers.exchanges)
        error: SalesNexusError | None = None
        try:
            await self.client.call("get-contact-info", {"contact-id": str(uuid.uuid4())})
        except SalesNexusError as exc:
            if is_offline(exc):
                raise self._lost(exc) from exc
            error = exc
        self.report.calls.append("get-contact-info for a contact that does not exist")
        findings = _check_error(self.answers.last_since(mark), error)
        self.report.differences.extend(findings.differences())


def _first_id(result: Any, kind: str) -> str | None:
    """The first id of a list answer, read as the app reads lists."""
    if not isinstance(result, dict):
        return None
    try:
        listing = parse_record_list(result, kind, lambda _raw, key: key)
    except (ValueError, TypeError, AttributeError):
        return None
    return listing.ids[0] if listing.ids else None


def server_label(url: str) -> str:
    """The server as shown in a report: scheme, host and port (no path, no user name)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return "the address given"
    if not parsed.host:
        return "the address given"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}"


def _scrubbed(report: CheckReport, secrets: list[str | None]) -> CheckReport:
    """The report with every known secret taken out (it holds none; this makes sure)."""
    known = [s for s in secrets if s and len(s) >= 4]

    def clean(text: str) -> str:
        for secret in known:
            text = text.replace(secret, "[redacted]")
        return text

    report.problem = clean(report.problem)
    report.not_checked = [clean(t) for t in report.not_checked]
    report.differences = [
        Difference(d.function, clean(d.where), clean(d.what), d.tolerated, d.count)
        for d in report.differences
    ]
    return report


async def check_server(
    url: str,
    *,
    email: str = "",
    password: str = "",
    token: str = "",
    sign_in: str | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> CheckReport:
    """Check the server at ``url``, signing in with ``email`` and ``password`` or with
    ``token``; read calls only. Never raises for what the server does."""
    label = sign_in or (SIGNED_IN_WITH_PASSWORD if password else SIGNED_IN_WITH_TOKEN)
    report = CheckReport(server_label(url), label)
    if not password and not token:
        report.problem = "Could not sign in: no password and no login token were given."
        return report
    options = {**_CLIENT_DEFAULTS, **(client_options or {})}
    try:
        client = SalesNexusClient(url, token=None if password else token, **options)
    except (InsecureURLError, ValueError) as exc:
        report.problem = f"Could not check the server: {exc}"
        return _scrubbed(report, [password, token])
    answers = _AnswerLog()
    answers.attach(client)
    check = _Check(client, answers, report)
    secrets: list[str | None] = [password, token]
    log.info("checking the server %s", report.server)
    try:
        await check.ask("greet")
        if not password or await check.sign_in(email, password):
            secrets.append(client.token)
            await check.lists_and_details()
            await check.bad_call()
    except _Stop:
        pass
    finally:
        secrets.append(client.token)
        await client.aclose()
    log.info("server check: %s", report.summary())
    return _scrubbed(report, secrets)


class SessionClient(Protocol):
    """What the session check needs of the session's client."""

    @property
    def base_url(self) -> str: ...

    @property
    def token(self) -> str | None: ...


async def check_session(
    client: SessionClient,
    *,
    working_offline: bool = False,
    client_options: Mapping[str, Any] | None = None,
) -> CheckReport:
    """Check the server of the open session with the session's login token."""
    if working_offline:
        report = CheckReport(server_label(client.base_url), SIGNED_IN_WITH_SESSION)
        report.problem = "You are working offline: go online, then check the server again."
        return report
    return await check_server(
        client.base_url,
        token=client.token or "",
        sign_in=SIGNED_IN_WITH_SESSION,
        client_options=client_options,
    )
