"""Fill the cases' inbox columns (cases 0004) from the enquiries already made."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Enquiry = apps.get_model("enquiries", "Enquiry")
    enquiries = Enquiry.objects.filter(case=OuterRef("pk"))
    waiting = enquiries.filter(kind="question", answered_at__isnull=True)
    Case.objects.filter(Exists(enquiries)).update(
        information_unread=Exists(enquiries.filter(answered_at__isnull=False, seen_at=None)),
        question_due_at=Subquery(waiting.order_by("due_at").values("due_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0001_initial"),
        ("cases", "0004_case_inbox_flags"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
