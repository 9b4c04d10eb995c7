from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """What council administrators do across apps: leavers (accounts, drafts, referrals)
    and the audit viewer. Above backoffice in the layering: it calls accounts, referrals,
    documents and cases, and borrows the back office's date filter and pagination;
    nothing below imports it."""

    name = "frontdoor.administration"
    label = "administration"
    verbose_name = "Administration"
