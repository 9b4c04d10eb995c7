from django.urls import path

from frontdoor.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<str:reference>/", views.submission, name="submission"),
    path("<str:reference>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("<str:reference>/file/<uuid:document_id>/", views.document, name="document"),
]
