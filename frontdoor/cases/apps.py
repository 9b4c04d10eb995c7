from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "frontdoor.cases"
    label = "cases"
    verbose_name = "Case work"

    def ready(self) -> None:
        from frontdoor.cases import checks  # noqa: F401 - registers the start-up checks
        from frontdoor.cases.receivers import on_submission_sent
        from frontdoor.referrals.signals import submission_sent

        submission_sent.connect(on_submission_sent, dispatch_uid="cases.open_case")
