"""Jobs that run on a schedule inside the task worker, with no cron needed.

Each job is a task that does its work and then queues itself again for later. The
`worker` command makes sure each job is queued once when the worker starts. For councils
that prefer cron, every job also has a management command.
"""

from datetime import timedelta

from django.core.management import call_command
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

# name: (dotted path of a function taking no arguments, how often in minutes)
JOBS: dict[str, tuple[str, int]] = {
    "delete-unverified-accounts": ("frontdoor.accounts.services.delete_unverified_accounts", 60),
    # Sessions hold what a half-finished registration typed; task rows hold addresses.
    "clear-expired-sessions": ("frontdoor.core.periodic.clear_sessions", 60),
    "prune-finished-tasks": ("frontdoor.core.periodic.prune_tasks", 60),
    "forget-old-throttle-records": ("frontdoor.accounts.throttle.forget_old", 60),
    "delete-expired-drafts": ("frontdoor.referrals.drafts.delete_expired", 60),
    "remind-before-draft-deletion": ("frontdoor.referrals.drafts.remind_before_deletion", 60),
    # New referrals to the drops of systems without an API (api/drops.py).
    "drop-referrals": ("frontdoor.api.drops.run_all", 5),
    # Removes referrals past retention, leaving tombstones, and old audit events.
    "apply-retention": ("frontdoor.retention.services.apply_retention", 24 * 60),
}


def clear_sessions() -> None:
    call_command("clearsessions")


def prune_tasks() -> None:
    # Finished tasks (their arguments name email addresses) are kept a day for diagnosis.
    call_command("prune_db_task_results", "--min-age-days", "1", verbosity=0)


@task()
def run_job(name: str) -> None:
    path, minutes = JOBS[name]
    try:
        import_string(path)()
    finally:
        run_job.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue(name=name)


def ensure_scheduled() -> list[str]:
    """Queue every job that is not already waiting in the queue. Returns those queued."""
    from django_tasks_db.models import DBTaskResult

    # Queued for later counts too (run_after in the future): `ready()` would miss those.
    waiting = DBTaskResult.objects.filter(status="READY", task_path=run_job.module_path)
    queued = []
    for name in JOBS:
        if not any(r.args_kwargs.get("kwargs", {}).get("name") == name for r in waiting):
            run_job.enqueue(name=name)
            queued.append(name)
    return queued
