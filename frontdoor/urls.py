from django.contrib import admin
from django.urls import include, path

from frontdoor.core.admin_site import secure_admin

secure_admin(admin.site)

urlpatterns = [
    path("", include("frontdoor.pages.urls")),
    path("account/", include("frontdoor.accounts.urls")),
    # Before forms/ (whose "<slug>/" would take "information"): the referrer's answers.
    path("forms/information/", include("frontdoor.enquiries.urls")),
    path("forms/", include("frontdoor.referrals.urls")),
    path("team/", include("frontdoor.backoffice.urls")),
    path("api/v1/", include("frontdoor.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "frontdoor.pages.views.bad_request"
handler403 = "frontdoor.pages.views.permission_denied"
handler404 = "frontdoor.pages.views.page_not_found"
handler500 = "frontdoor.pages.views.server_error"
