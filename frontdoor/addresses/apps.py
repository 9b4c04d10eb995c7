from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "frontdoor.addresses"
    label = "addresses"
