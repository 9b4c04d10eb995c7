"""Until a council configures it, the portal is a fictional council's: no real council's
name, domain or phone number in the defaults, so a trial never sends anyone to one."""

import io
import json
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from urllib.parse import urlsplit

from frontdoor.accounts.tests.test_sessions import random_key

ROOT = Path(__file__).resolve().parents[3]
REAL_COUNCIL = re.compile(r"worcester", re.I)  # the council these defaults once were
# An address, not a URL's user:password@host.
EMAIL = re.compile(r"(?<![\w:/.%+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
URL = re.compile(r"https?://[^\s\"'<>)]+")
# A UK number: 10 or 11 digits starting 0, or +44, in the usual groupings.
PHONE = re.compile(r"(?<![\w+])(?:\+44 ?\(?0?\)? ?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?!\d)")
# Ofcom's numbers for TV and radio drama, as digits with the leading 0.
DRAMA = re.compile(
    r"^(?:01632960\d{3}|07700900\d{3}|08081570\d{3}|02079460\d{3}|01[1-9][1-9]4960\d{3}"
    r"|09098790\d{3}|03069990\d{3})$"
)
# National services anyone may be sent to, and digits that are not a phone number.
NOT_A_COUNCIL = {"03031231113": "the ICO's helpline", "0123456789": "the digits allowed"}


def reserved(domain: str) -> bool:
    """A domain nobody can own (RFC 2606 and 6761)."""
    domain = domain.lower().rstrip(".")
    top = domain.rsplit(".", 1)[-1]
    second = ".".join(domain.rsplit(".", 2)[-2:])
    return top in {"example", "invalid", "test", "localhost"} or second in {
        "example.com",
        "example.net",
        "example.org",
    }


def digits_of(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if digits.startswith("44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def drama(number: str) -> bool:
    return bool(DRAMA.match(digits_of(number)))


def problems(text: str) -> list[str]:
    found = [f"names {match.group()!r}" for match in REAL_COUNCIL.finditer(text)]
    found += [f"mails {m.group()}" for m in EMAIL.finditer(text) if not reserved(m.group(1))]
    for url in URL.findall(text):
        host = urlsplit(url).hostname or ""
        # National services (www.gov.uk's "Find your local council") may be linked to; a
        # council's own site may not.
        if host.endswith(".gov.uk") and host != "www.gov.uk":
            found.append(f"links to {url}")
    found += [
        f"phones {m.group()}"
        for m in PHONE.finditer(text)
        if not drama(m.group()) and digits_of(m.group()) not in NOT_A_COUNCIL
    ]
    return found


def test_the_checks_find_a_real_councils_details():
    real = "Worcestershire County Council, 01905 822666, mash@worcestershire.gov.uk, "
    real += "https://www.worcestershire.gov.uk/children, +44 1905 768020, mash@council.gov.uk"
    assert len(problems(real)) == 8
    fictional = "Exampleshire, 01632 960001, 0808 157 0192, 020 7946 0123, +44 7700 900982, "
    fictional += "mash@council.example, https://council.example/x, https://www.gov.uk/x"
    assert problems(fictional) == []


def test_the_default_council_is_fictional():
    env = {"PATH": os.environ.get("PATH", ""), "SECRET_KEY": random_key()}
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, frontdoor.settings as s; print(json.dumps(s.COUNCIL))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    council = json.loads(shown.stdout)
    assert problems(json.dumps(council)) == []
    assert drama(council["contact_phone"])
    assert drama(council["emergency_phone"])
    assert reserved(council["contact_email"].split("@")[1])
    assert reserved(council["privacy_contact"].split("@")[1])
    assert reserved(urlsplit(council["threshold_url"]).hostname or "")


def test_the_default_teams_mailboxes_are_fictional():
    teams = json.loads((ROOT / "frontdoor/accounts/fixtures/teams.json").read_text())
    assert teams
    assert [team["mailbox"] for team in teams if not reserved(team["mailbox"].split("@")[1])] == []


def python_strings(path: Path) -> str:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    return "\n".join(token.string for token in tokens if token.type in kinds)


def shipped_text() -> dict[str, str]:
    """What the portal shows or sends by default: the strings in its code (not comments),
    its templates, form definitions and fixtures, and the values in .env.example. Tests,
    the sample gazetteer (fictional streets at Worcester postcodes) and the documented
    example in examples/ are not defaults."""
    texts: dict[str, str] = {}
    for path in sorted([*(ROOT / "frontdoor").rglob("*"), *(ROOT / "templates").rglob("*")]):
        relative = path.relative_to(ROOT)
        if not path.is_file() or "tests" in relative.parts or "__pycache__" in relative.parts:
            continue
        if relative.parts[:3] == ("frontdoor", "addresses", "data"):
            continue
        if path.suffix == ".py":
            texts[str(relative)] = python_strings(path)
        elif path.suffix in {".html", ".txt", ".yaml", ".yml", ".json", ".md"}:
            texts[str(relative)] = path.read_text()
    lines = (ROOT / ".env.example").read_text().splitlines()
    texts[".env.example"] = "\n".join(line for line in lines if not line.startswith("#"))
    return texts


def test_nothing_shipped_names_a_real_council_or_its_mailboxes_sites_or_phones():
    texts = shipped_text()
    assert "frontdoor/settings.py" in texts
    assert "templates/base.html" in texts
    found = {name: problems(text) for name, text in texts.items()}
    assert {name: found for name, found in found.items() if found} == {}


def test_the_worcestershire_example_is_a_whole_configuration():
    """examples/worcestershire.env sets every council variable .env.example lists."""
    example = (ROOT / "examples/worcestershire.env").read_text()
    names = set(re.findall(r"^(COUNCIL_\w+|SERVICE_NAME)=", example, re.M))
    listed = set(
        re.findall(r"^(COUNCIL_\w+|SERVICE_NAME)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert listed - {"COUNCIL_BRAND_COLOUR"} <= names
    teams = json.loads((ROOT / "examples/worcestershire-teams.json").read_text())
    default = json.loads((ROOT / "frontdoor/accounts/fixtures/teams.json").read_text())
    assert [team["slug"] for team in teams] == [team["slug"] for team in default]
