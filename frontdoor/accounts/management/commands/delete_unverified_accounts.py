from typing import Any

from django.core.management.base import BaseCommand

from frontdoor.accounts.services import delete_unverified_accounts


class Command(BaseCommand):
    help = "Delete accounts whose email address was not verified within 7 days (for cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = delete_unverified_accounts()
        self.stdout.write(f"Deleted {count} unverified account(s).")
