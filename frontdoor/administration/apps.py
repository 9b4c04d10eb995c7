from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """What council administrators do across apps: leavers (accounts, drafts, referrals)
    and the audit viewer. Above cases in the layering: it calls accounts, referrals,
    documents and cases; nothing below imports it."""

    name = "frontdoor.administration"
    label = "administration"
    verbose_name = "Administration"
