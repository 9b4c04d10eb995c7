from django.urls import path
from django.views.decorators.http import require_safe

from frontdoor.api.reference import reference
from frontdoor.api.views import api, index

app_name = "api"
patterns = api.urls[0]
# Ninja's root ("api-root", which it reverses for the schema's paths) is only a 404 page:
# the same name here answers with where the schema is.
urlpatterns = [
    *(p for p in patterns if getattr(p, "name", None) != "api-root"),
    path("", require_safe(index), name="api-root"),
    path("docs", require_safe(reference), name="reference"),
]
