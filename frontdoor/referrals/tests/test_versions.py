from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from frontdoor.referrals import registry
from frontdoor.referrals.definitions import DefinitionError, read_definition
from frontdoor.referrals.models import FormVersion
from frontdoor.referrals.services import definition_of, stored_version

pytestmark = pytest.mark.django_db

SIXTH = {
    "slug": "library-card",
    "version": 1,
    "title": "Library card request",
    "short_name": "Library card",
    "team": "feedback",
    "who": ["professional", "parent_carer", "member_of_public", "young_person"],
    "sections": [
        {
            "slug": "reader",
            "title": "The reader",
            "questions": [
                {"id": "first_name", "type": "text", "label": "First name", "required": True},
                {"id": "has_card", "type": "yes_no", "label": "Do they have a card already?"},
                {
                    "id": "card_number",
                    "type": "text",
                    "label": "Card number",
                    "show_if": {"question": "has_card", "equals": "yes"},
                },
            ],
        }
    ],
}


def write(folder: Path, data: dict) -> Path:
    path = folder / f"{data['slug']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_version_is_stored_once_and_reused(tmp_path):
    definition = read_definition(write(tmp_path, SIXTH))
    first = stored_version(definition)
    again = stored_version(read_definition(write(tmp_path, SIXTH)))
    assert first.pk == again.pk
    assert FormVersion.objects.filter(slug="library-card").count() == 1


def test_changing_a_form_without_raising_its_version_is_refused(tmp_path):
    stored_version(read_definition(write(tmp_path, SIXTH)))
    changed = {**SIXTH, "title": "Library card application"}

    with pytest.raises(DefinitionError, match=r"library-card\.yaml: version 1 is already in use"):
        stored_version(read_definition(write(tmp_path, changed)))


def test_an_old_version_still_reads_after_the_form_changes(tmp_path):
    old = stored_version(read_definition(write(tmp_path, SIXTH)))
    new_source = {**SIXTH, "version": 2, "title": "Library card application"}
    new = stored_version(read_definition(write(tmp_path, new_source)))

    assert old.pk != new.pk
    rebuilt = definition_of(old)
    assert rebuilt.title == "Library card request"
    assert rebuilt.section("reader").question("card_number").show_if is not None
    assert definition_of(new).title == "Library card application"


def test_stored_versions_cannot_be_told_apart_from_their_files(tmp_path):
    definition = read_definition(write(tmp_path, SIXTH))
    assert definition_of(stored_version(definition)) == definition


def test_every_form_in_use_is_stored_after_migrating():
    stored = set(FormVersion.objects.values_list("slug", "version"))
    for definition in registry.forms().values():
        assert (definition.slug, definition.version) in stored


def test_a_broken_definition_stops_start_up_naming_the_file_and_place(settings, tmp_path):
    broken = {
        **SIXTH,
        "sections": [
            {**SIXTH["sections"][0], "questions": [{"id": "x", "type": "colour", "label": "X"}]}
        ],
    }
    write(tmp_path, broken)
    settings.FORMS_FOLDER = str(tmp_path)
    try:
        with pytest.raises(ImproperlyConfigured) as raised:
            registry.load()
        assert "library-card.yaml: sections[0].questions[0].type" in str(raised.value)
    finally:
        settings.FORMS_FOLDER = ""
        registry.load()


def test_a_sixth_form_is_added_by_a_file_and_a_form_switched_off_by_configuration(
    settings, tmp_path
):
    write(tmp_path, SIXTH)
    write(tmp_path, {**SIXTH, "slug": "old-form", "title": "Old form"})
    settings.FORMS_FOLDER = str(tmp_path)
    settings.FORMS_OFF = ["old-form"]
    try:
        forms = registry.load()
        assert list(forms) == ["library-card"]
        assert registry.get("library-card").title == "Library card request"
    finally:
        settings.FORMS_FOLDER = ""
        settings.FORMS_OFF = []
        registry.load()


def test_a_stored_version_is_parsed_once_then_served_from_memory(tmp_path):
    stored = stored_version(read_definition(write(tmp_path, SIXTH)))
    first = definition_of(stored)
    # Another row object for the same version (as each request loads): not parsed again.
    again = definition_of(FormVersion.objects.get(pk=stored.pk))
    assert again is first
    assert first.title == "Library card request"


def test_the_cache_never_serves_other_content_under_the_same_version(tmp_path):
    stored = stored_version(read_definition(write(tmp_path, SIXTH)))
    first = definition_of(stored)
    # The cached copy is the cache's own: changing the row's JSON in memory leaves it be.
    stored.definition["title"] = "Changed in memory"
    assert first.title == "Library card request"
    assert first.source["title"] == "Library card request"
    # A row changed by hand, keeping its version and hash: read from its own content.
    assert definition_of(stored).title == "Changed in memory"
    assert definition_of(FormVersion.objects.get(pk=stored.pk)).title == "Library card request"
