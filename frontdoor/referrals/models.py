import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontdoor.accounts.models import Team
from frontdoor.notifications.models import Email


class FormVersion(models.Model):
    """One version of a form's definition, exactly as it was used. Never changed.

    Drafts and submissions point here, so a sent form is always shown with the questions
    it was answered against, even after the council changes the form.
    """

    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_row_per_form_version")
        ]
        ordering = ["slug", "-version"]

    def __str__(self) -> str:
        return f"{self.slug} version {self.version}"


# record_save's "leave the answers as they are" (None is an answer: a section saved empty).
UNCHANGED: Any = object()


class Draft(models.Model):
    """A form being filled in by one account: saved on every page, deleted DRAFT_DAYS
    after its last save. A section is never overwritten by an older copy of itself (from
    a second tab): `revisions` counts each section's saves.

    `answers` holds exactly what was typed, per section: a mapping of question ids to
    values, or for a repeating section a list of such mappings (one per child, say).
    `completed` lists the sections whose answers were all valid when last saved.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="drafts")
    answers = models.JSONField(default=dict)
    completed = models.JSONField(default=list)
    revisions = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The leaver it was handed over from (administration.leavers), for the note its new
    # owner is shown.
    handed_over_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-saved_at"]

    def __str__(self) -> str:
        return f"Draft {self.pk}"

    @property
    def deletes_at(self) -> datetime.datetime:
        return self.saved_at + datetime.timedelta(days=settings.DRAFT_DAYS)

    def record_save(
        self,
        section: str | None = None,
        *,
        answers: Any = UNCHANGED,
        completed: bool | None = None,
    ) -> None:
        """Write one change to the draft, whatever made it (a section saved, an item
        removed, a document attached or removed): the section's answers and whether it is
        completed (when given), its revision, and the save time.

        Every change goes through here so that they all agree: the save time is what the
        deletion date counts from, so a change also makes the reminder due again before
        that new date. Call it on a row locked with select_for_update, in its transaction.
        """
        if section is not None:
            if answers is not UNCHANGED:
                self.answers[section] = answers
            if completed is True and section not in self.completed:
                self.completed = [*self.completed, section]
            elif completed is False:
                self.completed = [s for s in self.completed if s != section]
            self.revisions[section] = int(self.revisions.get(section, 0)) + 1
        self.saved_at = timezone.now()
        self.reminded_at = None
        self.save(update_fields=["answers", "completed", "revisions", "saved_at", "reminded_at"])


class ReferenceCounter(models.Model):
    """The last reference number given out in a year: FD-2026-000123."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Submission(models.Model):
    """A sent form: its answers, exactly as sent, with the version they answer. Never changed.

    What happens to it afterwards (received, in progress, the council's response) is a list
    of StatusChange rows, so the history is kept and the answers stay untouched.

    A form sent without an account (feedback) has no owner and keeps nothing about who
    sent it: no account, address or session; only the random key of the page it was sent
    from, so sending that page twice makes one submission.
    """

    reference = models.CharField(max_length=20, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    team_slug = models.SlugField(max_length=60)
    answers = models.JSONField()
    # The answers in one canonical shape (ISO dates, named address parts, values), made
    # from `answers` at sending: referrals/typed.py says the shape.
    typed = models.JSONField(default=dict, blank=True)
    # The draft it came from: one submission per draft, whatever a double click sends.
    draft_key = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    # Sent without an account: the page's one-time key does the same.
    page_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False, draft_key__isnull=False, page_key=None)
                | models.Q(owner=None, draft_key=None, page_key__isnull=False),
                name="submission_from_a_draft_or_without_an_account",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("A sent form cannot be changed")
        super().save(*args, **kwargs)


class StatusChange(models.Model):
    """One step in a submission's life as its referrer sees it: received, passed to another
    team, the decision, with the council's response to the referrer.

    `status` is a key (an outcome of the team's workflow, frontdoor/cases/workflows.yaml,
    or one of the older fixed statuses below) and `label` its name as it was when recorded.
    A `final` step is a decision: the referrer sees the form for SUBMISSION_VISIBLE_DAYS
    after it (while there is none, for as long as it is open).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_PROGRESS = "in_progress", "In progress"
        MORE_INFORMATION = "more_information", "More information needed"
        EARLY_HELP_OFFERED = "early_help_offered", "Early Help offered"
        ASSESSMENT = "assessment", "Social work assessment started"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion held"
        ADVICE_GIVEN = "advice_given", "Advice and information given"
        PASSED_ON = "passed_on", "Passed to another service"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        COMPLETED = "completed", "Completed"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    final = models.BooleanField(default=False)
    response = models.TextField(blank=True, help_text="What the referrer is told.")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The email telling the referrer about this step (None: nobody was emailed), for staff
    # to see whether it was sent (frontdoor.notifications.services.delivery_label).
    email = models.ForeignKey(
        Email, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["submission", "final", "at"])]

    def __str__(self) -> str:
        return f"{self.submission} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.label:
            self.label = dict(self.Status.choices).get(self.status, self.status)
        super().save(*args, **kwargs)


class PdfCopy(models.Model):
    """The PDF copy of a sent form, made once by the task worker and kept in the private
    "documents" storage under a generated name (`stored_as`, empty until it is made).

    One row per submission: whoever creates it queues the one task that makes the copy, so
    two requests for a copy that is not ready never make two. Deleting the row (with its
    submission) deletes the file (pdf.py).
    """

    submission = models.OneToOneField(
        Submission, primary_key=True, on_delete=models.CASCADE, related_name="pdf_copy"
    )
    stored_as = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # The SHA-256 of the stored file, hex (the API sends it as Repr-Digest); "" for a copy
    # made before it was kept, until the API's first download of it works it out.
    sha256 = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    made_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PDF copy of {self.submission_id}"

    @property
    def ready(self) -> bool:
        return bool(self.stored_as)


class Person(models.Model):
    """Someone a sent form is about, indexed for search and for finding repeat referrals:
    a child (or unborn baby), a parent or carer, the adult a LADO allegation is about.

    Made at sending from the definition's annotations (a section's `person`, its questions'
    `identifies`; referrals/people.py) and never changed, like the submission. The names
    are kept as typed; the `*_key` fields are normalised for matching (people.normalise:
    accents, case, hyphens, apostrophes and spaces gone), `aka_keys` the also-known-as
    names' keys separated by spaces.
    """

    class Role(models.TextChoices):
        CHILD = "child", "Child"
        UNBORN = "unborn", "Unborn baby"
        PARENT_CARER = "parent_carer", "Parent or carer"
        ADULT = "adult", "Adult the allegation is about"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="people")
    section = models.CharField(max_length=60)  # its slug
    position = models.PositiveSmallIntegerField(default=0)  # the item in its section, from 0
    role = models.CharField(max_length=20, choices=Role.choices)
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    also_known_as = models.CharField(max_length=500, blank=True)
    first_key = models.CharField(max_length=200, blank=True)
    last_key = models.CharField(max_length=200, blank=True)
    aka_keys = models.CharField(max_length=1000, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField(max_length=20, blank=True)
    house_key = models.CharField(max_length=300, blank=True)  # property name and number

    class Meta:
        ordering = ["submission", "section", "position"]
        indexes = [
            # varchar_pattern_ops (PostgreSQL; ignored elsewhere): also serves "starts with".
            models.Index(
                fields=["last_key"], name="person_last_key", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["first_key"], name="person_first_key", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["last_key", "date_of_birth"], name="person_last_key_birth"),
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
            models.Index(fields=["postcode"], name="person_postcode"),
            models.Index(fields=["due_date"], name="person_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.position + 1} of {self.submission_id}"


class Tombstone(models.Model):
    """What is left of a referral once retention (frontdoor/retention) has removed the
    council's copy: its reference, form, team, dates and outcome, for statistics, the audit
    trail and the API's 410; and, in TombstoneKey rows, keyed hashes of its children's
    normalised identifiers (referrals/tombstones.py) so a re-referral of the same child
    within 12 months of the removal is still found. No names, no dates of birth, no answers."""

    reference = models.CharField(max_length=20, unique=True)
    form_slug = models.SlugField(max_length=60)
    form_version = models.PositiveIntegerField()
    # The team the case was in when it was removed (a team is never deleted: PROTECT).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField()
    outcome = models.CharField(max_length=40, blank=True)  # the outcome's slug
    outcome_name = models.CharField(max_length=200, blank=True)
    # Its codes in published vocabularies, by vocabulary (as the API gives them).
    national_code = models.JSONField(null=True, blank=True)
    # Imported by the case's team's system (ApiImport), and when last.
    imported = models.BooleanField(default=False)
    imported_at = models.DateTimeField(null=True, blank=True)
    # Restricted to named staff when removed: still hidden from everyone (no repeat line,
    # a 404 in the API).
    restricted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deleted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} (removed)"


class TombstoneKey(models.Model):
    """One keyed hash (HMAC-SHA256, hex) of a removed referral's child's identifiers, as
    referrals/tombstones.py makes them. Deleted 12 months after the referral's removal."""

    tombstone = models.ForeignKey(Tombstone, on_delete=models.CASCADE, related_name="keys")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"Key of {self.tombstone_id}"
