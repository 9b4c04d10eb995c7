from frontdoor.addresses.tests.os_places_server import os_places  # noqa: F401 - a fixture
