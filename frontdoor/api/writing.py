"""What an API client changes: it marks a referral imported into its system, and posts
its team's decision (views.py holds the endpoints; the case work is cases.services').

Marking imported is safe to repeat. The same external reference again answers as the
first time; a different one, once the referral is imported for the team it is in now,
is a conflict. With an `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-
header), the same key answers as its first call did, even after the referral has moved
on; the same key with a different request (another referral, another external
reference) is refused, never taken for a new import. Two calls at once are serialised by
the lock on the case row (and the unique constraint on client, case and team).
"""

from dataclasses import dataclass

from django.db import transaction

from frontdoor.api.models import ApiClient, ApiImport
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.core.actors import System


class KeyReused(Exception):
    """The Idempotency-Key was sent before with a different request."""


class AlreadyImported(Exception):
    """Imported for the referral's team with another external reference."""


class Gone(Exception):
    """The case left the client's teams (a transfer) while the call was on its way."""


@dataclass
class Marked:
    made: ApiImport
    new: bool  # False: the answer of an earlier call


def system_of(client: ApiClient) -> System:
    """The client as the actor of the case work (core.actors): no user is made up."""
    team_ids = ApiClient.teams.through.objects.filter(apiclient_id=client.pk)
    return System(
        name=client.name,
        client_id=client.pk,
        team_ids=frozenset(team_ids.values_list("team_id", flat=True)),
    )


def mark_imported(client: ApiClient, case: Case, external_reference: str, key: str) -> Marked:
    """Record that the client's system took the case in, for the team it is in now."""
    system = system_of(client)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if key:
            earlier = (
                ApiImport.objects.filter(client=client, idempotency_key=key)
                .select_related("team")
                .first()
            )
            if earlier is not None:
                if earlier.case_id != locked.pk or earlier.external_reference != external_reference:
                    raise KeyReused
                return Marked(earlier, new=False)
        if locked.team_id not in system.team_ids or locked.restricted_at is not None:
            raise Gone
        found = (
            ApiImport.objects.filter(client=client, case=locked, team_id=locked.team_id)
            .select_related("team")
            .first()
        )
        if found is not None:
            if found.external_reference != external_reference:
                raise AlreadyImported
            return Marked(found, new=False)
        made = ApiImport.objects.create(
            client=client,
            case=locked,
            team_id=locked.team_id,
            external_reference=external_reference,
            idempotency_key=key,
        )
        services.record_import(locked, system, external_reference, made.imported_at)
        made = ApiImport.objects.select_related("team").get(pk=made.pk)
        return Marked(made, new=True)
