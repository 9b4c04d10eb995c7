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
    path("<slug:reference>/", views.submission, name="submission"),
    path("<slug:reference>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("<slug:reference>/file/<uuid:document_id>/", views.document, name="document"),
    path("<slug:reference>/assign/", views.assign, name="assign"),
    path("<slug:reference>/rate/", views.rate, name="rate"),
    path("<slug:reference>/note/", views.note, name="note"),
    path("<slug:reference>/stage/", views.stage, name="stage"),
    path("<slug:reference>/decide/", views.decide, name="decide"),
    path("<slug:reference>/confirm/", views.confirm, name="confirm"),
    path("<slug:reference>/transfer/", views.transfer, name="transfer"),
    path("<slug:reference>/ask/", views.ask, name="ask"),
    path("<slug:reference>/information-read/", views.information_read, name="information_read"),
    path(
        "<slug:reference>/information/<int:enquiry_id>/file/<uuid:document_id>/",
        views.information_document,
        name="information_document",
    ),
    path("<slug:reference>/checks/new/", partners.ask, name="check_ask"),
    path("<slug:reference>/checks/<int:check_id>/chase/", partners.chase, name="check_chase"),
    path("<slug:reference>/checks/<int:check_id>/reply/", partners.reply, name="check_reply"),
    path("<slug:reference>/restrict/", views.restrict, name="restrict"),
    path("<slug:reference>/restrict/lift/", views.lift_restriction, name="lift_restriction"),
]
