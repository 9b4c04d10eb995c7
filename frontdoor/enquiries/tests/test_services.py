"""The service functions: asking, answering (a draft until sent), adding information,
acknowledging; each writes the history and the audit, and the submission never changes."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_user
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_backoffice import sent_feedback
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import services as cases
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.services import NotAllowed
from frontdoor.documents import services as documents
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.enquiries import services
from frontdoor.enquiries.models import Enquiry
from frontdoor.notifications.models import Email
from frontdoor.referrals.models import Submission

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Monday in office hours: 3 working days on is Thursday at the same time.
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


def audited(action: str, actor, obj) -> bool:
    return AuditEvent.objects.filter(
        action=action, actor_id=actor.pk, object_id=str(obj.pk)
    ).exists()


@time_machine.travel(MONDAY, tick=False)
def test_asking_writes_the_history_and_the_audit_and_emails_the_referrer(professional, mash_staff):
    submission = referral(professional)
    answers = dict(submission.answers)
    case = case_of(submission)
    version = case.version

    enquiry = services.ask_referrer(case, "  Which school does Ava attend?  ", mash_staff)

    assert enquiry.question == "Which school does Ava attend?"
    assert enquiry.due_at == datetime.datetime(2026, 11, 5, 10, 0, tzinfo=LONDON)
    assert enquiry.email is not None
    assert enquiry.email.template == "question_asked"
    assert case_of(submission).version == version + 1
    assert CaseEvent.objects.filter(case=case, action="asked", actor=mash_staff).exists()
    assert audited("case.referrer_asked", mash_staff, submission)
    assert Submission.objects.get(pk=submission.pk).answers == answers


def test_asking_is_for_the_team_the_referral_is_in_while_it_is_open(
    professional, mash_staff, early_help_staff, teams
):
    submission = referral(professional)
    case = case_of(submission)
    with pytest.raises(PermissionDenied):
        services.ask_referrer(case, "Anything?", early_help_staff)
    with pytest.raises(NotAllowed, match="Enter your question"):
        services.ask_referrer(case, "   ", mash_staff)
    with pytest.raises(NotAllowed, match="characters or fewer"):
        services.ask_referrer(case, "x" * (services.QUESTION_MAX_LENGTH + 1), mash_staff)
    cases.transfer(case, teams["early-help"], "Early help fits", mash_staff)
    with pytest.raises(PermissionDenied):  # a former team reads, but asks no more
        services.ask_referrer(case_of(submission), "Anything?", mash_staff)
    assert not Enquiry.objects.exists()


def test_a_form_sent_anonymously_or_without_an_account_cannot_be_asked(
    member_of_public, feedback_staff, teams
):
    submission = sent_feedback(member_of_public, teams)  # "without your name"
    assert "without the sender's name" in services.why_not_asked(submission)
    with pytest.raises(NotAllowed, match="You cannot ask the referrer"):
        services.ask_referrer(case_of(submission), "Who are you?", feedback_staff)
    assert not services.may_add(submission)
    assert not Enquiry.objects.exists()


def test_a_sender_whose_account_is_closed_cannot_be_asked(professional, mash_staff):
    submission = referral(professional)
    professional.is_active = False  # a leaver (administration.leavers)
    professional.save()
    submission = Submission.objects.get(pk=submission.pk)

    assert "account is closed" in services.why_not_asked(submission)
    with pytest.raises(NotAllowed, match="You cannot ask the referrer"):
        services.ask_referrer(case_of(submission), "Which school?", mash_staff)
    assert not Enquiry.objects.exists()
    assert not Email.objects.filter(template="question_asked").exists()


def test_an_answer_is_a_draft_until_sent_then_never_changes(professional, mash_staff):
    submission = referral(professional)
    case = case_of(submission)
    enquiry = services.ask_referrer(case, "Which school?", mash_staff)

    services.save_answer(enquiry, "Riverside Pri", professional)
    enquiry.refresh_from_db()
    assert (enquiry.answer, enquiry.answered_at) == ("Riverside Pri", None)
    assert services.of_case(case)[0].answered_at is None  # staff see no draft answer
    assert not CaseEvent.objects.filter(action="answered").exists()

    with pytest.raises(NotAllowed, match="Enter your answer"):
        services.send_answer(enquiry, "  ", professional)
    services.send_answer(enquiry, "Riverside Primary", professional)
    again = services.send_answer(enquiry, "Something else", professional)  # a double click

    enquiry.refresh_from_db()
    assert enquiry.answer == "Riverside Primary"
    assert enquiry.answered_at is not None
    assert again.answer == "Riverside Primary"
    assert CaseEvent.objects.filter(case=case, action="answered").count() == 1
    assert audited("enquiry.sent", professional, submission)
    assert services.unseen(case) == 1
    with pytest.raises(NotAllowed):
        services.save_answer(enquiry, "Changed", professional)
    # The team's mailbox and the worker who asked are told (reference only).
    told = Email.objects.filter(template="information_received").count()
    assert told == 2


def test_only_the_referrer_answers(professional, second_professional, mash_staff):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    for someone in (second_professional, mash_staff):
        with pytest.raises(PermissionDenied):
            services.save_answer(enquiry, "Mine", someone)
        with pytest.raises(PermissionDenied):
            services.send_answer(enquiry, "Mine", someone)


def test_documents_go_through_the_same_checks_as_a_drafts(professional, mash_staff):
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), "A plan?", mash_staff)
    enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)

    kept = services.attach(enquiry, professional, SimpleUploadedFile("plan.pdf", files.pdf()))
    refused = services.attach(
        enquiry, professional, SimpleUploadedFile("letter.pdf", files.eicar_pdf())
    )
    twice = services.attach(enquiry, professional, SimpleUploadedFile("plan.pdf", files.pdf()))
    program = services.attach(
        enquiry, professional, SimpleUploadedFile("x.exe", files.elf_executable())
    )

    assert isinstance(kept, Document)
    assert kept.draft_id is None
    assert kept.submission_id is None
    assert isinstance(refused, documents.Refusal)
    assert refused.reason == "virus"
    assert isinstance(twice, documents.Refusal)
    assert twice.reason == "duplicate"
    assert isinstance(program, documents.Refusal)
    assert program.reason == "type"
    assert list(services.documents_of(enquiry)) == [kept]
    assert audited("document.refused", professional, enquiry)
    # The sent form's own documents are unchanged: the answer's are beside it.
    assert not Document.objects.filter(submission=submission).exists()

    services.send_answer(enquiry, "", professional)  # a document alone is an answer
    assert Enquiry.objects.get(pk=enquiry.pk).answered_at is not None
    with pytest.raises(documents.DraftGone):
        services.attach(enquiry, professional, SimpleUploadedFile("more.pdf", files.pdf("2")))
    with pytest.raises(NotAllowed):  # a sent answer's documents are kept
        services.remove_document(enquiry, kept.pk, professional)


def test_removing_a_document_from_a_draft_answer(professional, mash_staff):
    enquiry = services.ask_referrer(case_of(referral(professional)), "A plan?", mash_staff)
    enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)
    kept = services.attach(enquiry, professional, SimpleUploadedFile("plan.pdf", files.pdf()))
    assert isinstance(kept, Document)
    assert services.remove_document(enquiry, "not-a-uuid", professional) is None
    assert services.remove_document(enquiry, kept.pk, professional) == "plan.pdf"
    assert not Document.objects.filter(pk=kept.pk).exists()


def test_a_member_of_the_public_answers_in_text_only(member_of_public, mash_staff):
    from tests.sending import send

    submission = send(member_of_public, "social-care-referral")
    enquiry = services.ask_referrer(case_of(submission), "When?", mash_staff)
    enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)
    with pytest.raises(PermissionError):
        services.attach(enquiry, member_of_public, SimpleUploadedFile("a.pdf", files.pdf()))


def test_adding_information_starts_one_draft_and_tells_the_team(professional, mash_staff):
    submission = referral(professional)
    first = services.start_adding(submission, professional)
    assert services.start_adding(submission, professional) == first  # a double click
    assert first.kind == Enquiry.Kind.OFFERED

    services.send_answer(first, "Ava has moved school", professional)

    case = case_of(submission)
    assert CaseEvent.objects.filter(case=case, action="information_added").exists()
    assert services.start_adding(submission, professional) != first  # a new one after
    assert services.unseen(case) == 1


def test_acknowledging_clears_information_received(professional, mash_staff, early_help_staff):
    submission = referral(professional)
    first = services.start_adding(submission, professional)
    services.send_answer(first, "News", professional)
    case = case_of(submission)
    with pytest.raises(PermissionDenied):
        services.acknowledge(case, early_help_staff)

    assert services.acknowledge(case, mash_staff) == 1
    assert services.acknowledge(case, mash_staff) == 0

    assert services.unseen(case) == 0
    assert Enquiry.objects.get(pk=first.pk).seen_by == mash_staff
    assert CaseEvent.objects.filter(case=case, action="information_seen").count() == 1
    assert audited("case.information_seen", mash_staff, submission)


def test_on_a_restricted_referral_only_those_it_names_ask_or_mark_read(
    professional, mash_staff, teams
):
    # The pages never get here (the referral is a 404 to them): the API would.
    boss = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes")
    Membership.objects.create(user=boss, team=teams["social-care"], role=Membership.Role.MANAGER)
    submission = referral(professional)
    services.send_answer(services.start_adding(submission, professional), "News", professional)
    cases.restrict(case_of(submission), [], boss)

    with pytest.raises(PermissionDenied):
        services.ask_referrer(case_of(submission), "Anything?", mash_staff)
    with pytest.raises(PermissionDenied):
        services.acknowledge(case_of(submission), mash_staff)

    assert not Enquiry.objects.filter(kind=Enquiry.Kind.QUESTION).exists()
    assert services.unseen(case_of(submission)) == 1
    assert services.acknowledge(case_of(submission), boss) == 1
    services.ask_referrer(case_of(submission), "Anything?", boss)


def test_a_closed_referral_takes_no_question_nor_added_information(professional, mash_staff):
    submission = referral(professional)
    # Closed as deciding closes it (the decision itself is the cases tests' concern).
    Case.objects.filter(pk=submission.pk).update(closed_at=timezone.now())
    with pytest.raises(NotAllowed, match="closed"):
        services.ask_referrer(case_of(submission), "Anything?", mash_staff)
    with pytest.raises(NotAllowed):
        services.start_adding(submission, professional)
    assert "closed" in services.why_not_added(submission)


def test_a_question_is_overdue_after_the_councils_working_days(professional, mash_staff, settings):
    settings.ENQUIRY_ANSWER_WORKING_DAYS = 1
    with time_machine.travel(datetime.datetime(2026, 11, 6, 10, 0, tzinfo=LONDON), tick=False):
        enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    # Friday 10am, one working day: due Monday 10am (the weekend does not count).
    assert enquiry.due_at == datetime.datetime(2026, 11, 9, 10, 0, tzinfo=LONDON)
    assert not enquiry.is_overdue(datetime.datetime(2026, 11, 9, 9, 59, tzinfo=LONDON))
    assert enquiry.is_overdue(datetime.datetime(2026, 11, 9, 10, 0, tzinfo=LONDON))


def test_an_answers_documents_and_files_go_when_its_referral_is_deleted(
    professional, mash_staff, django_capture_on_commit_callbacks
):
    """Whatever deletes a referral (issue 11's retention will), the answers go with its
    case, and their documents with them: rows and stored files, not left behind counted
    against the referrer's store."""
    from frontdoor.documents.storage import documents_storage

    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), "A plan?", mash_staff)
    enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)
    document = services.attach(
        enquiry, professional, SimpleUploadedFile("plan.pdf", files.pdf(professional.email))
    )
    assert isinstance(document, Document)
    services.send_answer(enquiry, "The plan is attached", professional)
    assert documents_storage().exists(document.stored_as)
    assert documents.stored_by(professional.pk) > 0

    with django_capture_on_commit_callbacks(execute=True):
        Case.objects.filter(pk=submission.pk).delete()

    assert not Enquiry.objects.filter(pk=enquiry.pk).exists()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not documents_storage().exists(document.stored_as)
    assert documents.stored_by(professional.pk) == 0
