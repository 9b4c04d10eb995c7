"""Deliver new referrals to the drops now (the task worker does it every 5 minutes)."""

from typing import Any

from django.core.management.base import BaseCommand

from frontdoor.api import drops
from frontdoor.api.models import Drop


class Command(BaseCommand):
    help = "Write new referrals as JSON with their documents to each live drop."

    def handle(self, *args: Any, **options: Any) -> None:
        for drop in Drop.objects.filter(paused_at=None):
            delivered = drops.run(drop)
            self.stdout.write(f"{drop.name}: {delivered} delivered")
