"""Named operations on forms. Pages, commands and tests call these."""

from django.db import IntegrityError, transaction

from frontdoor.referrals import registry
from frontdoor.referrals.definitions import Definition, DefinitionError, definition_from_source
from frontdoor.referrals.models import FormVersion


def stored_version(definition: Definition) -> FormVersion:
    """The stored copy of this definition's version, made the first time it is used.

    A version number already stored with other content is refused: a changed form must
    carry a new version, or drafts and sent forms would be shown with the wrong questions.
    """
    try:
        with transaction.atomic():
            stored, _ = FormVersion.objects.get_or_create(
                slug=definition.slug,
                version=definition.version,
                defaults={"content_hash": definition.content_hash, "definition": definition.source},
            )
    except IntegrityError:  # made a moment ago by another request
        stored = FormVersion.objects.get(slug=definition.slug, version=definition.version)
    if stored.content_hash != definition.content_hash:
        raise DefinitionError(
            f"{definition.slug}.yaml: version {definition.version} is already in use with "
            "different content: raise the version number when you change a form"
        )
    return stored


def store_all_versions() -> list[FormVersion]:
    """Store every form in use (after migrating), so a changed file stops start-up early."""
    return [stored_version(definition) for definition in registry.forms().values()]


def definition_of(version: FormVersion) -> Definition:
    """The definition a draft or submission was made with, rebuilt from its stored copy."""
    return definition_from_source(f"{version.slug}.yaml", version.definition)
