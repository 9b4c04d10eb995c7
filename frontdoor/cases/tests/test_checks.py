"""The web server and the worker refuse to start with a broken workflows file or a form sent
to a team that is not in the database; `migrate` on an empty database still works."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontdoor.accounts.models import Team
from frontdoor.accounts.tests.test_sessions import random_key
from frontdoor.cases.checks import forms_name_teams_that_exist, workflows_are_valid
from frontdoor.core.startup import refuse_to_start_unless_ready

ROOT = Path(__file__).resolve().parents[3]


def test_the_checks_pass_with_the_shipped_file_and_the_teams_loaded(teams):
    assert workflows_are_valid(None) == []
    assert forms_name_teams_that_exist(None) == []
    refuse_to_start_unless_ready()


def test_a_form_sent_to_a_team_not_in_the_database_stops_start_up(teams):
    Team.objects.filter(slug="lado").delete()
    [problem] = forms_name_teams_that_exist(None)
    assert problem.id == "cases.E002"
    assert problem.is_serious()
    assert "The form lado-referral is sent to the team 'lado'" in problem.msg
    assert "manage.py load_teams" in (problem.hint or "")
    assert "lado-referral.yaml" in (problem.hint or "")
    with pytest.raises(ImproperlyConfigured, match=r"lado-referral.*manage\.py load_teams"):
        refuse_to_start_unless_ready()


def test_a_broken_workflows_file_stops_start_up_naming_the_place(teams, tmp_path, settings):
    broken = tmp_path / "workflows.yaml"
    broken.write_text("teams:\n  lado:\n    stages: []\n    outcomes: []\n", encoding="utf-8")
    settings.WORKFLOWS_FILE = str(broken)
    [problem] = workflows_are_valid(None)
    assert problem.id == "cases.E001"
    assert f"{broken}: teams.lado.stages: must be a list of two or more stages" in problem.msg
    with pytest.raises(ImproperlyConfigured, match="The workflows file is broken"):
        refuse_to_start_unless_ready()


def run(tmp_path: Path, *command: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """A command in a clean process with the production settings and a new SQLite file."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": random_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": "memory://",
        "VIRUS_SCAN": "off",
        "WEBHOOK_SECRET_KEY": "kJ3p0nH1y2Q9Yw8Zr5mV7xT4bC6dE0fG1hI2jK3lM4o=",
        **extra,
    }
    return subprocess.run(
        [sys.executable, *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_works_on_an_empty_database_and_serving_waits_for_the_teams(tmp_path):
    serve = ("-c", "import frontdoor.wsgi; print('started')")
    # Before migrate: no tables, nothing to check the teams against.
    assert run(tmp_path, *serve).stdout.strip() == "started"
    migrated = run(tmp_path, "manage.py", "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    refused = run(tmp_path, *serve)
    assert refused.returncode != 0
    assert "The form social-care-referral is sent to the team 'social-care'" in refused.stderr
    assert "manage.py load_teams" in refused.stderr
    worker = run(tmp_path, "manage.py", "worker")
    assert worker.returncode != 0
    assert "manage.py load_teams" in worker.stderr
    deploy = run(tmp_path, "manage.py", "check", "--deploy")
    assert "cases.E002" in deploy.stderr
    loaded = run(tmp_path, "manage.py", "load_teams")
    assert loaded.returncode == 0, loaded.stderr
    started = run(tmp_path, *serve)
    assert started.stdout.strip() == "started", started.stderr
