"""The REST API, /api/v1/ (django-ninja: the OpenAPI 3.1 schema is generated from these
functions and their pydantic schemas; docs/api.md says why ninja).

Every call is by an API client (`Authorization: Bearer <token>`, clients.authenticate) and
audited with the client as its actor (no user account is made up for it). A referral the
client may not read answers exactly as one that does not exist: 404.
"""

import datetime
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer
from pydantic import AwareDatetime, Field

from frontdoor.api import clients, reading
from frontdoor.api.models import ApiClient
from frontdoor.api.problems import CONTENT_TYPE as PROBLEM
from frontdoor.api.problems import problem
from frontdoor.audit.services import record

REFERENCE = re.compile(r"^FD-\d{4}-\d{6}$")


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
        return found.client if found is not None else None


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


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, str(exc) or "There is nothing at this address for this API client.")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"where": ".".join(str(part) for part in error.get("loc", ())), "message": error["msg"]}
        for error in exc.errors
    ]
    said = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
    return problem(422, f"The request is not valid: {said}.", errors=errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


def _client(request: HttpRequest) -> ApiClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, ApiClient)
    return client


def _audit(action: str, request: HttpRequest, reference: str = "", **detail: Any) -> None:
    client = _client(request)
    record(
        action,
        obj=client,
        request=request,
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


class ReferralSummary(Schema):
    reference: str = Field(examples=["FD-2026-000123"])
    form: FormVersionOut
    team: str = Field(description="The team it is in now (its slug).")
    received: datetime.datetime
    stage: str = Field(description="The stage of the team's workflow it is at.")
    outcome: str | None = Field(description="The decision's outcome (its slug), once decided.")
    updated: datetime.datetime


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
    stage: str | None = Field(None, max_length=40, description="Only referrals at this stage.")
    cursor: str | None = Field(None, max_length=200, description="From the previous page.")


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


class ReferralDetail(ReferralSummary):
    urgent: bool
    urgency_flags: list[str]
    referrer: Referrer | None = Field(description="null when it was sent anonymously.")
    people: list[PersonOut]
    answers: dict[str, Any] = Field(
        description="By section slug: question id to {question, value} (the typed answers, "
        "referrals/typed.py); a repeating section is a list of such mappings, one per item."
    )


ERRORS: dict[int, Any] = {401: Problem, 404: Problem, 422: Problem}


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
            cursor=filters.cursor,
        )
    except reading.BadCursor:
        return problem(
            422, "The cursor is not one this API gave. Start again without it.", errors=[]
        )
    _audit("api.referrals.listed", request, count=len(rows))
    return {
        "items": [reading.summary(case) for case in rows],
        "next_cursor": next_cursor,
        "more": more,
    }


@api.get("/referrals/{reference}", response={200: ReferralDetail, **ERRORS}, url_name="referral")
def get_referral(request: HttpRequest, reference: str) -> Any:
    """One referral: the referrer, the people named, every typed answer, urgency flags."""
    case = reading.case_of(_client(request), reference)
    known = reference if REFERENCE.match(reference) else ""
    if case is None:
        _audit("api.referral.not_found", request, reference=known)
        raise Http404("There is no referral with this reference that this API client may read.")
    _audit("api.referral.viewed", request, reference=case.submission.reference)
    return reading.detail(case)


def index(request: HttpRequest) -> HttpResponse:
    """/api/v1/: where the schema is (in place of ninja's root, which is only a 404)."""
    return JsonResponse({"openapi": request.build_absolute_uri(reverse("api:openapi-json"))})
