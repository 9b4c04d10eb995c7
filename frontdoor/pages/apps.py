from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "frontdoor.pages"
    label = "pages"
    verbose_name = "Pages"
