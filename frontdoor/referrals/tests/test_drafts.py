import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from frontdoor.audit.models import AuditEvent
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Draft, StatusChange, Submission
from frontdoor.referrals.submissions import NotReady, submit, unfinished

pytestmark = pytest.mark.django_db

ABOUT_YOU = {"anonymous": "yes"}
FEEDBACK = {"about_service": "early-help", "kind": "compliment", "what_happened": "Great help."}


def post(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def feedback_draft(user) -> Draft:
    return drafts.start(user, registry.get("feedback"))


def save(draft: Draft, slug: str, data: dict, revision: int | None = None):
    section = registry.get(draft.form_version.slug).section(slug)
    if revision is None:
        revision = int(draft.revisions.get(slug, 0))
    return drafts.save_section(draft, section, post(data), loaded_revision=revision)


def test_invalid_answers_are_saved_all_the_same(member_of_public):
    draft = feedback_draft(member_of_public)
    saved, form = save(draft, "your-feedback", {"what_happened": "It went well", "kind": ""})

    assert not saved.completed
    assert "kind" in form.errors
    draft.refresh_from_db()
    assert draft.answers["your-feedback"]["what_happened"] == "It went well"
    section = registry.get("feedback").section("your-feedback")
    assert drafts.status_of(draft, section) == "in_progress"


def test_a_section_is_completed_when_its_answers_are_valid(member_of_public):
    draft = feedback_draft(member_of_public)
    saved, _ = save(draft, "your-feedback", FEEDBACK)
    assert saved.completed
    assert drafts.status_of(draft, registry.get("feedback").section("your-feedback")) == "completed"


def test_an_older_copy_of_a_section_never_overwrites_a_newer_one(member_of_public):
    draft = feedback_draft(member_of_public)
    save(draft, "your-feedback", {**FEEDBACK, "what_happened": "First tab"}, revision=0)
    saved, _ = save(
        draft, "your-feedback", {**FEEDBACK, "what_happened": "Old second tab"}, revision=0
    )

    assert saved.conflict
    draft.refresh_from_db()
    assert draft.answers["your-feedback"]["what_happened"] == "First tab"
    # Another section from the older tab is fine: nothing newer is overwritten.
    assert not save(draft, "about-you", ABOUT_YOU, revision=0)[0].conflict


def test_a_draft_can_be_sent_only_when_every_section_is_completed(member_of_public):
    draft = feedback_draft(member_of_public)
    save(draft, "your-feedback", FEEDBACK)
    assert [s.slug for s in unfinished(draft)] == ["about-you"]
    with pytest.raises(NotReady):
        submit(draft.pk, member_of_public)
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_sending_makes_an_immutable_submission_with_a_reference_and_emails(
    member_of_public, teams, run_tasks
):
    draft = feedback_draft(member_of_public)
    save(draft, "about-you", ABOUT_YOU)
    save(draft, "your-feedback", FEEDBACK)

    submission = submit(draft.pk, member_of_public)

    year = timezone.localdate().year
    assert submission.reference == f"FD-{year}-000001"
    assert submission.answers["your-feedback"]["what_happened"] == "Great help."
    assert submission.form_version.slug == "feedback"
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert submission.history.get().status == StatusChange.Status.RECEIVED
    with pytest.raises(PermissionError):
        submission.save()
    run_tasks()
    to_referrer, to_team = sorted(mail.outbox, key=lambda m: m.to[0] != member_of_public.email)
    assert submission.reference in to_referrer.body
    assert "Great help" not in to_referrer.body
    assert to_team.to == [teams["feedback"].mailbox]
    assert submission.reference in to_team.body
    assert "Great help" not in to_team.body
    assert AuditEvent.objects.filter(
        action="submission.sent", object_id=str(submission.pk)
    ).exists()


def test_sending_twice_gives_the_same_submission(member_of_public):
    draft = feedback_draft(member_of_public)
    save(draft, "about-you", ABOUT_YOU)
    save(draft, "your-feedback", FEEDBACK)
    first = submit(draft.pk, member_of_public)
    again = submit(draft.pk, member_of_public)
    assert first.pk == again.pk
    assert Submission.objects.count() == 1


def test_someone_elses_draft_cannot_be_sent(member_of_public, professional):
    draft = feedback_draft(member_of_public)
    save(draft, "about-you", ABOUT_YOU)
    save(draft, "your-feedback", FEEDBACK)
    with pytest.raises(Submission.DoesNotExist):
        submit(draft.pk, professional)
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_references_count_up_within_a_year(member_of_public):
    references = []
    for _ in range(3):
        draft = feedback_draft(member_of_public)
        save(draft, "about-you", ABOUT_YOU)
        save(draft, "your-feedback", FEEDBACK)
        references.append(submit(draft.pk, member_of_public).reference)
    assert [r[-6:] for r in references] == ["000001", "000002", "000003"]


def test_lado_is_for_professionals_only(member_of_public, professional):
    lado = registry.get("lado-referral")
    assert not drafts.may_use(member_of_public, lado)
    with pytest.raises(PermissionError):
        drafts.start(member_of_public, lado)
    assert drafts.may_use(professional, lado)


def test_supporting_documents_are_shown_to_professionals_only(member_of_public, professional):
    social_care = registry.get("social-care-referral")
    public_sections = [s.slug for s in drafts.sections_for(member_of_public, social_care)]
    professional_sections = [s.slug for s in drafts.sections_for(professional, social_care)]
    assert "documents" not in public_sections
    assert "documents" in professional_sections


def test_drafts_are_deleted_thirty_days_after_their_last_save_with_a_reminder_seven_days_before(
    member_of_public, run_tasks
):
    draft = feedback_draft(member_of_public)
    save(draft, "your-feedback", FEEDBACK)
    start = timezone.now()

    with time_machine.travel(start + timedelta(days=22, hours=23)):
        assert drafts.remind_before_deletion() == 0
    with time_machine.travel(start + timedelta(days=23, minutes=1)):
        assert drafts.remind_before_deletion() == 1
        assert drafts.remind_before_deletion() == 0  # once
        run_tasks()
    assert "will be deleted on" in mail.outbox[-1].body
    assert f"{settings.SITE_URL}/forms/recover/" in mail.outbox[-1].body  # the page it names
    assert "Great help" not in mail.outbox[-1].body

    with time_machine.travel(start + timedelta(days=29, hours=23)):
        assert drafts.delete_expired() == 0
    with time_machine.travel(start + timedelta(days=30, minutes=1)):
        assert drafts.delete_expired() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.get(action="draft.expired_deleted").detail == {"count": 1}


def test_saving_again_restarts_the_thirty_days(member_of_public):
    draft = feedback_draft(member_of_public)
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=20)):
        save(draft, "your-feedback", FEEDBACK)
    with time_machine.travel(start + timedelta(days=31)):
        assert drafts.delete_expired() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_send_posts_make_one_submission(member_of_public):
    """A double click or a resend: four POSTs at once, four redirects to one submission."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves: PostgreSQL only (CI runs it there)")
    from django.test import Client

    draft = feedback_draft(member_of_public)
    save(draft, "about-you", ABOUT_YOU)
    save(draft, "your-feedback", FEEDBACK)
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(member_of_public)
    locations: list[object] = []
    barrier = threading.Barrier(len(clients))

    def send_it(client: Client) -> None:
        from django.db import connections

        barrier.wait()
        try:
            response = client.post(f"/forms/draft/{draft.pk}/send/")
            locations.append((response.status_code, response.get("Location")))
        except Exception as error:
            locations.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send_it, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    submission = Submission.objects.get()
    assert locations == [(302, f"/forms/sent/{submission.reference}/")] * 4


def test_a_section_not_asked_yet_never_holds_a_form_back(professional):
    # Supporting documents are not asked until uploads exist: they must not block sending.
    draft = drafts.start(professional, registry.get("social-care-referral"))
    assert "documents" not in [s.slug for s in unfinished(draft)]
