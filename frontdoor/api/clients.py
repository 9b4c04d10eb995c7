"""Named operations on API clients and their tokens: the admin pages, the command and the
API's authentication all call these. Each change is audited (never the token itself)."""

import datetime
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.accounts.models import Team
from frontdoor.api.models import ApiClient, ApiToken
from frontdoor.audit.services import record

LIVE_TOKENS_MAX = 2
LAST_USED_EVERY = datetime.timedelta(minutes=1)
TOKEN = re.compile(r"^fdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


class Refused(Exception):
    """The change cannot be made (with a message to show)."""


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_client(name: str, teams: list[Team], *, by: Any = None) -> tuple[ApiClient, str]:
    """A new client for these teams, with its first token (returned once, never stored)."""
    if not teams:
        raise Refused("Choose at least one team")
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise Refused(f"There is already an API client called {name}")
        client = ApiClient.objects.create(name=name)
        client.teams.set(teams)
        record(
            "api.client.created",
            actor=by,
            obj=client,
            teams=sorted(team.slug for team in teams),
        )
        token = issue_token(client, by=by)
    return client, token


def issue_token(client: ApiClient, *, by: Any = None) -> str:
    """A new token for the client, returned once. Refused while it has two live ones: the
    system switches to the newer, then the older is revoked."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if not locked.is_live:
            raise Refused("This API client has been revoked")
        if locked.tokens.filter(revoked_at=None).count() >= LIVE_TOKENS_MAX:
            raise Refused("This API client already has two live tokens: revoke the older one first")
        for _ in range(5):
            prefix = secrets.token_hex(6)
            token = f"fdk_{prefix}_{secrets.token_urlsafe(32)}"
            try:
                with transaction.atomic():
                    made = ApiToken.objects.create(
                        client=locked, prefix=prefix, digest=digest_of(token)
                    )
                break
            except IntegrityError:  # the prefix is taken: 1 in 2**48, try another
                continue
        else:  # pragma: no cover - never in practice
            raise Refused("Could not make a token: try again")
        record("api.token.issued", actor=by, obj=locked, token=made.prefix)
    return token


def revoke_token(token: ApiToken, *, by: Any = None) -> None:
    """The token stops working at once."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated:
        record("api.token.revoked", actor=by, obj=token.client, token=token.prefix)


def revoke_client(client: ApiClient, *, by: Any = None) -> None:
    """The client and every token of it stop working at once."""
    now = timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(client=client, revoked_at=None).update(revoked_at=now)
        if ApiClient.objects.filter(pk=client.pk, revoked_at=None).update(revoked_at=now):
            record("api.client.revoked", actor=by, obj=client)


def authenticate(token: str) -> ApiToken | None:
    """The live token (with its live client) this is, else None: unknown, malformed,
    revoked, or its client revoked. Notes its last use, to the minute."""
    match = TOKEN.match(token or "")
    if match is None:
        return None
    found = (
        ApiToken.objects.select_related("client")
        .filter(prefix=match.group(1), revoked_at=None, client__revoked_at=None)
        .first()
    )
    if found is None or not hmac.compare_digest(found.digest, digest_of(token)):
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found
