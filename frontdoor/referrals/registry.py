"""The forms in use: read from the definitions folder once, at start-up."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from frontdoor.referrals.definitions import Definition, DefinitionError, read_definitions

FOLDER = Path(__file__).resolve().parent / "definitions"
_forms: dict[str, Definition] = {}


def load() -> dict[str, Definition]:
    folder = Path(getattr(settings, "FORMS_FOLDER", "") or FOLDER)
    try:
        loaded = read_definitions(folder, settings.FORMS_OFF)
    except DefinitionError as error:
        raise ImproperlyConfigured(f"A form definition is broken: {error}") from None
    _forms.clear()
    _forms.update(loaded)
    return dict(_forms)


def forms() -> dict[str, Definition]:
    """Every form in use, by slug, in the order of their file names."""
    return dict(_forms)


def get(slug: str) -> Definition | None:
    return _forms.get(slug)
