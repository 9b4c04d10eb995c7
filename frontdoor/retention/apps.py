from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "frontdoor.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        from frontdoor.retention import checks  # noqa: F401 - registers it
