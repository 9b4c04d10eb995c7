"""Retention, by time travel (`now` passed to apply_retention; what happened before it at
set times through time-machine): removed exactly the configured number of days after the
later of import and closure, or after closure for a team without an API, and not a day
before; never open, never not imported; everything of it gone, its files too, leaving a
tombstone; idempotent; the audit log past its own period."""

import datetime
import logging
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from frontdoor.api import drops
from frontdoor.api.models import ApiImport, Drop, DropDelivery, WebhookDelivery
from frontdoor.audit.models import AuditEvent
from frontdoor.audit.services import prune, record
from frontdoor.cases import services
from frontdoor.cases.models import Case, CaseEvent, Note
from frontdoor.core.periodic import JOBS
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.enquiries import services as enquiries
from frontdoor.enquiries.models import Enquiry
from frontdoor.referrals.models import (
    PdfCopy,
    Person,
    StatusChange,
    Submission,
    Tombstone,
    TombstoneKey,
)
from frontdoor.retention import services as retention
from frontdoor.retention.services import apply_retention
from frontdoor.retention.tests.conftest import DAY, SENT, close_at, import_at, send_at

pytestmark = pytest.mark.django_db

CLOSED = SENT + 2 * DAY
IMPORTED = SENT + 5 * DAY
NOTHING = {
    "referrals": 0,
    "documents": 0,
    "pdf_copies": 0,
    "people": 0,
    "enquiries": 0,
    "tombstone_keys": 0,
    "audit_events": 0,
}


def exists(reference: str) -> bool:
    return Submission.objects.filter(reference=reference).exists()


# --- When -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed", "imported"),
    [(CLOSED, IMPORTED), (IMPORTED, CLOSED)],
    ids=["imported-after-closure", "closed-after-import"],
)
def test_removed_exactly_the_configured_days_after_the_later_of_import_and_closure(
    professional, manager, social_care_system, settings, closed, imported
):
    settings.RETENTION_DAYS_AFTER_IMPORT = 30
    sent = send_at(professional, SENT)
    if imported < closed:
        import_at(Case.objects.get(pk=sent.pk), social_care_system, imported)
        close_at(sent, manager, closed)
    else:
        close_at(sent, manager, closed)
        import_at(Case.objects.get(pk=sent.pk), social_care_system, imported)
    later = max(closed, imported)

    assert apply_retention(now=later + 30 * DAY - datetime.timedelta(seconds=1))["referrals"] == 0
    assert apply_retention(now=later + 29 * DAY)["referrals"] == 0
    assert exists(sent.reference)

    assert apply_retention(now=later + 30 * DAY)["referrals"] == 1
    assert not exists(sent.reference)


def test_a_team_without_an_api_client_keeps_it_the_closure_period(professional, manager, settings):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 365
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)

    assert apply_retention(now=CLOSED + 364 * DAY)["referrals"] == 0
    assert apply_retention(now=CLOSED + 365 * DAY - datetime.timedelta(seconds=1))["referrals"] == 0
    assert exists(sent.reference)
    assert apply_retention(now=CLOSED + 365 * DAY)["referrals"] == 1
    assert not exists(sent.reference)


def test_a_revoked_api_client_leaves_its_team_without_one(
    professional, manager, social_care_system, settings
):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 365
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    assert apply_retention(now=CLOSED + 400 * DAY)["referrals"] == 0  # live: never imported

    social_care_system.client_row.revoked_at = CLOSED
    social_care_system.client_row.save()
    assert apply_retention(now=CLOSED + 364 * DAY)["referrals"] == 0
    assert apply_retention(now=CLOSED + 365 * DAY)["referrals"] == 1


def test_an_open_case_is_never_removed(professional, manager, social_care_system):
    with_api = send_at(professional, SENT)
    import_at(Case.objects.get(pk=with_api.pk), social_care_system, IMPORTED)

    assert apply_retention(now=SENT + 20 * 365 * DAY)["referrals"] == 0
    assert exists(with_api.reference)


def test_an_open_case_of_a_team_without_an_api_is_never_removed(professional):
    sent = send_at(professional, SENT)
    assert apply_retention(now=SENT + 20 * 365 * DAY)["referrals"] == 0
    assert exists(sent.reference)


def test_closed_but_not_imported_by_its_teams_system_is_never_removed(
    professional, manager, social_care_system, lado_system, teams
):
    sent = send_at(professional, SENT)
    case = close_at(sent, manager, CLOSED)
    # Imported only for another team (as if by the system of a team it was in before).
    ApiImport.objects.create(
        client=lado_system.client_row,
        case=case,
        team=teams["lado"],
        external_reference="LADO-1",
        imported_at=IMPORTED,
    )
    assert apply_retention(now=CLOSED + 20 * 365 * DAY)["referrals"] == 0
    assert exists(sent.reference)


def test_delivered_to_a_drop_but_not_imported_is_never_removed(
    professional, manager, social_care_system, teams, tmp_path: Path, run_pdf_tasks
):
    drop = Drop.objects.create(name="Mosaic", destination=str(tmp_path), since=SENT - DAY)
    drop.teams.add(teams["social-care"])
    sent = send_at(professional, SENT)
    run_pdf_tasks()  # a drop delivers a referral with its PDF copy
    close_at(sent, manager, CLOSED)
    drops.run_all()
    assert DropDelivery.objects.filter(case_id=sent.pk).exists()

    assert apply_retention(now=CLOSED + 20 * 365 * DAY)["referrals"] == 0
    assert exists(sent.reference)


# --- What -------------------------------------------------------------------------------


def test_everything_of_the_referral_goes_and_a_tombstone_stays(
    professional,
    manager,
    social_care_system,
    run_pdf_tasks,
    loopback_allowed,
    django_capture_on_commit_callbacks,
    teams,
    tmp_path: Path,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontdoor.api import webhooks
    from frontdoor.api.models import WebhookEndpoint
    from frontdoor.cases import partner_checks
    from frontdoor.cases.models import Chase, PartnerCheck
    from frontdoor.documents.tests import files
    from frontdoor.enquiries.models import EnquiryDocument

    webhooks.register(social_care_system.client_row, "http://127.0.0.1:9/hook", webhooks.EVENTS)
    assert WebhookEndpoint.objects.exists()
    drop = Drop.objects.create(name="Mosaic", destination=str(tmp_path), since=SENT - DAY)
    drop.teams.add(teams["social-care"])
    sent = send_at(
        professional,
        SENT,
        ("chronology.pdf", files.pdf("A chronology", pages=1)),
        ("photo.png", files.image("PNG")),
    )
    run_pdf_tasks()
    case = Case.objects.get(pk=sent.pk)
    services.add_note(case, "The uncle is known to police", manager)
    with time_machine.travel(SENT + DAY, tick=False):
        question = enquiries.ask_referrer(
            Case.objects.get(pk=sent.pk), "Is the child at school?", manager
        )
    assert question is not None
    with time_machine.travel(SENT + DAY + datetime.timedelta(hours=1), tick=False):
        later = files.pdf("A safety plan", pages=1)
        attached = enquiries.attach(question, professional, SimpleUploadedFile("plan.pdf", later))
        assert isinstance(attached, Document)
        enquiries.send_answer(question, "Here it is.", professional)
        check = partner_checks.ask_partner(
            Case.objects.get(pk=sent.pk), "police", "PPU duty desk", manager
        )
        partner_checks.chase(check, manager)
    drops.run_all()
    assert DropDelivery.objects.filter(case_id=sent.pk).exists()
    close_at(sent, manager, CLOSED)
    import_at(case, social_care_system, IMPORTED)
    other = send_at(professional, SENT, child={**_child("Ben", "Other")})

    stored = [d.stored_as for d in Document.objects.filter(submission=sent)]
    stored.append(attached.stored_as)  # with the answer to the team's question
    copy = PdfCopy.objects.get(submission=sent)
    assert len(stored) == 3
    assert copy.ready
    storage = documents_storage()
    assert all(storage.exists(name) for name in [*stored, copy.stored_as])
    people = Person.objects.filter(submission=sent).count()
    assert people >= 1
    assert WebhookDelivery.objects.filter(reference=sent.reference).exists()

    with (
        time_machine.travel(IMPORTED + 30 * DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True) as after_commit,
    ):
        counts = apply_retention()
        # The files are not deleted until the rows' deletion has committed.
        assert all(storage.exists(name) for name in [*stored, copy.stored_as])
    assert len(after_commit) == 4

    assert counts["referrals"] == 1
    assert counts["documents"] == 3
    assert counts["pdf_copies"] == 1
    assert counts["enquiries"] == 1
    assert counts["people"] == people
    for model in (Submission, Case, StatusChange, Person, PdfCopy, Document, Enquiry, Note):
        field = "pk" if model in (Submission, Case) else _key(model)
        assert not model.objects.filter(**{field: sent.pk}).exists(), model
    assert not CaseEvent.objects.filter(case_id=sent.pk).exists()
    assert not ApiImport.objects.filter(case_id=sent.pk).exists()
    assert not DropDelivery.objects.filter(case_id=sent.pk).exists()
    assert not PartnerCheck.objects.filter(case_id=sent.pk).exists()
    assert not Chase.objects.exists()
    assert not EnquiryDocument.objects.exists()
    assert not Document.objects.filter(pk=attached.pk).exists()
    assert not WebhookDelivery.objects.filter(reference=sent.reference).exists()
    # Its files: gone from storage (after the commit).
    assert not any(storage.exists(name) for name in [*stored, copy.stored_as])
    # The other referral, not due, is untouched.
    assert exists(other.reference)
    assert Document.objects.filter(submission=other).count() == 0

    tombstone = Tombstone.objects.get(reference=sent.reference)
    assert (tombstone.form_slug, tombstone.form_version) == (
        sent.form_version.slug,
        sent.form_version.version,
    )
    assert tombstone.team.slug == "social-care"
    assert tombstone.received_at == SENT
    assert tombstone.decided_at == tombstone.closed_at == CLOSED
    assert tombstone.outcome == "no-further-action"
    assert tombstone.outcome_name
    assert tombstone.imported
    assert tombstone.imported_at == IMPORTED
    assert tombstone.deleted_at == IMPORTED + 30 * DAY
    assert not tombstone.restricted
    assert TombstoneKey.objects.filter(tombstone=tombstone).exists()
    # Nothing in it in clear: no name, no date of birth.
    kept = str(list(Tombstone.objects.filter(pk=tombstone.pk).values()))
    digests = TombstoneKey.objects.filter(tombstone=tombstone).values_list("digest", flat=True)
    assert all(len(digest) == 64 and int(digest, 16) >= 0 for digest in digests)  # hex only
    assert "Ava" not in kept
    assert "Example" not in kept
    assert "2016" not in kept


def _child(first: str, last: str) -> dict[str, Any]:
    from tests.sending import CHILD

    return {**CHILD, "first_name": first, "last_name": last}


def _key(model: Any) -> str:
    return "case_id" if model in (Enquiry, Note) else "submission_id"


def test_files_in_s3_are_gone_from_the_bucket(
    professional,
    manager,
    social_care_system,
    bucket,
    run_pdf_tasks,
    django_capture_on_commit_callbacks,
):
    from frontdoor.documents.tests import files

    sent = send_at(professional, SENT, ("chronology.pdf", files.pdf("A chronology", pages=1)))
    run_pdf_tasks()
    kept = send_at(professional, SENT, ("photo.png", files.image("PNG")))
    close_at(sent, manager, CLOSED)
    import_at(Case.objects.get(pk=sent.pk), social_care_system, IMPORTED)
    before = set(bucket.keys())
    gone = {
        f"documents/{name}"
        for name in [
            *Document.objects.filter(submission=sent).values_list("stored_as", flat=True),
            PdfCopy.objects.get(submission=sent).stored_as,
        ]
    }
    assert len(gone) == 2
    assert gone <= before

    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention(now=IMPORTED + 30 * DAY)["referrals"] == 1

    # Asked of S3 itself (boto3), not of the storage.
    after = set(bucket.keys())
    assert not gone & after
    assert before - gone == after
    assert Document.objects.filter(submission=kept).count() == 1


def test_running_again_removes_nothing_more_and_catches_up_after_missed_runs(
    professional, manager, settings
):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 365
    first = send_at(professional, SENT)
    close_at(first, manager, CLOSED)
    second = send_at(professional, SENT + 10 * DAY)
    close_at(second, manager, CLOSED + 10 * DAY)

    # No run for two years: one run catches up with both.
    counts = apply_retention(now=CLOSED + 2 * 365 * DAY)
    assert counts["referrals"] == 2
    again = apply_retention(now=CLOSED + 2 * 365 * DAY)
    assert again == NOTHING
    assert Tombstone.objects.count() == 2


def test_a_backlog_is_removed_in_batches_each_in_its_own_transaction(
    professional, manager, settings, monkeypatch
):
    monkeypatch.setattr(retention, "BATCH", 2)
    sent = [send_at(professional, SENT + n * DAY) for n in range(5)]
    for one in sent:
        close_at(one, manager, CLOSED + 5 * DAY)

    assert apply_retention(now=CLOSED + 5 * DAY + 365 * DAY)["referrals"] == 5
    assert not Submission.objects.exists()


def test_a_dry_run_counts_and_changes_nothing(professional, manager):
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)

    counts = apply_retention(now=CLOSED + 365 * DAY, dry_run=True)
    assert counts["referrals"] == 1
    assert counts["people"] >= 1
    assert exists(sent.reference)
    assert not Tombstone.objects.exists()
    assert not AuditEvent.objects.filter(action="retention.applied").exists()


def test_the_command_prints_the_counts(professional, manager):
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    out = StringIO()
    with time_machine.travel(CLOSED + 365 * DAY, tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
        assert "Would remove referrals: 1" in out.getvalue()
        assert exists(sent.reference)
        out = StringIO()
        call_command("apply_retention", stdout=out)
    assert "Removed referrals: 1" in out.getvalue()
    assert "Removed audit events: 0" in out.getvalue()
    assert not exists(sent.reference)


def test_the_job_runs_daily_from_the_task_worker():
    path, minutes = JOBS["apply-retention"]
    assert path == "frontdoor.retention.services.apply_retention"
    assert minutes == 24 * 60


def test_counts_are_audited_and_logged_without_references(professional, manager, caplog):
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    with caplog.at_level(logging.INFO, logger="frontdoor.retention.services"):
        counts = apply_retention(now=CLOSED + 365 * DAY)

    applied = AuditEvent.objects.get(action="retention.applied")
    assert applied.detail == {"counts": counts, "job": "apply-retention"}
    removed = AuditEvent.objects.get(action="retention.referral_removed")
    assert removed.reference == sent.reference
    assert "referrals 1" in caplog.text
    assert sent.reference not in caplog.text


# --- Repeats ----------------------------------------------------------------------------


def test_a_re_referral_of_the_same_child_after_removal_is_linked_to_the_tombstone(
    professional, second_professional, manager
):
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    apply_retention(now=CLOSED + 365 * DAY)
    tombstone = Tombstone.objects.get(reference=sent.reference)

    # The same child (Ava Example, 27 March 2016), spelt differently, within 12 months.
    again = send_at(second_professional, SENT + 364 * DAY + 3 * DAY, child=_child("AVA", "example"))
    other = send_at(second_professional, SENT + 367 * DAY, child=_child("Ben", "Example"))
    assert list(Case.objects.get(pk=again.pk).removed_repeats.all()) == [tombstone]
    assert not Case.objects.get(pk=other.pk).removed_repeats.exists()


def test_a_re_referral_more_than_12_months_after_the_removal_is_not_linked(
    professional, second_professional, manager, settings
):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 30
    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    removed = CLOSED + 30 * DAY
    apply_retention(now=removed)
    assert TombstoneKey.objects.exists()

    late = send_at(second_professional, removed + 366 * DAY)
    assert not Case.objects.get(pk=late.pk).removed_repeats.exists()
    # Within the window the keys stay; past it they are deleted (no purpose then).
    assert apply_retention(now=removed + 365 * DAY)["tombstone_keys"] == 0
    counts = apply_retention(now=removed + 365 * DAY + DAY)
    assert counts["tombstone_keys"] >= 1
    assert not TombstoneKey.objects.exists()
    assert Tombstone.objects.filter(reference=sent.reference).exists()


def test_a_live_repeat_of_a_removed_referral_is_linked_to_its_tombstone(
    professional, second_professional, manager
):
    sent = send_at(professional, SENT)
    again = send_at(second_professional, SENT + 100 * DAY)
    assert list(Case.objects.get(pk=again.pk).repeats.all()) == [Case.objects.get(pk=sent.pk)]
    close_at(sent, manager, CLOSED)

    apply_retention(now=CLOSED + 365 * DAY)

    case = Case.objects.get(pk=again.pk)
    assert not case.repeats.exists()
    assert [t.reference for t in case.removed_repeats.all()] == [sent.reference]


# --- The audit log ------------------------------------------------------------------------


def test_audit_events_past_their_period_are_deleted_and_newer_kept(professional, settings):
    settings.AUDIT_RETENTION_DAYS = 2557
    start = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        old = record("account.signed_in", actor=professional)
    with time_machine.travel(start + 2 * DAY, tick=False):
        newer = record("account.signed_in", actor=professional)

    assert apply_retention(now=start + 2557 * DAY)["audit_events"] == 0
    counts = apply_retention(now=start + 2557 * DAY + DAY)
    assert counts["audit_events"] == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=newer.pk).exists()


def _execute(*statements: tuple[str, list[Any]]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(*statement)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_every_other_delete_of_the_audit_log_is_still_refused(professional):
    start = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        old = record("account.signed_in", actor=professional)
    new = record("account.signed_in", actor=professional)
    delete_new = ("DELETE FROM audit_auditevent WHERE id = %s", [new.pk])

    with pytest.raises(DatabaseError, match="append-only"):
        _execute(("DELETE FROM audit_auditevent WHERE id = %s", [old.pk]))
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [old.pk]))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()
    # Even with the setting made by hand, a row newer than its time is refused.
    allow = (
        "SELECT set_config('frontdoor.audit_prune_before', %s, true)",
        [(start + DAY).isoformat()],
    )
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(allow, delete_new)

    assert prune(start + DAY) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    # The setting lasted only for prune() (here inside the test's transaction, where a
    # local setting would outlive its savepoint: prune() empties it again).
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(delete_new)
    assert AuditEvent.objects.filter(pk=new.pk).exists()


# --- The referrer's view -------------------------------------------------------------------


def test_a_period_shorter_than_the_referrers_view_is_warned_of(settings):
    from django.core.checks import run_checks

    assert not [m for m in run_checks() if m.id == "retention.W001"]
    settings.SUBMISSION_VISIBLE_DAYS = 30
    settings.RETENTION_DAYS_AFTER_IMPORT = 7
    warned = [m for m in run_checks() if m.id == "retention.W001"]
    assert len(warned) == 1
    assert "RETENTION_DAYS_AFTER_IMPORT (7)" in warned[0].msg


def test_the_referrer_sees_it_until_removed_and_then_never(
    professional, manager, social_care_system, run_tasks
):
    from conftest import signed_in

    sent = send_at(professional, SENT)
    close_at(sent, manager, CLOSED)
    import_at(Case.objects.get(pk=sent.pk), social_care_system, IMPORTED)
    with time_machine.travel(CLOSED + 29 * DAY):
        referrer = signed_in(professional, run_tasks)
        assert sent.reference in referrer.get("/forms/sent/").content.decode()
        assert referrer.get(f"/forms/sent/{sent.reference}/").status_code == 200
    apply_retention(now=IMPORTED + 30 * DAY)
    with time_machine.travel(IMPORTED + 30 * DAY):
        referrer = signed_in(professional, run_tasks)
        assert sent.reference not in referrer.get("/forms/sent/").content.decode()
        assert referrer.get(f"/forms/sent/{sent.reference}/").status_code == 404
