"""The forms a client's teams receive, their versions, and each version's JSON Schema.

A form is the client's when its team is one of the client's: the team of the form in use
(registry), else of its latest stored version (a form a council stopped using still has
referrals). Its versions are those stored (a version is stored when it is first used,
so every referral was sent on one of them) and the version in use, which new referrals
are sent on.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models.fields.json import KT

from frontdoor.api.models import ApiClient
from frontdoor.referrals import registry
from frontdoor.referrals.models import FormVersion
from frontdoor.referrals.schema import schema_of, typed_schema


@dataclass
class Form:
    slug: str
    name: str
    team: str
    current_version: int | None  # the version in use, None once the form is not
    versions: list[int] = field(default_factory=list)


def forms_for(client: ApiClient) -> list[Form]:
    teams = set(client.teams.values_list("slug", flat=True))
    found: dict[str, Form] = {}
    stored = (
        FormVersion.objects.annotate(team=KT("definition__team"), title=KT("definition__title"))
        .order_by("slug", "version")
        .values_list("slug", "version", "team", "title")
    )
    for slug, version, team, title in stored:
        form = found.setdefault(slug, Form(slug, str(title), str(team), None))
        form.name, form.team = str(title), str(team)  # the latest version's
        form.versions.append(version)
    for slug, definition in registry.forms().items():
        form = found.setdefault(slug, Form(slug, definition.title, definition.team, None))
        form.name, form.team = definition.title, definition.team
        form.current_version = definition.version
        if definition.version not in form.versions:
            form.versions.append(definition.version)
    return sorted((f for f in found.values() if f.team in teams), key=lambda f: f.slug)


def schema_for(client: ApiClient, slug: str, version: int) -> dict[str, Any] | None:
    """The JSON Schema of that version's typed answers, if the form is the client's and
    the version exists; else None."""
    form = next((f for f in forms_for(client) if f.slug == slug), None)
    if form is None or version not in form.versions:
        return None
    stored = FormVersion.objects.filter(slug=slug, version=version).first()
    if stored is not None:
        return schema_of(stored)
    definition = registry.get(slug)
    assert definition is not None
    assert definition.version == version
    return typed_schema(definition)
