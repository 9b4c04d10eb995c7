from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "frontdoor.documents"
    verbose_name = "Supporting documents"

    def ready(self) -> None:
        from frontdoor.documents import checks, signals  # noqa: F401
