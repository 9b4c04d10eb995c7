from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "frontdoor.retention"
    label = "retention"
    verbose_name = "Retention"
