"""The council's password policy, as Django password validators (see AUTH_PASSWORD_VALIDATORS).

- CouncilRulesValidator: length (12 to 128, never truncated), a letter, an upper-case letter,
  a digit, and only letters A to Z, digits, spaces and SPECIAL_CHARACTERS.
- NotGuessableValidator: not the user's name, email address or the council's name; not
  guessable by zxcvbn; not a common word decorated with digits and symbols.
- NotRecentlyUsedValidator: not the current password or one of the previous PASSWORD_HISTORY.

Django runs every validator whatever the others found, so the later validators stay quiet
about a password the cheap rules already refuse: one clear message per failed rule, and no
slow work (zxcvbn, Argon2) for a password that cannot be used anyway.
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128

# The special characters allowed besides letters and digits. The space is allowed too but is
# not in this string (it would be invisible where the list is shown): see ALLOWED_CHARACTERS.
SPECIAL_CHARACTERS = string.punctuation + "£"
LETTERS = frozenset(string.ascii_letters)
UPPER_CASE = frozenset(string.ascii_uppercase)
DIGITS = frozenset(string.digits)
ALLOWED_CHARACTERS = LETTERS | DIGITS | frozenset(SPECIAL_CHARACTERS) | {" "}

PASSWORD_HISTORY: int = getattr(settings, "PASSWORD_HISTORY", 5)

# Lines completing "Your password must" (accounts/includes/password_policy.html).
POLICY_LINES = [
    f"be at least {MIN_LENGTH} characters long, and no more than {MAX_LENGTH}",
    "include at least one letter",
    "include at least one upper-case (capital) letter",
    "include at least one digit (0 to 9)",
    "only use letters A to Z, digits, spaces and these special characters: "
    + " ".join(SPECIAL_CHARACTERS),
    "not include your name, your email address or the council's name",
    "not be a common password or easy to guess, even with digits or symbols added: "
    "3 random words work well, like Kettle-Orbit-Lantern7",
    f"not be your current password or one of your last {PASSWORD_HISTORY}",
]

TOO_GUESSABLE = (
    "Your password is too easy to guess. Try three random words with a digit and an "
    "upper-case letter, like Kettle-Orbit-Lantern7"
)

# zxcvbn's verdict: the score it must reach, and for the letters and the digits and symbols
# of a password taken apart, the log10 of the guesses below which a part counts as guessable.
MIN_SCORE = 3
PART_GUESSABLE_LOG10 = 6.0
DECORATION_GUESSABLE_LOG10 = 6.5
VERY_STRONG_LOG10 = 10.0  # zxcvbn's score 4

# zxcvbn's time grows with the square of the length and, worse, with how many distinct
# "l33t" characters (4 @ 8 ( { [ < 3 6 9 ! | 1 7 0 $ 5 + % 2) the text holds: a 64-character
# text made of them takes 1.5s, 128 random characters 2.7s (zxcvbn 4.5.0 also refuses more
# than 72 by default). So zxcvbn sees only the first 32 characters (worst case 0.4s, random
# text under 20ms). This truncates zxcvbn's input only: the password itself is never cut.
ZXCVBN_MAX_INPUT = 32
# The letters or the digits and symbols of a password taken apart (see _decorated_word).
ZXCVBN_MAX_PART = 16

# Words anyone might try against this service, given to zxcvbn with the user's own details.
CONTEXT_WORDS = [
    "safeguarding",
    "children",
    "childrens",
    "social",
    "care",
    "services",
    "referral",
    "referrals",
    "portal",
    "front",
    "door",
    "frontdoor",
    "mash",
    "lado",
    "council",
    "county",
    "password",
    "welcome",
    "qwerty",
]

# Words of a council's name too general to count as its "main word".
GENERAL_COUNCIL_WORDS = frozenset(
    [
        "council",
        "county",
        "city",
        "borough",
        "district",
        "metropolitan",
        "royal",
        "unitary",
        "authority",
        "combined",
        "the",
        "and",
        "of",
    ]
)

# zxcvbn keeps the user inputs in a module-level dictionary for the length of a call, so two
# threads checking passwords at once could see each other's: one call at a time.
_zxcvbn_lock = threading.Lock()


# --- The rules, as functions the validators share ---------------------------------------


def council_rule_errors(password: str) -> list[ValidationError]:
    """One error per composition rule the password breaks (empty if it meets them all)."""
    errors: list[ValidationError] = []
    characters = set(password)
    if len(password) < MIN_LENGTH:
        errors.append(
            ValidationError(
                "Your password must be at least %(min)d characters",
                code="password_too_short",
                params={"min": MIN_LENGTH},
            )
        )
    if len(password) > MAX_LENGTH:
        errors.append(
            ValidationError(
                "Your password must be %(max)d characters or fewer",
                code="password_too_long",
                params={"max": MAX_LENGTH},
            )
        )
    if not characters & LETTERS:
        errors.append(
            ValidationError("Your password must include a letter", code="password_no_letter")
        )
    if not characters & UPPER_CASE:
        errors.append(
            ValidationError(
                "Your password must include an upper-case letter", code="password_no_upper_case"
            )
        )
    if not characters & DIGITS:
        errors.append(
            ValidationError("Your password must include a digit", code="password_no_digit")
        )
    refused = disallowed_characters(password)
    if refused:
        errors.append(
            ValidationError(
                "Your password cannot include: %(characters)s",
                code="password_character_not_allowed",
                params={"characters": describe_characters(refused)},
            )
        )
    return errors


def meets_council_rules(password: str) -> bool:
    return not council_rule_errors(password)


def disallowed_characters(password: str) -> list[str]:
    """The distinct characters the policy does not allow, in the order they first appear."""
    return list(dict.fromkeys(c for c in password if c not in ALLOWED_CHARACTERS))


_CHARACTER_NAMES = {"\t": "tab", "\n": "new line", "\r": "carriage return"}
_INVISIBLE_CATEGORIES = ("C", "Z", "M")  # controls and formats, spaces, combining marks


def describe_characters(characters: list[str], limit: int = 10) -> str:
    """Characters for a message: visible ones as themselves, others by name ("tab")."""
    described = []
    for character in characters[:limit]:
        if unicodedata.category(character)[0] not in _INVISIBLE_CATEGORIES:
            described.append(character)
        else:
            name = _CHARACTER_NAMES.get(character) or unicodedata.name(character, "")
            described.append(name.lower() if name else f"U+{ord(character):04X}")
    text = ", ".join(described)
    if len(characters) > limit:
        text += " and other characters"
    return text


def _user_words(user: Any) -> tuple[list[str], str]:
    """The user's names (whole and word by word) and the local part of their email."""
    names: list[str] = []
    for attribute in ("first_name", "last_name"):
        value = (getattr(user, attribute, "") or "").strip().lower()
        if value:
            names.append(value)
            names.extend(re.findall(r"[a-z0-9]+", value))
    email = (getattr(user, "email", "") or "").strip().lower()
    return names, email


def _email_words(email: str) -> tuple[list[str], list[str]]:
    """An email's local part (whole and word by word) and its domain's parts."""
    local, _, domain = email.rpartition("@") if "@" in email else (email, "", "")
    local_words = [local, *re.findall(r"[a-z0-9]+", local)] if local else []
    return local_words, [part for part in domain.split(".") if part]


def council_words() -> list[str]:
    name = str(settings.COUNCIL.get("name", "")).lower()
    return re.findall(r"[a-z0-9]+", name)


def council_main_words() -> list[str]:
    """The words that make the council's name its own ("exampleshire")."""
    return [w for w in council_words() if len(w) >= 4 and w not in GENERAL_COUNCIL_WORDS]


def personal_words(user: Any) -> list[str]:
    """Words (3 or more characters) from the user's name and email the password must avoid."""
    if user is None:
        return []
    names, email = _user_words(user)
    local_words, _ = _email_words(email)
    return [w for w in dict.fromkeys([*names, *local_words]) if len(w) >= 3]


def zxcvbn_user_inputs(user: Any) -> list[str]:
    inputs: list[str] = []
    if user is not None:
        names, email = _user_words(user)
        local_words, domain_parts = _email_words(email)
        first = (getattr(user, "first_name", "") or "").lower()
        last = (getattr(user, "last_name", "") or "").lower()
        inputs += [*names, first + last, email, *local_words, *domain_parts]
    inputs += [*council_words(), *CONTEXT_WORDS]
    return [w for w in dict.fromkeys(inputs) if w]


def _guesses_log10(text: str, user_inputs: list[str], limit: int) -> float:
    with _zxcvbn_lock:
        result = zxcvbn(text[:limit], user_inputs=user_inputs, max_length=limit)
    return float(result["guesses_log10"])


def _score(text: str, user_inputs: list[str]) -> tuple[int, float]:
    with _zxcvbn_lock:
        result = zxcvbn(
            text[:ZXCVBN_MAX_INPUT], user_inputs=user_inputs, max_length=ZXCVBN_MAX_INPUT
        )
    return int(result["score"]), float(result["guesses_log10"])


def is_guessable(password: str, user: Any = None) -> bool:
    user_inputs = zxcvbn_user_inputs(user)
    score, guesses_log10 = _score(password, user_inputs)
    if score < MIN_SCORE:
        return True
    return _decorated_word(password, user_inputs, guesses_log10)


def _decorated_word(password: str, user_inputs: list[str], guesses_log10: float) -> bool:
    """A guessable word dressed up with digits and symbols: Summer2024!!x, Chelsea2025!!.

    zxcvbn rates those score 3, so take the password apart: if its letters alone are
    guessable, refuse it unless it is very strong as a whole (zxcvbn's score 4) and its digits
    and symbols alone are not guessable either. The exception keeps out of trouble random
    passwords with few letters, as password managers make (W7#q9$2@xK4!): refusing any
    password whose letters alone are guessable would refuse 3 in 10 random 12-character
    passwords; this refuses about 1 in 40, and still every common password the tests try.
    """
    letters = "".join(c for c in password if c in LETTERS).lower()
    if not letters or _guesses_log10(letters, user_inputs, ZXCVBN_MAX_PART) >= (
        PART_GUESSABLE_LOG10
    ):
        return False
    if guesses_log10 < VERY_STRONG_LOG10:
        return True
    decoration = "".join(c for c in password if c not in LETTERS)
    return _guesses_log10(decoration, user_inputs, ZXCVBN_MAX_PART) < DECORATION_GUESSABLE_LOG10


# --- The validators ---------------------------------------------------------------------


class CouncilRulesValidator:
    """Length, a letter, an upper-case letter, a digit and only the allowed characters."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = council_rule_errors(password)
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "Your password must " + "; ".join(POLICY_LINES[:5]) + "."


class NotGuessableValidator:
    """Not the user's name or email, not the council's name, and not easy to guess.

    A password that includes a name gets that specific message only; zxcvbn's verdict comes
    once the name is gone (and the composition rules are met), so messages are not repeated.
    """

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        errors: list[ValidationError] = []
        if any(word in lowered for word in personal_words(user)):
            errors.append(
                ValidationError(
                    "Your password must not include your name or email address",
                    code="password_includes_name",
                )
            )
        if any(word in lowered for word in council_main_words()):
            errors.append(
                ValidationError(
                    "Your password must not include the council's name",
                    code="password_includes_council_name",
                )
            )
        if not errors and meets_council_rules(password) and is_guessable(password, user):
            errors.append(ValidationError(TOO_GUESSABLE, code="password_too_guessable"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "Your password must " + "; ".join(POLICY_LINES[5:7]) + "."


class NotRecentlyUsedValidator:
    """Not the current password nor one of the previous PASSWORD_HISTORY.

    The history holds the hash of every password set (remember_password), newest first, the
    current one included. At most PASSWORD_HISTORY + 1 Argon2 checks, and none for a password
    the composition rules refuse or for an account not yet saved.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        if not meets_council_rules(password):
            return
        if any(check_password(password, encoded) for encoded in recent_hashes(user)):
            raise ValidationError(
                "You have used this password recently. Choose one you have not used before",
                code="password_recently_used",
            )

    def get_help_text(self) -> str:
        return "Your password must " + POLICY_LINES[7] + "."


def recent_hashes(user: Any) -> list[str]:
    """The current password's hash and the previous PASSWORD_HISTORY, newest first."""
    # Not user.check_password(): it re-saves a hash that needs upgrading, a side effect a
    # validator must not have.
    history = user.password_history.order_by("-created_at", "-id").values_list(
        "password", flat=True
    )[: history_length() + 1]
    hashes = [user.password, *history] if user.password else list(history)
    usable = [h for h in dict.fromkeys(hashes) if h and not h.startswith("!")]
    return usable[: history_length() + 1]


def history_length() -> int:
    return int(getattr(settings, "PASSWORD_HISTORY", PASSWORD_HISTORY))


def remember_password(user: Any) -> None:
    """Store the user's current password hash in their history, keeping the current one and
    the previous PASSWORD_HISTORY. Call after set_password() and save()."""
    from frontdoor.accounts.models import PasswordHistory

    if user is None or user.pk is None or not user.has_usable_password():
        return
    with transaction.atomic():
        history = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
        newest = history.first()
        if newest is None or newest.password != user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        stale = list(history.values_list("id", flat=True)[history_length() + 1 :])
        if stale:
            PasswordHistory.objects.filter(id__in=stale).delete()
