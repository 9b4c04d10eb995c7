from django.conf import settings
from django.http import HttpRequest


def council(request: HttpRequest) -> dict[str, object]:
    """The council's name, phone numbers and links, for every template."""
    return {
        "council": settings.COUNCIL,
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        "session_warning_minutes": settings.SESSION_WARNING_MINUTES,
        "code_valid_minutes": settings.CODE_VALID_MINUTES,
    }
