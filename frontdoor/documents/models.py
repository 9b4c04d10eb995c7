import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Document(models.Model):
    """A supporting document attached to a draft, then to the submission it became.

    The file is kept in the private "documents" storage under a generated name
    (`stored_as`); the name the person gave it is data only (`name`, already made safe to
    show). Deleting the row deletes the file (signals.py).
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document"
        DOC = "doc", "Word 97-2003 document"
        JPEG = "jpeg", "JPG image"
        PNG = "png", "PNG image"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    draft = models.ForeignKey(
        "referrals.Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    submission = models.ForeignKey(
        "referrals.Submission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=255, unique=True)
    scanned = models.BooleanField(help_text="Scanned clean by ClamAV before it was attached.")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(draft__isnull=True) | Q(submission__isnull=True),
                name="document_on_a_draft_or_a_submission",
            )
        ]

    def __str__(self) -> str:
        return f"Document {self.pk}"

    @property
    def mime_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "doc": "application/msword",
            "jpeg": "image/jpeg",
            "png": "image/png",
        }[self.kind]
