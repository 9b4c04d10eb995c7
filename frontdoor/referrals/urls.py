from django.urls import path

from frontdoor.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("recover/", views.recover, name="recover"),
    path("sent/", views.submitted, name="submitted"),
    path("sent/<slug:reference>/", views.sent, name="sent"),
    path("sent/<slug:reference>/pdf/", views.sent_pdf, name="sent_pdf"),
    path(
        "sent/<slug:reference>/file/<uuid:document_id>/", views.sent_document, name="sent_document"
    ),
    path("draft/<int:draft_id>/", views.task_list, name="task_list"),
    path("draft/<int:draft_id>/check/", views.check, name="check"),
    path("draft/<int:draft_id>/send/", views.send, name="send"),
    path("draft/<int:draft_id>/delete/", views.delete_draft, name="delete"),
    path(
        "draft/<int:draft_id>/file/<uuid:document_id>/",
        views.draft_document,
        name="draft_document",
    ),
    path("draft/<int:draft_id>/<slug:slug>/", views.section, name="section"),
    path("draft/<int:draft_id>/<slug:slug>/<int:item>/", views.section, name="item"),
    path(
        "draft/<int:draft_id>/<slug:slug>/<int:item>/remove/",
        views.remove_item,
        name="remove_item",
    ),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/without-an-account/", views.without_account, name="without_account"),
]
