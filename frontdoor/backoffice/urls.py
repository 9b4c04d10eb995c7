from django.urls import path

from frontdoor.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<str:reference>/", views.submission, name="submission"),
]
