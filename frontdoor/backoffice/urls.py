from django.urls import path

from frontdoor.backoffice import dashboard, export, inbox, partners, views

app_name = "backoffice"

urlpatterns = [
    # The inbox first: "in/…" is never a reference.
    path("", inbox.inbox, name="inbox"),
    path("in/<slug:team>/", inbox.team_inbox, name="team_inbox"),
    path("in/<slug:team>/search/", inbox.search_inbox, name="inbox_search"),
    path("in/<slug:team>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("in/<slug:team>/export/", export.export, name="inbox_export"),
    path("<str:reference>/", views.submission, name="submission"),
    path("<str:reference>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("<str:reference>/file/<uuid:document_id>/", views.document, name="document"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/rate/", views.rate, name="rate"),
    path("<str:reference>/note/", views.note, name="note"),
    path("<str:reference>/stage/", views.stage, name="stage"),
    path("<str:reference>/decide/", views.decide, name="decide"),
    path("<str:reference>/confirm/", views.confirm, name="confirm"),
    path("<str:reference>/transfer/", views.transfer, name="transfer"),
    path("<str:reference>/ask/", views.ask, name="ask"),
    path("<str:reference>/information-read/", views.information_read, name="information_read"),
    path(
        "<str:reference>/information/<int:enquiry_id>/file/<uuid:document_id>/",
        views.information_document,
        name="information_document",
    ),
    path("<str:reference>/checks/new/", partners.ask, name="check_ask"),
    path("<str:reference>/checks/<int:check_id>/chase/", partners.chase, name="check_chase"),
    path("<str:reference>/checks/<int:check_id>/reply/", partners.reply, name="check_reply"),
    path("<str:reference>/restrict/", views.restrict, name="restrict"),
    path("<str:reference>/restrict/lift/", views.lift_restriction, name="lift_restriction"),
]
