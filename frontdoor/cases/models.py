"""The case beside each sent form: everything about it that changes.

A Submission never changes. Its Case holds the team it is in now (a transfer moves the
case, never edits the submission), its stage, who it is assigned to, its rating, when its
decision is due, the decision, and links to other referrals about the same child. What
happened is CaseEvent rows (the history staff see); internal notes are Note rows. Only the
service functions in services.py change these, each writing the history and the audit.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontdoor.accounts.models import Team
from frontdoor.referrals.models import Submission


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Case(models.Model):
    submission = models.OneToOneField(
        Submission, primary_key=True, on_delete=models.CASCADE, related_name="case"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    # Teams it was transferred from: they keep read-only access to it.
    former_teams = models.ManyToManyField(Team, blank=True, related_name="transferred_cases")
    stage = models.CharField(max_length=40)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(blank=True)
    # Urgency flags from the answers ("At risk of significant harm now"), by their labels.
    flags = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    # A worker's decision waiting for a manager to confirm it (where the team's workflow
    # keeps confirming decisions for managers).
    proposed_outcome = models.CharField(max_length=40, blank=True)
    proposed_response = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(max_length=40, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Restricted by a manager to named staff of its team (a member of staff is the subject,
    # say): to everyone else it does not exist (cases.services.visible_cases).
    restricted_at = models.DateTimeField(null=True, blank=True)
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restricted_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_cases"
    )
    # Other referrals naming the same child (found when this one arrived).
    repeats = models.ManyToManyField("self", blank=True, symmetrical=True)
    # Earlier referrals naming the same child that retention has removed (their
    # tombstones): found when this one arrived, or when the other was removed.
    removed_repeats = models.ManyToManyField(
        "referrals.Tombstone", blank=True, related_name="repeated_by"
    )
    # For the inbox, kept by frontdoor.enquiries' services from the case's enquiries (a
    # column a row, not a subquery): an answer or information from the referrer not yet
    # marked read; when the earliest question still waiting for an answer is due.
    information_unread = models.BooleanField(default=False)
    question_due_at = models.DateTimeField(null=True, blank=True)
    # Kept by cases.partner_checks' services: the earliest due date of the partner checks
    # with no reply yet (overdue once it has passed, while the case is open).
    check_due_on = models.DateField(null=True, blank=True)
    # Raised by every change: a page that loaded an older version says so rather than
    # overwrite what another worker did in between.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-urgent", "due_at"]
        indexes = [
            models.Index(fields=["team", "closed_at", "urgent", "due_at"]),
            models.Index(fields=["team", "assignee"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return f"Case {self.submission_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None


class CaseEvent(models.Model):
    """One thing that happened to a case, by whom: the history staff read."""

    class Action(models.TextChoices):
        RECEIVED = "received", "Received"
        ASSIGNED = "assigned", "Assigned"
        UNASSIGNED = "unassigned", "Unassigned"
        RATED = "rated", "Rated"
        NOTED = "noted", "Note added"
        STAGE = "stage", "Moved to a stage"
        PROPOSED = "proposed", "Decision proposed"
        DECIDED = "decided", "Decided"
        TRANSFERRED = "transferred", "Transferred"
        # The team's questions to the referrer, and what comes back (frontdoor.enquiries).
        ASKED = "asked", "Asked the referrer for information"
        ANSWERED = "answered", "The referrer answered"
        INFORMATION_ADDED = "information_added", "The referrer added information"
        INFORMATION_SEEN = "information_seen", "Information received marked as read"
        CHECK_ASKED = "check_asked", "Partner check asked"
        CHECK_CHASED = "check_chased", "Partner check chased"
        CHECK_REPLIED = "check_replied", "Partner check answered"
        RESTRICTED = "restricted", "Restricted"
        RESTRICTION_CHANGED = "restriction_changed", "Restriction changed"
        UNRESTRICTED = "unrestricted", "Restriction lifted"
        # A council's case-management system took it in (frontdoor.api, mark imported).
        IMPORTED = "imported", "Imported"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When a case-management system acted (an API client: no user account), its name.
    system = models.CharField(max_length=100, blank=True)
    # The team the case was in when it happened (history survives a transfer).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # What changed, for the history: names, slugs and reasons; never copied to the audit.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class Note(models.Model):
    """An internal case note: never shown to the referrer, never in an email."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class PartnerCheck(models.Model):
    """A check asked of a partner agency about a referral: who was asked, when, by when
    they should answer, each chase, and what came back. Overdue when no reply is recorded
    and the due date has passed (`overdue_checks`)."""

    class Agency(models.TextChoices):
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        OTHER = "other", "Another agency"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partner_checks")
    # The team that asked (history survives a transfer).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    # Which service ("Public Protection Unit", "Health visiting"); the agency's name for OTHER.
    agency_name = models.CharField(max_length=200, blank=True)
    # Who was asked and how to reach them: free text.
    contact = models.TextField()
    asked_on = models.DateField()
    due_on = models.DateField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    replied_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_on", "id"]
        indexes = [models.Index(fields=["case", "replied_on", "due_on"])]

    def __str__(self) -> str:
        return f"Partner check {self.pk}"

    @property
    def agency_label(self) -> str:
        """ "Police (Public Protection Unit)", or the other agency's own name."""
        if self.agency == self.Agency.OTHER:
            return self.agency_name or str(self.Agency.OTHER.label)
        label = str(self.get_agency_display())
        return f"{label} ({self.agency_name})" if self.agency_name else label

    def is_overdue(self, today: datetime.date) -> bool:
        return self.replied_on is None and self.due_on < today


class Chase(models.Model):
    """One chase of a partner check: when, by whom, and how (free text, optional)."""

    partner_check = models.ForeignKey(PartnerCheck, on_delete=models.CASCADE, related_name="chases")
    chased_on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["chased_on", "id"]

    def __str__(self) -> str:
        return f"Chase {self.pk}"
