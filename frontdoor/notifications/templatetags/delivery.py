"""`{% load delivery %}`: whether an email went, on a staff page.

Email to the referrer: {{ change.email|delivery_label }}
<strong class="govuk-tag {{ change.email|delivery_tag_class }}">…</strong>
"""

from django import template

from frontdoor.notifications.models import Email
from frontdoor.notifications.services import FAILED, SENT, delivery_label, delivery_state

register = template.Library()

TAG_CLASSES: dict[str, str] = {SENT: "govuk-tag--green", FAILED: "govuk-tag--red"}


@register.filter(name="delivery_label")
def label(email: Email | None) -> str:
    """ "sent on 2 December 2026 at 10:42am", "not sent yet", "not sent — …"; "" for None
    (nobody was emailed)."""
    return delivery_label(email) if email is not None else ""


@register.filter(name="delivery_state")
def state(email: Email | None) -> str:
    """ "sent", "waiting" or "failed"; "" for None."""
    return delivery_state(email) if email is not None else ""


@register.filter(name="delivery_tag_class")
def tag_class(email: Email | None) -> str:
    """A GOV.UK tag colour for the state: green sent, red failed, grey waiting."""
    if email is None:
        return ""
    return TAG_CLASSES.get(delivery_state(email), "govuk-tag--grey")
