from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "frontdoor.backoffice"
    label = "backoffice"
    verbose_name = "Council staff pages"
