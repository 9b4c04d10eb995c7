from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "frontdoor.api"
    label = "api"
    verbose_name = "Case-management API"

    def ready(self) -> None:
        from django.conf import settings

        from frontdoor.api import checks, receivers  # noqa: F401 - registers them
        from frontdoor.api.throttling import parse_rate

        parse_rate(settings.API_RATE_LIMIT)  # a rate that cannot be read stops start-up
