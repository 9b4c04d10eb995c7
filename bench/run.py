"""Front Door benchmarks: CPU time per page and the cost of a sign-in (`make bench`).

Runs in-process against a throwaway SQLite database with production settings (the real
Argon2 parameters), so the figures are what one app worker spends per request. Not a
test: it prints figures to compare between changes.
"""

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import cpu_ms, referrer, setup

setup("bench")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
call_command("load_teams", verbosity=0)  # as every council has them


PASSWORD = "Kettle-Orbit-Lantern7"  # noqa: S105 - a throwaway account


def main() -> None:
    user = referrer(PASSWORD)
    from frontdoor.referrals import drafts, registry

    draft = drafts.start(user, registry.get("social-care-referral"))
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(user)
    rows = []
    for name, client, path in [
        ("GET / (signed out)", anonymous, "/"),
        ("GET sign-in page", anonymous, "/account/sign-in/"),
        ("GET register step 1 (20 fields)", anonymous, "/account/register/"),
        ("GET Your details", signed_in, "/account/details/"),
        ("GET change details form", signed_in, "/account/details/change/"),
        ("GET Social Care task list", signed_in, f"/forms/draft/{draft.pk}/"),
        ("GET Social Care child (20 questions)", signed_in, f"/forms/draft/{draft.pk}/children/0/"),
        ("GET Social Care check your answers", signed_in, f"/forms/draft/{draft.pk}/check/"),
    ]:
        median, worst, _ = cpu_ms(lambda c=client, p=path: c.get(p), 200)
        rows.append((name, median, worst))

    def bad_step1() -> None:
        anonymous.post("/account/register/", {"professional": "yes"})

    rows.append(("POST register step 1, all errors", *cpu_ms(bad_step1, 200)[:2]))

    def password_step() -> None:
        Client().post("/account/sign-in/", {"email": user.email, "password": PASSWORD})

    rows.append(("POST sign-in password (Argon2)", *cpu_ms(password_step, 10)[:2]))
    rows.extend(pdf_rows(user, signed_in))
    print(f"{'what':42} {'median ms CPU':>14} {'worst':>8}")
    for name, median, worst in rows:
        print(f"{name:42} {median:14.1f} {worst:8.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")


def large_answers(definition) -> dict:
    """Every question answered at length; 20 of each repeated item (children, household…)."""
    long = "The child said that things at home had been difficult since the summer. " * 30

    def value(question):
        kind = question.type
        if kind == "date":
            return ["4", "7", "2019"]
        if kind == "address":
            return ["", "12", "Fictional Road", "", "Worcester", "", "WR1 1AA", ""]
        if kind == "yes_no":
            return "yes"
        if kind in ("radios", "select") and question.options:
            return question.options[0].value
        if kind == "checkboxes":
            return [o.value for o in question.options]
        return long if kind == "long_text" else "Ava Smith-Jones"

    answers = {}
    for section in definition.sections:
        item = {q.id: value(q) for q in section.questions if q.type != "documents"}
        answers[section.slug] = [dict(item) for _ in range(20)] if section.repeat else item
    return answers


def pdf_rows(user, client) -> list[tuple[str, float, float]]:
    """A large sent form's PDF copy: made once by the worker, then only streamed."""
    from frontdoor.referrals import pdf, registry
    from frontdoor.referrals.models import FormVersion, Submission

    definition = registry.get("social-care-referral")
    submission = Submission.objects.create(
        reference="FD-2026-999999",
        owner=user,
        form_version=FormVersion.objects.get(slug=definition.slug, version=definition.version),
        team_slug=definition.team,
        answers=large_answers(definition),
        draft_key=999999,
    )
    url = f"/forms/sent/{submission.reference}/pdf/"
    waiting = client.get(url)  # queues the copy (the dummy task backend runs nothing)
    assert waiting.status_code == 202, waiting.status_code
    start = time.process_time()
    pdf.make_copy.call(submission.pk)  # what the PDF queue's worker does, once
    made = (time.process_time() - start) * 1000

    def download() -> None:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)

    return [
        ("PDF copy of a large form, made (worker, once)", made, made),
        ("GET PDF copy of a large form (streamed)", *cpu_ms(download, 50)[:2]),
    ]


if __name__ == "__main__":
    main()
