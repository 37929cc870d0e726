"""The client's table of call-v1 functions: it covers the vendor's reference, the transport
decides reads and tokens from it, each typed method's keywords are its parameters, and the
retry policy's pure functions."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from snx_desktop.api import SalesNexusClient
from snx_desktop.api.functions import FUNCTIONS, is_read, needs_token
from snx_desktop.api.retrypolicy import may_send_again, retry_delay, should_retry

#: a method's name when it is not the function's name in snake_case
_METHOD = {"get-login-token": "login"}
#: a method's argument that travels under another parameter name
_ALIASES = {
    "login": {"email": "email-address"},
    "add_doc_to_contact": {"source": "base64-data"},
}
#: arguments that shape the call on this side and are never sent as parameters
_LOCAL = {"add_doc_to_contact": {"progress", "size"}}


def _method_name(function: str) -> str:
    return _METHOD.get(function, function.replace("-", "_"))


def _reference_parameters() -> dict[str, set[str]]:
    """Each function of the vendor's example requests with the parameter names they use."""
    path = Path(__file__).parents[1] / "sandbox" / "reference_examples.json"
    examples = json.loads(path.read_text("utf-8"))["examples"]
    found: dict[str, set[str]] = {}
    for example in examples:
        for element in json.loads(example["body"]):
            names = found.setdefault(element["function"], set())
            names.update(element.get("parameters", {}))
    return found


def test_the_table_documents_what_the_vendors_reference_does() -> None:
    reference = _reference_parameters()
    assert len(FUNCTIONS) == 37
    assert set(reference) == set(FUNCTIONS)
    for name, spec in FUNCTIONS.items():
        assert set(spec.params) == reference[name] - {"login-token"}, name
        assert spec.token == ("login-token" in reference[name]), name
        assert not set(spec.extra) & reference[name], name


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_typed_method_takes_the_parameters_of_its_function(function: str) -> None:
    name = _method_name(function)
    method = getattr(SalesNexusClient, name)
    signature = inspect.signature(method)
    aliases = _ALIASES.get(name, {})
    local = _LOCAL.get(name, set())
    wire = {
        aliases.get(p, p.replace("_", "-"))
        for p in signature.parameters
        if p != "self" and p not in local
    }
    assert wire == set(FUNCTIONS[function].all_params), name


def test_reads_and_tokens_come_from_the_table() -> None:
    assert is_read("get-contacts")
    assert is_read("greet")
    assert is_read("echo")
    assert not is_read("create-note")
    assert not is_read("complete-activity")
    assert not needs_token("get-login-token")
    assert needs_token("get-users")
    # a name the table does not know is a write that needs a token: never sent twice
    assert not is_read("get-something-new")
    assert needs_token("get-something-new")
    for spec in FUNCTIONS.values():
        if spec.name.startswith(("create-", "update-", "delete-", "add-", "import-")):
            assert not spec.read, spec.name


def test_retry_policy_is_pure() -> None:
    assert may_send_again(read=True, sent_fully=True)
    assert may_send_again(read=False, sent_fully=False)
    assert not may_send_again(read=False, sent_fully=True)
    assert should_retry(attempts=2, retries=3, closed=False)
    assert not should_retry(attempts=3, retries=3, closed=False)
    assert not should_retry(attempts=0, retries=3, closed=True)

    def top(low: float, high: float) -> float:
        return high

    limits = {"backoff": 0.5, "backoff_max": 4.0, "max_retry_after": 60.0}
    assert [retry_delay(a, None, uniform=top, **limits) for a in (1, 2, 3, 4, 5)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        4.0,
    ]
    assert retry_delay(1, 7.0, uniform=top, **limits) == 7.0
    assert retry_delay(1, 1e6, uniform=top, **limits) == 60.0
