from django.urls import path

from frontdoor.enquiries import views

app_name = "enquiries"

# Under /forms/information/ (KEEP_POSTS_UNDER): a POST after a time-out is kept.
urlpatterns = [
    path("<slug:reference>/add/", views.add, name="add"),
    path("<slug:reference>/<int:pk>/", views.answer, name="answer"),
    path("<slug:reference>/<int:pk>/file/<uuid:document_id>/", views.document, name="document"),
]
