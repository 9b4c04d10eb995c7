"""The REST API, /api/v1/ (django-ninja: the OpenAPI 3.1 schema is generated from these
functions and their pydantic schemas; docs/api.md says why ninja).

Every call is by an API client (`Authorization: Bearer <token>`, clients.authenticate) and
audited with the client as its actor (no user account is made up for it). A referral the
client may not read answers exactly as one that does not exist: 404.
"""

import datetime
import json
import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import parse_etags
from ninja import NinjaAPI, P, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.params import HeaderEx
from ninja.security import HttpBearer
from pydantic import AwareDatetime, Field, field_validator

from frontdoor.api import clients, downloads, forms, reading, throttling, writing
from frontdoor.api.models import ApiClient
from frontdoor.api.problems import CONTENT_TYPE as PROBLEM
from frontdoor.api.problems import problem
from frontdoor.audit.services import record
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.cases.workflows import workflows
from frontdoor.core import text
from frontdoor.core.client import client_ip
from frontdoor.referrals import pdf
from frontdoor.referrals.presenting import expects_reply

# A reference's shape (referrals.submissions: FD-2026-000123, more digits past a million
# a year). Anything else is not looked up: PostgreSQL would refuse a NUL in it (a 500).
REFERENCE = re.compile(r"FD-[0-9]{4}-[0-9]{6,12}")


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`. Ninja's own would log a refused header in DEBUG:
    a token must never reach a log."""

    def __call__(self, request: HttpRequest) -> ApiClient | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        found = clients.authenticate(token)
        if found is None:
            return None
        throttling.check(found.client)  # Limited: a 429 (rate_limited below)
        return found.client


class FrontDoorApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's schema, with the errors' media type as they are sent:
        application/problem+json (ninja documents every response as application/json)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM: content["application/json"]}
        return schema


api = FrontDoorApi(
    title="Front Door API",
    version="1",
    description=(
        "Referrals sent to the council's children's services, for its case-management "
        "system. Errors are application/problem+json (RFC 9457)."
    ),
    urls_namespace="api",
    auth=BearerToken(),
    docs_url=None,  # the readable reference page comes later, served by the portal itself
)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "The API token is missing, malformed, unknown or revoked. Send a live one as "
        "Authorization: Bearer <token>.",
    )


@api.exception_handler(throttling.Limited)
def rate_limited(request: HttpRequest, exc: throttling.Limited) -> HttpResponse:
    response = problem(
        429,
        f"This API client has made more calls than its limit ({_rate()}). Wait "
        f"{exc.wait} seconds (Retry-After) and call again.",
    )
    response["Retry-After"] = str(exc.wait)
    return response


def _rate() -> str:
    return str(settings.API_RATE_LIMIT)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, str(exc) or "There is nothing at this address for this API client.")


def _where(loc: Any) -> str:
    """An error's place: `body.response`, not ninja's `body.body.response` (the parameter
    is called body too)."""
    parts = [str(part) for part in loc]
    if parts[:2] == ["body", "body"]:
        parts = parts[1:]
    return ".".join(parts)


# A call refused before its endpoint ran is audited as its endpoint's refusal.
REFUSED = {
    "referral_decision": "api.referral.decision_refused",
    "referral_import": "api.referral.import_refused",
}


def _refused_early(request: HttpRequest, why: str, fields: list[str]) -> None:
    """Audit a client's call refused before its endpoint ran (a body or query that is not
    valid, or not JSON): with where, never what, it sent (it can name people)."""
    if not isinstance(getattr(request, "auth", None), ApiClient):
        return  # refused before the token was checked: a 401 first, not audited
    match = request.resolver_match
    operation = match.url_name if match is not None else ""
    asked = str(match.kwargs.get("reference", "")) if match is not None else ""
    _audit(
        REFUSED.get(operation or "", "api.request.invalid"),
        request,
        reference=asked if REFERENCE.fullmatch(asked) else "",
        why=why,
        operation=operation,
        fields=fields,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"where": _where(error.get("loc", ())), "message": error["msg"]} for error in exc.errors
    ]
    _refused_early(request, "invalid", [error["where"] for error in errors])
    said = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
    return problem(422, f"The request is not valid: {said}.", errors=errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja: the body is not JSON
        _refused_early(request, "unparsable", ["body"])
    return problem(exc.status_code, str(exc))


def _client(request: HttpRequest) -> ApiClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, ApiClient)
    return client


def _audit(action: str, request: HttpRequest, reference: str = "", **detail: Any) -> None:
    """The client's call, with the client as its object and no actor: never the person
    whose session cookie came with it (record would take request.user)."""
    client = _client(request)
    record(
        action,
        obj=client,
        ip=client_ip(request),
        reference=reference,
        client=client.pk,
        client_name=client.name,
        **detail,
    )


# --- Schemas ------------------------------------------------------------------------------


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FormVersionOut(Schema):
    slug: str
    version: int


class OutcomeOut(Schema):
    slug: str = Field(examples=["strategy-discussion"])
    name: str = Field(examples=["Strategy discussion (s47)"])
    national_code: dict[str, str] | None = Field(
        description="Its codes in published vocabularies, by vocabulary (ssd_contact_outcome, "
        "ssd_referral_outcome, cin_reason_for_closure, sen2_request_outcome); null where "
        "none is published.",
        examples=[
            {
                "ssd_contact_outcome": "CP_ENQUIRY_FLAG",
                "ssd_referral_outcome": "STRATEGY_DISCUSSION_FLAG",
            }
        ],
    )


class ReferralSummary(Schema):
    reference: str = Field(examples=["FD-2026-000123"])
    form: FormVersionOut
    team: str = Field(description="The team it is in now (its slug).")
    received: datetime.datetime
    stage: str = Field(description="The stage of the team's workflow it is at.")
    outcome: OutcomeOut | None = Field(description="The decision's outcome, once decided.")
    updated: datetime.datetime
    etag: str = Field(
        description="The referral's ETag (as the detail's ETag header): send it as "
        "If-None-Match to be told 304 when nothing changed.",
        examples=['"3f1c0e2a9b7d4c6e8a0b1c2d3e4f5a6b"'],
    )
    imported: bool = Field(
        description="Marked imported by this API client for the team the referral is in "
        "now (after a transfer, false until the new team's system imports it)."
    )
    external_reference: str | None = Field(
        description="This client's own case reference for it, as marked imported; null "
        "while not imported.",
        examples=["LCS-12345"],
    )


class ReferralPage(Schema):
    items: list[ReferralSummary]
    next_cursor: str | None = Field(
        description="Ask with cursor=this for what comes after this page. Keep the last one "
        "and poll with it: referrals that arrive or change later come after it. Null only "
        "when nothing was listed yet."
    )
    more: bool = Field(description="Whether more are waiting now: ask again at once.")


class ReferralFilters(Schema):
    updated_since: AwareDatetime | None = Field(
        None, description="Only referrals updated after this time (ISO 8601 with a time zone)."
    )
    stage: str | None = Field(
        None,
        max_length=40,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Only referrals at this stage (its slug in the team's workflow).",
    )
    imported: bool | None = Field(
        None,
        description="true: only those this client marked imported (for the team each is "
        "in now); false: only those it has not.",
    )
    cursor: str | None = Field(None, max_length=200, description="From the previous page.")

    @field_validator("updated_since")
    @classmethod
    def in_utc(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        """In UTC: PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 allows
        (schemathesis sent +20:56); one that leaves the calendar is refused here."""
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValueError("Give a time between the years 1 and 9999") from None


class Referrer(Schema):
    name: str
    organisation: str
    role: str
    email: str
    telephone: str


class PersonOut(Schema):
    role: str = Field(description="child, unborn, parent_carer or adult")
    first_name: str
    last_name: str
    also_known_as: str
    date_of_birth: datetime.date | None
    due_date: datetime.date | None
    nhs_number: str
    postcode: str
    uprn: str


class DocumentOut(Schema):
    id: uuid.UUID = Field(description="Opaque: the document's id in its download address.")
    name: str = Field(description="The name the referrer gave the file (made safe).")
    type: str = Field(description="Its media type.", examples=["application/pdf"])
    size: int = Field(description="In bytes.")
    sha256: str = Field(description="The SHA-256 of its bytes, hex.")
    scanned: bool = Field(
        description="Scanned clean by ClamAV (false only where the council runs the portal "
        "without virus scanning). Every document also passed the portal's own checks."
    )
    sent_with: str = Field(
        description="referral: sent with the referral; information: sent later by the "
        "referrer, with an answer to a question or information they added."
    )
    added: datetime.datetime
    download: str = Field(description="Its absolute address in this API (needs the token).")


class HistoryItem(Schema):
    at: datetime.datetime
    action: str = Field(description="received, stage_changed, decided, transferred or imported")
    team: str = Field(description="The team it was in (for transferred: the team it left).")
    to_team: str | None = Field(description="For transferred: the team it went to.")
    stage: str | None = Field(description="The stage it was at after this (null for imported).")
    outcome: OutcomeOut | None = Field(description="For decided: the outcome.")


class ReferralDetail(ReferralSummary):
    urgent: bool
    urgency_flags: list[str]
    referrer: Referrer | None = Field(description="null when it was sent anonymously.")
    people: list[PersonOut]
    answers: dict[str, Any] = Field(
        description="By section slug: question id to {question, value} (the typed answers, "
        "referrals/typed.py); a repeating section is a list of such mappings, one per item."
    )
    documents: list[DocumentOut]
    history: list[HistoryItem] = Field(
        description="What happened to its status, oldest first: never who, never notes."
    )


class Preparing(Schema):
    detail: str


class FormOut(Schema):
    slug: str = Field(examples=["social-care-referral"])
    name: str = Field(examples=["Request for support from Children's Social Care"])
    team: str
    current_version: int | None = Field(
        description="The version new referrals are sent on; null once the form is not in use."
    )
    versions: list[int] = Field(description="Every version referrals can have been sent on.")


class ImportIn(Schema):
    external_reference: str = Field(
        min_length=1,
        max_length=100,
        description="The referral's case reference in the client's own system: 1 to 100 "
        "characters, no control or invisible formatting characters.",
        examples=["LCS-12345"],
    )

    @field_validator("external_reference")
    @classmethod
    def plain(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Enter the case reference in your system")
        hidden = text.first_hidden(value, multi_line=False)
        if hidden is not None:
            raise ValueError(text.message("The external reference", hidden))
        return value


class ImportOut(Schema):
    reference: str = Field(examples=["FD-2026-000123"])
    external_reference: str = Field(examples=["LCS-12345"])
    team: str = Field(description="The team it was imported for (its slug): the one it is in.")
    imported_at: datetime.datetime


def _outcome_slugs() -> list[str]:
    """Every outcome's slug in the council's workflows, for the schema's examples (a
    Children's Social Care one first: what the API is mostly for)."""
    every = workflows()
    teams = sorted(every.teams.items(), key=lambda item: item[0] != "social-care")
    slugs = [o.slug for _, w in teams for o in w.outcomes] + [
        o.slug for o in every.default.outcomes
    ]
    return list(dict.fromkeys(slugs))


class DecisionIn(Schema):
    outcome: str = Field(
        min_length=1,
        max_length=40,
        description="The slug of one of the outcomes the referral's team offers at its stage "
        "(the team's workflow, docs/configuring.md); a 422 lists those offered.",
        examples=_outcome_slugs(),
    )
    response: str = Field(
        "",
        max_length=services.RESPONSE_MAX_LENGTH,
        description="For the referrer: they read it in the portal (the email only says there "
        "is a response). Needed, as on the staff page, unless nobody can read one (sent "
        "without an account, or no reply wanted): then it is not kept. Never anything the "
        "referrer should not see.",
        examples=[
            "Thank you for your referral. We are taking action with our partners to keep the "
            "child safe."
        ],
    )

    @field_validator("response")
    @classmethod
    def plain(cls, value: str) -> str:
        hidden = text.first_hidden(value, multi_line=True)
        if hidden is not None:
            raise ValueError(text.message("The response", hidden))
        return value.strip()


ERRORS: dict[int, Any] = {401: Problem, 404: Problem, 422: Problem, 429: Problem}


class TombstoneOut(Schema):
    reference: str
    form: FormVersionOut
    team: str = Field(description="The team it was in when it was removed (its slug).")
    received: datetime.datetime
    decided: datetime.datetime | None
    closed: datetime.datetime
    outcome: OutcomeOut | None
    imported: bool = Field(description="Whether the team's system had imported it.")
    removed: datetime.datetime


class RemovedProblem(Problem):
    tombstone: TombstoneOut


# A referral's own addresses: gone under retention, 410 with its tombstone.
ONE_ERRORS: dict[int, Any] = {**ERRORS, 410: RemovedProblem}


def _binary(description: str, *types: str) -> dict[str, Any]:
    """The OpenAPI of a streamed file's 200 answer, with its headers."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in types},
                "headers": {
                    "Repr-Digest": {
                        "description": "sha-256=:<base64 of the SHA-256 of the bytes>: (RFC 9530)",
                        "schema": {"type": "string"},
                    },
                    "Content-Length": {"schema": {"type": "integer"}},
                    "Content-Disposition": {"schema": {"type": "string"}},
                },
            }
        }
    }


# --- Endpoints ----------------------------------------------------------------------------


@api.get("/referrals", response={200: ReferralPage, **ERRORS}, url_name="referrals")
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> Any:
    """The client's teams' referrals, least recently updated first, 100 a page."""
    client = _client(request)
    try:
        rows, next_cursor, more = reading.page(
            client,
            updated_since=filters.updated_since,
            stage=filters.stage,
            imported=filters.imported,
            cursor=filters.cursor,
        )
    except reading.BadCursor:
        return problem(
            422, "The cursor is not one this API gave. Start again without it.", errors=[]
        )
    _audit("api.referrals.listed", request, count=len(rows))
    return _as_documented(request, {"items": rows, "next_cursor": next_cursor, "more": more})


def _as_documented(
    request: HttpRequest, data: dict[str, Any], response: HttpResponse | None = None
) -> HttpResponse:
    """The answer rendered as it is, without ninja validating it against its schema
    again: pydantic walking a page of 100 referrals was a third of its CPU. reading.py
    builds exactly what the schema says (test_representation.py validates real answers
    against it and finds nothing to change; schemathesis checks every answer)."""
    if response is None:
        return api.create_response(request, data, status=200)
    response.status_code = 200
    return api.create_response(request, data, temporal_response=response)


NOT_FOUND = "There is no referral with this reference that this API client may read."


class Removed(Exception):
    """The referral was removed under retention: 410 with its tombstone."""

    def __init__(self, tombstone: dict[str, Any]) -> None:
        self.tombstone = tombstone


@api.exception_handler(Removed)
def removed(request: HttpRequest, exc: Removed) -> HttpResponse:
    return problem(
        410,
        "This referral was removed under the council's retention period: only its "
        "tombstone is kept.",
        tombstone=exc.tombstone,
    )


def _case(request: HttpRequest, reference: str, asked: str = "api.referral.not_found") -> Case:
    """The client's referral, or a 404 exactly as for one that does not exist (audited,
    with the reference asked when it is one); a 410 with its tombstone if retention
    removed it from a team of the client's (a 404 for any other client)."""
    client = _client(request)
    shaped = REFERENCE.fullmatch(reference) is not None
    case = reading.case_of(client, reference) if shaped else None
    if case is None and shaped:
        tombstone = reading.tombstone_of(client, reference)
        if tombstone is not None:
            _audit(asked.replace(".not_found", ".removed"), request, reference=reference)
            raise Removed(tombstone)
    if case is None:
        _audit(asked, request, reference=reference if shaped else "")
        raise Http404(NOT_FOUND)
    return case


def _unchanged(request: HttpRequest, etag: str) -> bool:
    """If-None-Match names the referral's ETag (or is *): weak comparison (RFC 9110)."""
    asked = request.headers.get("If-None-Match", "")
    if not asked:
        return False
    if asked.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in parse_etags(asked))


@api.get(
    "/referrals/{reference}",
    response={200: ReferralDetail, 304: None, **ONE_ERRORS},
    url_name="referral",
)
def get_referral(request: HttpRequest, reference: str, response: HttpResponse) -> Any:
    """One referral: the referrer, the people named, every typed answer, urgency flags,
    its documents and its status history. Its ETag header is the list item's `etag`:
    If-None-Match with it answers 304, with no body, while nothing has changed."""
    case = _case(request, reference)
    etag = reading.etag(case)
    if _unchanged(request, etag):
        _audit("api.referral.not_modified", request, reference=case.submission.reference)
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    _audit("api.referral.viewed", request, reference=case.submission.reference)
    response["ETag"] = etag
    reference = case.submission.reference

    def link(document: Any) -> str:
        return request.build_absolute_uri(
            reverse("api:document", kwargs={"reference": reference, "document_id": document.pk})
        )

    return _as_documented(request, reading.detail(case, link), response)


ALREADY_IMPORTED = (
    "This referral is already marked imported by this API client, for the team it is in "
    "now, with another external reference. The first one stands (the referral's "
    "external_reference says it): a referral is imported once per team."
)
KEY_REUSED = (
    "This Idempotency-Key was sent before with a different request (another referral or "
    "another external reference). Send a new key with a new request."
)


@api.put(
    "/referrals/{reference}/import",
    response={200: ImportOut, 409: Problem, **ONE_ERRORS},
    url_name="referral_import",
)
def mark_imported(
    request: HttpRequest,
    reference: str,
    body: ImportIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias="Idempotency-Key",
            max_length=255,
            # Printable ASCII (the draft's sf-string): a NUL would be a 500 on PostgreSQL
            # behind a server that passes it on (gunicorn refuses it).
            pattern=r"^[\x20-\x7e]+$",
            description="Optional: a key of the client's choosing (a UUID, say), printable "
            "ASCII. The same key again gives the first call's answer; with a different "
            "request, a 422.",
        ),
    ] = None,
) -> Any:
    """Mark the referral imported into the client's system as its case
    `external_reference`, for the team the referral is in now. Safe to repeat: the same
    external reference again gives the same answer (imported_at unchanged); a different
    one, once imported for this team, is a 409. After a transfer, the new team's system
    imports it again. Importing does not change the referral's `updated` time and raises
    no webhook; its ETag changes (its `imported` and its history do)."""
    case = _case(request, reference)
    known = case.submission.reference
    client = _client(request)
    try:
        marked = writing.mark_imported(client, case, body.external_reference, idempotency_key or "")
    except writing.KeyReused:
        _audit("api.referral.import_refused", request, reference=known, why="key_reused")
        return problem(422, KEY_REUSED, errors=[])
    except writing.AlreadyImported:
        _audit("api.referral.import_refused", request, reference=known, why="already_imported")
        return problem(409, ALREADY_IMPORTED)
    except writing.Gone:
        _audit("api.referral.not_found", request, reference=known)
        raise Http404(NOT_FOUND) from None
    made = marked.made
    action = "api.referral.imported" if marked.new else "api.referral.import_repeated"
    _audit(action, request, reference=known, imported=made.pk)
    return {
        "reference": known,
        "external_reference": made.external_reference,
        "team": made.team.slug,
        "imported_at": made.imported_at,
    }


@api.post(
    "/referrals/{reference}/decision",
    response={200: ReferralSummary, 409: Problem, **ONE_ERRORS},
    url_name="referral_decision",
)
def post_decision(request: HttpRequest, reference: str, body: DecisionIn) -> Any:
    """Decide the referral as its team's system: one of the outcomes the team offers at
    its stage, with a response for the referrer. The same as a manager's decision on the
    staff page (cases.services.decide): the referrer is emailed and reads the response,
    the history and the audit name this client, and referral.decided is raised. Made at
    once (no proposal waits for a manager). A closed referral is a 409."""
    case = _case(request, reference)
    known = case.submission.reference
    offered = services.offered_outcomes(case)

    def refused(status: int, why: str, detail: str) -> HttpResponse:
        _audit("api.referral.decision_refused", request, reference=known, why=why)
        return problem(status, detail, **({"errors": []} if status == 422 else {}))

    if case.closed_at is not None:
        return refused(409, "closed", "This referral has already been decided and closed.")
    if body.outcome not in {o.slug for o in offered}:
        slugs = ", ".join(o.slug for o in offered)
        return refused(
            422,
            "outcome",
            f"The outcome is not one this referral's team offers at its stage "
            f"({case.stage}). Send one of: {slugs}.",
        )
    reply = expects_reply(case.submission)
    if reply and not body.response:
        return refused(422, "response", "Enter the response for the referrer (body.response).")
    try:
        services.decide(
            case, body.outcome, body.response if reply else "", writing.system_of(_client(request))
        )
    except PermissionDenied:  # moved out of the client's teams, or restricted, meanwhile
        _audit("api.referral.not_found", request, reference=known)
        raise Http404(NOT_FOUND) from None
    except services.NotAllowed as exc:  # decided meanwhile
        return refused(409, "changed", f"{exc}.")
    decided = reading.case_of(_client(request), known)
    assert decided is not None
    return reading.summary(decided)


@api.get(
    "/referrals/{reference}/documents/{document_id}",
    response=ONE_ERRORS,
    url_name="document",
    openapi_extra=_binary(
        "The document's bytes, as an attachment.",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "image/jpeg",
        "image/png",
    ),
)
def get_document(request: HttpRequest, reference: str, document_id: uuid.UUID) -> FileResponse:
    """One of the referral's documents, streamed, with its SHA-256 in Repr-Digest. Another
    referral's document is a 404, as one that does not exist."""
    case = _case(request, reference, "api.document.not_found")
    document = reading.document_of(case, document_id)
    if document is None:
        _audit(
            "api.document.not_found",
            request,
            reference=case.submission.reference,
            document=str(document_id),
        )
        raise Http404("This referral has no document with this id.")
    _audit(
        "api.document.downloaded",
        request,
        reference=case.submission.reference,
        document=str(document.pk),
    )
    return downloads.document_response(document)


@api.get(
    "/referrals/{reference}/pdf",
    response={202: Preparing, **ONE_ERRORS},
    url_name="referral_pdf",
    openapi_extra=_binary("The PDF copy of the referral as it was sent.", "application/pdf"),
)
def get_pdf(request: HttpRequest, reference: str) -> Any:
    """The PDF copy of the form as it was sent (tagged, PDF/UA-1), streamed, with its
    SHA-256 in Repr-Digest. The copy is made by the portal's task worker when the form is
    sent: until it is ready, 202 with Retry-After."""
    case = _case(request, reference, "api.pdf.not_found")
    copy = pdf.copy_of(case.submission)
    if not copy.ready:
        _audit("api.pdf.preparing", request, reference=case.submission.reference)
        waiting = JsonResponse(
            {"detail": "The PDF copy is being made. Ask again in a minute (Retry-After)."},
            status=202,
        )
        waiting["Retry-After"] = "60"
        return waiting
    _audit("api.pdf.downloaded", request, reference=case.submission.reference)
    return downloads.pdf_response(copy, case.submission.reference)


@api.get("/forms", response={200: list[FormOut], **ERRORS}, url_name="forms")
def list_forms(request: HttpRequest) -> Any:
    """The forms the client's teams receive, with their versions."""
    found = forms.forms_for(_client(request))
    _audit("api.forms.listed", request, count=len(found))
    return [form.__dict__ for form in found]


@api.get(
    "/forms/{slug}/versions/{version}/schema",
    response=ERRORS,
    url_name="form_schema",
    openapi_extra={
        "responses": {
            200: {
                "description": "A JSON Schema (draft 2020-12) of the version's typed answers "
                "(a referral's `answers`, without the question texts).",
                "content": {"application/schema+json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def get_form_schema(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """The JSON Schema of one form version's typed answers. Another team's form, or a
    version that does not exist, is a 404."""
    schema = forms.schema_for(_client(request), slug[:60], version)
    if schema is None:
        raise Http404("There is no such form version that this API client may read.")
    _audit("api.form_schema.viewed", request, form=slug, version=version)
    return HttpResponse(json.dumps(schema), content_type="application/schema+json")


def index(request: HttpRequest) -> HttpResponse:
    """/api/v1/: where the schema is (in place of ninja's root, which is only a 404)."""
    return JsonResponse({"openapi": request.build_absolute_uri(reverse("api:openapi-json"))})
