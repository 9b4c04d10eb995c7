from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "frontdoor.api"
    label = "api"
    verbose_name = "Case-management API"

    def ready(self) -> None:
        from frontdoor.api import checks, receivers  # noqa: F401 - registers them
