"""The API against its own SERVED schema, with schemathesis: every operation the schema
lists (so an endpoint added later is tested with no change here), with a valid token,
against seeded referrals.

How requests get valid values:
- query parameters and request bodies: schemathesis generates them from the schema (the
  operation's explicit `examples` first, then generated ones), so an endpoint's schema must
  say what it takes (enums, patterns, examples) for a generated request to succeed;
- path parameters: real values of the seeded data (`seeded_paths`), one coherent row at a
  time (a referral's reference with one of its documents and its form's slug and version),
  and sometimes the generated value, so 404s are exercised too. A path parameter this
  test has no seeded value for fails the test, saying so: add it to `seeded_paths`.

Checks on every response: not a 5xx, a status the schema documents, its content type and
its body conform to the schema, headers as documented. And every operation must have
answered at least one 2xx: an operation whose requests all fail is not tested at all.
Bounded: a few examples an operation, each with a deadline.
"""

import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi import checks as openapi_checks

from frontdoor.api.tests.conftest import System
from frontdoor.documents import services as documents
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.referrals.submissions import submit
from tests.sending import fill

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/openapi.json"
EXAMPLES = 12  # generated cases an operation (its explicit examples come on top)
SECONDS = 60  # the whole run, at most

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


def seeded_paths(professional: Any) -> list[dict[str, str]]:
    """Three sent referrals of the client's team, each with a document: a row of path
    parameters for each (named as the schema names them)."""
    rows = []
    for n in range(3):
        draft = fill(professional, "social-care-referral")
        attached = documents.attach(
            draft, professional, SimpleUploadedFile(f"Chronology {n}.pdf", files.pdf(f"Doc {n}"))
        )
        assert isinstance(attached, Document), attached
        sent = submit(draft.pk, professional)
        rows.append(
            {
                "reference": sent.reference,
                "document_id": str(attached.pk),
                "slug": sent.form_version.slug,
                "version": str(sent.form_version.version),
            }
        )
    return rows


def path_parameters(operation: Any) -> list[str]:
    return [p.name for p in operation.path_parameters]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The portal's WSGI application, as served, in the test's database transaction: like
    Django's test client, requests do not close the connection when they finish."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_conforms_to_the_served_schema(professional, social_care_system, wsgi_app):
    system: System = social_care_system
    rows = seeded_paths(professional)
    schema = schemathesis.openapi.from_wsgi(SCHEMA, wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 2, "the schema lists no operations"
    unseeded = {
        (op.label, name) for op in operations for name in path_parameters(op) if name not in rows[0]
    }
    assert not unseeded, f"add seeded values for these path parameters: {sorted(unseeded)}"

    headers = {"Authorization": f"Bearer {system.token}"}
    statuses: dict[str, list[int]] = defaultdict(list)
    started = time.monotonic()
    for operation in operations:
        exercise(operation, rows, headers, statuses[operation.label])
        assert time.monotonic() - started < SECONDS, "schemathesis took too long"

    never = [op.label for op in operations if not any(200 <= s < 300 for s in statuses[op.label])]
    assert not never, f"never answered 2xx: {never} (statuses: {dict(statuses)})"


def exercise(operation: Any, rows: list[dict[str, str]], headers: dict, seen: list[int]) -> None:
    """Send an operation's explicit examples and generated cases, each checked; note the
    statuses in `seen`."""
    names = path_parameters(operation)
    cases = st.one_of(*operation.get_strategies_from_examples(), operation.as_strategy())

    @settings(
        max_examples=EXAMPLES,
        deadline=2000,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, row=st.sampled_from(rows), real=st.sampled_from([True, True, False]))
    def run(case: Any, row: dict[str, str], real: bool) -> None:
        if real:  # mostly real path parameters, sometimes the generated ones (a 404)
            case.path_parameters = {**(case.path_parameters or {})}
            case.path_parameters.update({name: row[name] for name in names})
        response = case.call(headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def test_the_schema_documents_errors_as_problem_details(client) -> None:
    """Found by schemathesis: ninja documented every error as application/json, while the
    API sends application/problem+json."""
    schema = client.get(SCHEMA).json()
    errors = [
        response
        for methods in schema["paths"].values()
        for operation in methods.values()
        for status, response in operation["responses"].items()
        if int(status) >= 400
    ]
    assert errors
    assert all(list(response["content"]) == ["application/problem+json"] for response in errors)
