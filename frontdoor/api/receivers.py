"""What raises webhook events: a case's history (cases.CaseEvent), written by the same
service functions for the staff pages and the API, so nothing is missed either way. The
cases app never imports this one; it only saves its events."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from frontdoor.accounts.models import Team
from frontdoor.api import webhooks
from frontdoor.cases.models import CaseEvent

Action = CaseEvent.Action
Event = webhooks.Event
RAISES: dict[str, list[str]] = {
    Action.RECEIVED: [Event.RECEIVED],
    Action.TRANSFERRED: [Event.UPDATED],
    Action.ANSWERED: [Event.UPDATED],  # an answer to the team's question
    Action.INFORMATION_ADDED: [Event.UPDATED],  # information or documents from the referrer
    Action.DECIDED: [Event.UPDATED, Event.DECIDED],
}


@receiver(post_save, sender=CaseEvent, dispatch_uid="api.webhooks.case_event")
def case_event_saved(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    events = RAISES.get(instance.action)
    if not created or kwargs.get("raw") or not events:
        return
    team_id = instance.team_id
    if instance.action == Action.TRANSFERRED:
        # Written in the team it leaves: the systems told are the new team's (only they
        # can read it now).
        moved_to = Team.objects.filter(slug=instance.detail.get("to", "")).first()
        if moved_to is None:
            return
        team_id = moved_to.pk
    webhooks.raise_events(instance.case_id, team_id, events, instance.at)
