from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "frontdoor.referrals"
    label = "referrals"
    verbose_name = "Referral forms"

    def ready(self) -> None:
        # Read and check every form definition now: a broken one stops start-up with a
        # message naming the file and the place, rather than failing a referrer later.
        from django.db.models.signals import post_migrate

        from frontdoor.referrals import pdf, registry  # noqa: F401 (pdf: its signal)

        registry.load()
        post_migrate.connect(_store_versions, sender=self)


def _store_versions(**kwargs: object) -> None:
    # After `migrate`: store each form version in use, refusing a changed file that kept
    # its version number (make run and deployments migrate before serving).
    from frontdoor.referrals.services import store_all_versions

    store_all_versions()
