"""What the API says about a referral, read from its submission (the typed copy,
referrals/typed.py), its people index and its case. Never internal case notes, partner
checks or the history staff read: only what a case-management system imports."""

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from frontdoor.api.models import ApiClient, ApiImport
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.workflows import Outcome, Workflow, workflow_for, workflows
from frontdoor.documents.models import Document
from frontdoor.enquiries.models import EnquiryDocument
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Submission, Tombstone
from frontdoor.referrals.services import definition_of

PAGE_SIZE = 100
# Raised when what the API says about a referral changes shape (a new field): every ETag
# changes with it, so no system keeps a copy made by the older code.
REPRESENTATION = "3"
# The history's events (CaseEvent actions), as the API names them: what happened to the
# referral's status only. Never notes, assignments, ratings (their reasons), proposed
# decisions, partner checks, questions to the referrer, restrictions, or who did it.
HISTORY = {
    CaseEvent.Action.RECEIVED: "received",
    CaseEvent.Action.STAGE: "stage_changed",
    CaseEvent.Action.DECIDED: "decided",
    CaseEvent.Action.TRANSFERRED: "transferred",
}
REFERRER_FIELDS = ("first_name", "last_name", "organisation", "job_title", "email", "telephone")


class BadCursor(ValueError):
    pass


def cases_for(client: ApiClient) -> QuerySet[Case]:
    """The cases the client may read: in one of its teams now, and not restricted (a
    restricted referral is, to a system, as if it did not exist)."""
    teams = ApiClient.teams.through.objects.filter(apiclient_id=client.pk).values("team_id")
    return Case.objects.filter(team_id__in=teams, restricted_at=None)


def _with_last_import(cases: QuerySet[Case], client: ApiClient) -> QuerySet[Case]:
    """With the id of the case's latest import (by any client): an import is in the
    history, so it is in the ETag; and the external reference the client's own system
    gave it for the team it is in now (`imported_as`, None: not imported by it for this
    team). Subqueries: no query a row."""
    latest = ApiImport.objects.filter(case_id=OuterRef("pk")).order_by("-id").values("id")[:1]
    mine = ApiImport.objects.filter(
        case_id=OuterRef("pk"), client_id=client.pk, team_id=OuterRef("team_id")
    ).values("external_reference")[:1]
    return cases.annotate(last_import=Subquery(latest), imported_as=Subquery(mine))


def _cursor(updated_at: datetime.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        when = datetime.datetime.fromisoformat(at)
        # A forged one: an id no row can have (beyond 64 bits the database errs), or a
        # time without a zone, or outside the calendar in UTC, the zone it is asked in
        # (PostgreSQL refuses an offset beyond ±15:59, which fromisoformat takes).
        if when.tzinfo is None or type(pk) is not int or not 0 <= pk < 2**63:
            raise BadCursor
        return when.astimezone(datetime.UTC), pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise BadCursor from None


def page(
    client: ApiClient,
    *,
    updated_since: datetime.datetime | None = None,
    stage: str | None = None,
    imported: bool | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """One page of the client's referrals (their summaries, as list items), least recently
    updated first; the cursor to ask from next; and whether more are waiting now. The
    cursor is the (updated time, id) of the page's last row (the one given, on an empty
    page), so referrals that arrive or change meanwhile come after it: none is skipped,
    and a changed one is listed again. A system keeps the last cursor and polls with it."""
    cases = cases_for(client)
    if updated_since is not None:
        cases = cases.filter(updated_at__gt=updated_since)
    if stage:
        cases = cases.filter(stage=stage)
    if cursor:
        at, pk = decode_cursor(cursor)
        cases = cases.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))
    if imported is not None:
        mine = ApiImport.objects.filter(
            case_id=OuterRef("pk"), client_id=client.pk, team_id=OuterRef("team_id")
        )
        cases = cases.filter(Exists(mine) if imported else ~Exists(mine))
    # Rows as values, not model instances: a page is 100 cases, and building three models
    # a row (case, submission, form version) was a fifth of its time.
    rows = list(
        _with_last_import(cases, client).order_by("updated_at", "pk").values(*ROW)[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    items = [_summary(row) for row in rows[:PAGE_SIZE]]
    last = rows[min(len(rows), PAGE_SIZE) - 1] if rows else None
    return items, _cursor(last["updated_at"], last["pk"]) if last else cursor, more


# What a list item is made of, by the names _summary() reads (the case's own columns, its
# submission's and its team's, and _with_last_import's two).
ROW = (
    "pk",
    "stage",
    "outcome",
    "version",
    "received_at",
    "updated_at",
    "team__slug",
    "submission__reference",
    "submission__form_version__slug",
    "submission__form_version__version",
    "last_import",
    "imported_as",
)


def etag(case: Case) -> str:
    """A strong validator of what the API says about the referral: every change to the
    case raises its version and its updated time (a transfer, a decision, an answer or
    information with documents from the referrer, a note), so either changes it; so do
    a new import (in the history) and REPRESENTATION. The same in the list's items and
    the detail's ETag header."""
    if hasattr(case, "last_import"):
        last_import = case.last_import
    else:  # a case not read by page() or case_of() (a drop's)
        latest = ApiImport.objects.filter(case_id=case.pk).order_by("-id").first()
        last_import = latest.pk if latest is not None else None
    return _etag(case.pk, case.version, case.updated_at, last_import)


def _etag(pk: int, version: int, updated_at: datetime.datetime, last_import: int | None) -> str:
    raw = f"{REPRESENTATION}:{pk}:{version}:{updated_at.isoformat()}:{last_import or ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def outcome(team_slug: str, slug: str) -> dict[str, Any] | None:
    """An outcome as the API gives it: slug, name, and its national codes by vocabulary
    (workflows.yaml `codes`; null where none is published). Looked up in the team's
    workflow, else in any (a case decided, then its workflows file changed)."""
    if not slug:
        return None
    found = _outcome_in(workflow_for(team_slug), slug)
    if found is None:
        every = workflows()
        for workflow in (*every.teams.values(), every.default):
            found = _outcome_in(workflow, slug)
            if found is not None:
                break
    if found is None:
        return {"slug": slug, "name": slug, "national_code": None}
    codes = {code.scheme: code.value for code in found.codes}
    return {"slug": found.slug, "name": found.name, "national_code": codes or None}


def _outcome_in(workflow: Workflow, slug: str) -> Outcome | None:
    return next((o for o in workflow.outcomes if o.slug == slug), None)


def summary(case: Case) -> dict[str, Any]:
    """A referral as a list item: of a case read with its submission, form version and
    team (the list reads rows as values: page())."""
    submission = case.submission
    row = {
        "pk": case.pk,
        "stage": case.stage,
        "outcome": case.outcome,
        "version": case.version,
        "received_at": case.received_at,
        "updated_at": case.updated_at,
        "team__slug": case.team.slug,
        "submission__reference": submission.reference,
        "submission__form_version__slug": submission.form_version.slug,
        "submission__form_version__version": submission.form_version.version,
        "etag": etag(case),
    }
    if hasattr(case, "imported_as"):  # for the API client reading (page(), case_of())
        row["imported_as"] = case.imported_as
    return _summary(row)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    team = row["team__slug"]
    found = {
        "reference": row["submission__reference"],
        "form": {
            "slug": row["submission__form_version__slug"],
            "version": row["submission__form_version__version"],
        },
        "team": team,
        "received": row["received_at"],
        "stage": row["stage"],
        "outcome": outcome(team, row["outcome"]),
        "updated": row["updated_at"],
        "etag": row.get("etag")
        or _etag(row["pk"], row["version"], row["updated_at"], row["last_import"]),
    }
    if "imported_as" in row:  # not in a drop's JSON: a drop is not an API client
        found["imported"] = row["imported_as"] is not None
        found["external_reference"] = row["imported_as"]
    return found


def case_of(client: ApiClient, reference: str) -> Case | None:
    """The client's referral with its submission, and its imports (by every client: the
    history lists them, the ETag counts the latest), read in a second, plain query: as
    two subqueries of the first, Django took longer to build and compile the query than
    the database to answer it (a third of a 304's CPU)."""
    case = (
        cases_for(client)
        .select_related("submission__form_version", "submission__owner", "team")
        .filter(submission__reference=reference)
        .first()
    )
    if case is None:
        return None
    imports = list(
        ApiImport.objects.filter(case_id=case.pk)
        .select_related("team")
        .only("id", "client_id", "team_id", "external_reference", "imported_at", "team__slug")
    )
    case.imports = imports  # type: ignore[attr-defined]
    # As _with_last_import() annotates a page's rows.
    case.last_import = max((made.pk for made in imports), default=None)  # type: ignore[attr-defined]
    case.imported_as = next(  # type: ignore[attr-defined]
        (
            made.external_reference
            for made in imports
            if made.client_id == client.pk and made.team_id == case.team_id
        ),
        None,
    )
    return case


def tombstone_of(client: ApiClient, reference: str) -> dict[str, Any] | None:
    """What is left of a referral retention removed from one of the client's teams (not
    one that was restricted: to a system that never existed), as the API gives it."""
    teams = ApiClient.teams.through.objects.filter(apiclient_id=client.pk).values("team_id")
    found = (
        Tombstone.objects.filter(reference=reference, team_id__in=teams, restricted=False)
        .select_related("team")
        .first()
    )
    if found is None:
        return None

    def at(when: datetime.datetime | None) -> str | None:
        return when.isoformat() if when is not None else None

    return {
        "reference": found.reference,
        "form": {"slug": found.form_slug, "version": found.form_version},
        "team": found.team.slug,
        "received": at(found.received_at),
        "decided": at(found.decided_at),
        "closed": at(found.closed_at),
        "outcome": (
            {
                "slug": found.outcome,
                "name": found.outcome_name,
                "national_code": found.national_code,
            }
            if found.outcome
            else None
        ),
        "imported": found.imported,
        "removed": at(found.deleted_at),
    }


def _anonymous(submission: Submission) -> bool:
    """Sent without an account, or "without your name and contact details" (feedback):
    nobody is named as its referrer (as on the staff page)."""
    return submission.owner_id is None or any(
        isinstance(answers, dict) and answers.get("anonymous") == "yes"
        for answers in submission.answers.values()
    )


def referrer(definition: Definition, submission: Submission) -> dict[str, str] | None:
    """Who sent it: as the form gave their details (the questions filled in from the
    account may be changed for one form), else as the account has them."""
    owner = submission.owner
    if owner is None or _anonymous(submission):
        return None
    found = {name: str(getattr(owner, name, "") or "") for name in REFERRER_FIELDS}
    for section in definition.sections:
        typed = submission.typed.get(section.slug)
        if section.person or not isinstance(typed, dict):
            continue
        for question in section.questions:
            value = typed.get(question.id)
            if question.prefill in REFERRER_FIELDS and isinstance(value, str) and value:
                found[question.prefill] = value
    return {
        "name": f"{found['first_name']} {found['last_name']}".strip(),
        "organisation": found["organisation"],
        "role": found["job_title"],
        "email": found["email"],
        "telephone": found["telephone"],
    }


def _answers(definition: Definition, typed: dict[str, Any]) -> dict[str, Any]:
    """Every typed answer, by section and question id, with the question's text."""

    def item(section_questions: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
        return {
            key: {"question": section_questions.get(key.split("__")[0], ""), "value": value}
            for key, value in values.items()
        }

    found: dict[str, Any] = {}
    for section in definition.sections:
        values = typed.get(section.slug)
        questions = {q.id: q.label for q in section.questions}
        if isinstance(values, list):
            found[section.slug] = [item(questions, v) for v in values if isinstance(v, dict)]
        elif isinstance(values, dict):
            found[section.slug] = item(questions, values)
    return found


def documents_of(case: Case) -> QuerySet[Document]:
    """The referral's documents: those sent with it, then those the referrer sent later
    with an answer or added information (once sent: a draft answer's are not the
    council's yet). Every stored document passed the checks (documents/services.py):
    one refused is never stored."""
    later = EnquiryDocument.objects.filter(
        enquiry__case_id=case.pk, enquiry__answered_at__isnull=False
    ).values("document_id")
    return Document.objects.filter(Q(submission_id=case.pk) | Q(pk__in=later)).order_by(
        "uploaded_at", "id"
    )


def document_of(case: Case, document_id: Any) -> Document | None:
    return documents_of(case).filter(pk=document_id).first()


def digest_header(sha256_hex: str) -> str:
    """`Repr-Digest` (RFC 9530): the SHA-256 of the bytes sent, base64 in colons."""
    return "sha-256=:" + base64.b64encode(bytes.fromhex(sha256_hex)).decode() + ":"


def _documents(case: Case, link: Callable[[Document], str]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(document.pk),
            "name": document.name,
            "type": document.mime_type,
            "size": document.size,
            "sha256": document.sha256,
            "scanned": document.scanned,
            "sent_with": "referral" if document.submission_id else "information",
            "added": document.uploaded_at,
            "download": link(document),
        }
        for document in documents_of(case).only(
            "id", "name", "kind", "size", "sha256", "scanned", "submission_id", "uploaded_at"
        )
    ]


def _stage_after(event: CaseEvent, team_slug: str) -> str:
    """The stage the case was at once the event had happened."""
    action = event.action
    if action == CaseEvent.Action.STAGE:
        return str(event.detail.get("stage", ""))
    if action == CaseEvent.Action.TRANSFERRED:
        return workflow_for(str(event.detail.get("to", ""))).first_stage.slug
    workflow = workflow_for(team_slug)
    if action == CaseEvent.Action.DECIDED:
        chosen = _outcome_in(workflow, str(event.detail.get("outcome", "")))
        if chosen is not None:
            return workflow.closed_stage.slug if chosen.closes else chosen.moves_to
        return ""
    return workflow.first_stage.slug


def history(case: Case) -> list[dict[str, Any]]:
    """What happened to the referral's status, oldest first: received, moved to a stage,
    decided, transferred (from and to which team), imported by a team's system. Only
    team slugs, stage and outcome slugs and times: never who, never a reason or a note."""
    events = (
        CaseEvent.objects.filter(case_id=case.pk, action__in=list(HISTORY))
        .select_related("team")
        .only("at", "action", "detail", "team__slug")
    )
    found: list[dict[str, Any]] = []
    for event in events:
        team = event.team.slug
        decided = event.action == CaseEvent.Action.DECIDED
        moved = event.action == CaseEvent.Action.TRANSFERRED
        found.append(
            {
                "at": event.at,
                "action": HISTORY[CaseEvent.Action(event.action)],
                "team": team,
                "to_team": str(event.detail.get("to", "")) if moved else None,
                "stage": _stage_after(event, team) or None,
                "outcome": outcome(team, str(event.detail.get("outcome", ""))) if decided else None,
            }
        )
    imports = getattr(case, "imports", None)  # read with the case by case_of()
    if imports is None:
        imports = ApiImport.objects.filter(case_id=case.pk).select_related("team")
        imports = imports.only("imported_at", "team__slug")
    for made in imports:
        found.append(
            {
                "at": made.imported_at,
                "action": "imported",
                "team": made.team.slug,
                "to_team": None,
                "stage": None,
                "outcome": None,
            }
        )
    found.sort(key=lambda item: item["at"])
    return found


def detail(case: Case, link: Callable[[Document], str] | None = None) -> dict[str, Any]:
    """Everything the API says about one referral; `link(document)` is the absolute
    address of a document's download. Without `link`, no `documents`: the caller lists
    them its own way (a drop, with the paths it wrote them to)."""
    submission = case.submission
    definition = definition_of(submission.form_version)
    people = [
        {
            "role": person.role,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "also_known_as": person.also_known_as,
            "date_of_birth": person.date_of_birth,
            "due_date": person.due_date,
            "nhs_number": person.nhs_number,
            "postcode": person.postcode,
            "uprn": person.uprn,
        }
        for person in submission.people.all()
    ]
    return {
        **summary(case),
        "urgent": case.urgent,
        "urgency_flags": list(case.flags),
        "referrer": referrer(definition, submission),
        "people": people,
        "answers": _answers(definition, submission.typed),
        **({"documents": _documents(case, link)} if link is not None else {}),
        "history": history(case),
    }
