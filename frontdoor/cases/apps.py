"""Case work on sent referrals: the case beside each immutable submission.

A submission never changes; everything the council does with it (the team it is in, its
stage, who it is assigned to, its rating, notes, the decision, transfers) is on its Case.
Each action is one named service function in `services.py` that writes the history and the
audit event: the staff pages call them, and the API will call the same ones.
"""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "frontdoor.cases"
    label = "cases"
    verbose_name = "Case work"

    def ready(self) -> None:
        # The workflows file and the forms' teams, checked before serving (checks.py).
        from frontdoor.cases import checks  # noqa: F401
