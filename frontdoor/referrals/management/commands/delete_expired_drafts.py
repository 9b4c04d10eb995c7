from typing import Any

from django.core.management.base import BaseCommand

from frontdoor.referrals import drafts


class Command(BaseCommand):
    help = (
        "Email owners of drafts that will be deleted in 7 days, then delete drafts not saved "
        "for 30 days (for cron; the task worker also does this every hour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = drafts.remind_before_deletion()
        deleted = drafts.delete_expired()
        self.stdout.write(f"Reminded {reminded}, deleted {deleted} draft(s).")
