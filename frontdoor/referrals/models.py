from django.db import models


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
