"""Named operations on forms. Pages, commands and tests call these."""

import copy

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


# Parsed stored versions, by (slug, version, content hash): a stored version never
# changes, so each is read and checked once per process (the inbox asks per row).
_parsed: dict[tuple[str, int, str], Definition] = {}
PARSED_MAX = 256


def definition_of(version: FormVersion) -> Definition:
    """The definition a draft or submission was made with, rebuilt from its stored copy
    (once per process: later calls return the same Definition, which must not be changed)."""
    key = (version.slug, version.version, version.content_hash)
    cached = _parsed.get(key)
    # The stored content is compared too: a row written by hand with a wrong hash is
    # parsed again rather than shown with another version's questions.
    if cached is not None and cached.source == version.definition:
        return cached
    source = copy.deepcopy(version.definition)  # the cache's own, whatever the row does
    definition = definition_from_source(f"{version.slug}.yaml", source)
    if len(_parsed) >= PARSED_MAX:
        _parsed.clear()
    _parsed[key] = definition
    return definition
