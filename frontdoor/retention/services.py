"""Retention: the council's copy of a referral is removed once its own system has it and
the back office has closed it, leaving a tombstone (referrals.Tombstone); the audit log is
kept for its own period. One job, `apply_retention`, run daily (core/periodic.py) or by
`manage.py apply_retention`.

When a referral is due (never while its case is open):
- its case's team has a live API client: RETENTION_DAYS_AFTER_IMPORT after the later of
  its closure and the latest import (ApiImport) for that team; never if that team's system
  has not imported it (a drop delivery is not an import);
- its team has no live API client: RETENTION_DAYS_AFTER_CLOSURE after its closure.

The job selects everything due as of now, so it is idempotent and catches up after missed
runs; it works in batches of BATCH referrals, each in its own transaction, so a backlog
never holds a long lock. The stored files (documents, the PDF copy) are deleted by their
rows' post_delete receivers once the transaction has committed (documents/signals.py,
referrals/pdf.py): a crash can leave a file that no row names (logged with its generated
name), never a row naming a file that is gone.
"""

import datetime
import logging
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from frontdoor.api.models import ApiClient, ApiImport, WebhookDelivery
from frontdoor.api.reading import outcome
from frontdoor.audit.models import AuditEvent
from frontdoor.audit.services import prune, record
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.enquiries.models import Enquiry, EnquiryDocument
from frontdoor.referrals.models import PdfCopy, Person, Submission, Tombstone, TombstoneKey
from frontdoor.referrals.people import CHILDREN
from frontdoor.referrals.tombstones import REPEATS_WINDOW, keep_keys

logger = logging.getLogger(__name__)

BATCH = 50
JOB = "apply-retention"  # its name in core/periodic.py, and the actor the audit log shows


def _teams_with_a_live_client() -> QuerySet[Any]:
    return ApiClient.teams.through.objects.filter(apiclient__revoked_at=None).values("team_id")


def due(now: datetime.datetime) -> QuerySet[Case]:
    """The cases due for removal at `now`, each with `last_import`: the time of the latest
    import for the team it is in now (None if never)."""
    after_import = now - datetime.timedelta(days=settings.RETENTION_DAYS_AFTER_IMPORT)
    after_closure = now - datetime.timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE)
    latest = (
        ApiImport.objects.filter(case_id=OuterRef("pk"), team_id=OuterRef("team_id"))
        .order_by("-imported_at")
        .values("imported_at")[:1]
    )
    with_api = _teams_with_a_live_client()
    return (
        Case.objects.filter(closed_at__isnull=False)
        .annotate(last_import=Subquery(latest))
        .filter(
            Q(team_id__in=with_api, closed_at__lte=after_import, last_import__lte=after_import)
            | (~Q(team_id__in=with_api) & Q(closed_at__lte=after_closure))
        )
    )


def apply_retention(now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove every referral due at `now` (default: now), expire tombstones' keys past the
    repeats window, and delete audit events past AUDIT_RETENTION_DAYS. Returns the counts
    (with `dry_run`, of what would go; nothing is changed)."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    last = 0
    while True:
        pending = due(now).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
        batch = list(pending[:BATCH])  # LIMIT in the query: a backlog is not read each round
        if not batch:
            break
        last = batch[-1]
        if dry_run:
            counts.update(_contents(batch))
            continue
        with transaction.atomic():
            counts.update(_remove(batch, now))

    expired = TombstoneKey.objects.filter(tombstone__deleted_at__lt=now - REPEATS_WINDOW)
    audit_before = now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    if dry_run:
        counts["tombstone_keys"] += expired.count()
        counts["audit_events"] += AuditEvent.objects.filter(at__lt=audit_before).count()
    else:
        counts["tombstone_keys"] += expired.delete()[0]
        counts["audit_events"] += prune(audit_before)

    result = {key: counts[key] for key in COUNTED}
    # Counts only: never a reference or anything else about a referral in a log line.
    told = ", ".join(f"{key} {value}" for key, value in result.items())
    logger.info("Retention%s: %s", " (dry run, nothing removed)" if dry_run else "", told)
    if not dry_run:
        record("retention.applied", counts=result, job=JOB)
    return result


COUNTED = (
    "referrals",
    "documents",
    "pdf_copies",
    "people",
    "enquiries",
    "tombstone_keys",
    "audit_events",
)


def _documents(pks: list[int]) -> QuerySet[Document]:
    later = EnquiryDocument.objects.filter(enquiry__case_id__in=pks).values("document_id")
    return Document.objects.filter(Q(submission_id__in=pks) | Q(pk__in=later))


def _contents(pks: list[int]) -> Counter[str]:
    return Counter(
        referrals=len(pks),
        documents=_documents(pks).count(),
        pdf_copies=PdfCopy.objects.filter(submission_id__in=pks).exclude(stored_as="").count(),
        people=Person.objects.filter(submission_id__in=pks).count(),
        enquiries=Enquiry.objects.filter(case_id__in=pks).count(),
    )


def _remove(pks: list[int], now: datetime.datetime) -> Counter[str]:
    """Remove these cases (still due: checked again under their locks), in the caller's
    transaction, leaving their tombstones."""
    cases = list(
        due(now)
        .filter(pk__in=pks)
        .select_for_update(of=("self",))
        .select_related("submission__form_version", "team")
        .order_by("pk")
    )
    pks = [case.pk for case in cases]
    if not pks:
        return Counter()
    counts = _contents(pks)
    children: dict[int, list[Person]] = {pk: [] for pk in pks}
    for person in Person.objects.filter(submission_id__in=pks, role__in=CHILDREN):
        children[person.submission_id].append(person)

    made: dict[int, Tombstone] = {}
    for case in cases:
        made[case.pk] = tombstone = _tombstone(case, now)
        keep_keys(tombstone, children[case.pk])

    # Live cases linked to a removed one as a repeat are linked to its tombstone instead.
    links = Case.repeats.through.objects.filter(to_case_id__in=pks).exclude(from_case_id__in=pks)
    Case.removed_repeats.through.objects.bulk_create(
        [
            Case.removed_repeats.through(case_id=from_id, tombstone_id=made[to_id].pk)
            for from_id, to_id in links.values_list("from_case_id", "to_case_id")
        ],
        ignore_conflicts=True,
    )

    references = [case.submission.reference for case in cases]
    # The documents sent with it first (they PROTECT their submission); those sent with
    # answers go with their enquiries (enquiries/signals.py). Files go after the commit.
    Document.objects.filter(submission_id__in=pks).delete()
    WebhookDelivery.objects.filter(reference__in=references).delete()
    # The case takes its events, notes, partner checks, enquiries, imports and drop
    # deliveries; the submission its answers, status changes, people and PDF copy.
    Case.objects.filter(pk__in=pks).delete()
    Submission.objects.filter(pk__in=pks).delete()
    for reference in references:
        record("retention.referral_removed", reference=reference, job=JOB)
    return counts


def _tombstone(case: Case, now: datetime.datetime) -> Tombstone:
    submission = case.submission
    decided = outcome(case.team.slug, case.outcome)
    last_import: datetime.datetime | None = getattr(case, "last_import", None)
    assert case.closed_at is not None
    return Tombstone.objects.create(
        reference=submission.reference,
        form_slug=submission.form_version.slug,
        form_version=submission.form_version.version,
        team=case.team,
        received_at=case.received_at,
        decided_at=case.decided_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        outcome_name=decided["name"] if decided else "",
        national_code=decided["national_code"] if decided else None,
        imported=last_import is not None,
        imported_at=last_import,
        restricted=case.restricted_at is not None,
        deleted_at=now,
    )
