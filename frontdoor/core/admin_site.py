from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def secure_admin(site: AdminSite) -> None:
    """The administration site signs in through the portal's own password + emailed code.

    Django's admin has its own password-only sign-in form; it is replaced by a redirect,
    so administrators meet the same code, throttles and audit as everyone else.
    """

    def login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not an administrator: the admin does not exist for them.
            raise Http404
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, reverse("accounts:login"))

    allowed = site.has_permission

    def has_permission(request: HttpRequest) -> bool:
        if request.user.is_authenticated and not allowed(request):
            # Signed in but not an administrator: for them the admin does not exist.
            raise Http404
        return allowed(request)

    def logout(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        from frontdoor.accounts.views import sign_out

        return sign_out(request)

    def password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # The portal's page applies the policy and history, notifies and audits.
        return redirect("accounts:change_password")

    site.login = login  # type: ignore[method-assign]
    site.logout = logout  # type: ignore[method-assign,assignment]
    site.password_change = password_change  # type: ignore[method-assign,assignment]
    site.has_permission = has_permission  # type: ignore[method-assign]
    # Permissions come from being an administrator, not from groups.
    from django.contrib.auth.models import Group

    if site.is_registered(Group):
        site.unregister(Group)
    # Nothing in the portal is deleted in bulk from a list page.
    site.disable_action("delete_selected")
    site.site_header = "Front Door administration"
    site.site_title = "Front Door administration"
    site.index_title = "Accounts, teams and the audit log"
