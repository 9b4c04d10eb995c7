"""A team's question to a referrer about a sent referral, and the answer; or information
the referrer added on their own. Both are an Enquiry beside the case: the submission
never changes.

The answer is a draft (`answer`, `saved_at`) until the referrer sends it (`answered_at`);
after that nothing on the row changes but the team's acknowledgement (`seen_at`): until a
member of the team marks it read, the inbox shows "Information received". A question not
answered by `due_at` (ENQUIRY_ANSWER_WORKING_DAYS working days after it was asked) is
overdue. Only services.py changes these rows.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from frontdoor.accounts.models import Team
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.notifications.models import Email


class Enquiry(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question from the team"
        OFFERED = "offered", "Information added by the referrer"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The team that asked (or that held the case when the referrer added information).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    # The email telling the referrer of the question (its delivery, for staff).
    email = models.ForeignKey(
        Email, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name_plural = "enquiries"
        indexes = [models.Index(fields=["case", "answered_at", "seen_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="offered") | ~Q(question=""), name="enquiry_question_asked"
            )
        ]

    def __str__(self) -> str:
        return f"Enquiry {self.pk}"

    @property
    def is_sent(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return (
            self.kind == self.Kind.QUESTION
            and self.answered_at is None
            and self.due_at is not None
            and self.due_at <= (now or timezone.now())
        )


class EnquiryDocument(models.Model):
    """A document with an answer: checked and stored like any other (documents.services)."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="attachments")
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["document__uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Enquiry {self.enquiry_id} document"
