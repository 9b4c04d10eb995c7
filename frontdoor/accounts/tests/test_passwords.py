"""The password policy: every rule refuses what it should, and good passwords get through.

Most tests need no database: the validators take an unsaved User (as at registration).
"""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import override_settings
from pytest_django import DjangoAssertNumQueries

from frontdoor.accounts.models import PasswordHistory, User
from frontdoor.accounts.passwords import (
    POLICY_LINES,
    SPECIAL_CHARACTERS,
    TOO_GUESSABLE,
    CouncilRulesValidator,
    NotGuessableValidator,
    NotRecentlyUsedValidator,
    meets_council_rules,
    remember_password,
)

GOOD = "Kettle-Orbit-Lantern7"


def someone() -> User:
    return User(first_name="John", last_name="Smith", email="jsmith72@example.org")


def messages(password: str, user: User | None = None) -> list[str]:
    """What the user is told about a password, from every validator in settings."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


# --- Length -------------------------------------------------------------------------------


def test_eleven_characters_is_refused() -> None:
    assert messages("Kettle-Orb7") == ["Your password must be at least 12 characters"]


def test_twelve_characters_is_accepted() -> None:
    assert messages("Kx7mPq2wLr9z") == []


def test_129_characters_is_refused() -> None:
    password = (GOOD + "-") * 5 + "Xq9mZ" * 3 + "abcd"
    assert len(password) == 129
    assert messages(password) == ["Your password must be 128 characters or fewer"]


def test_128_characters_is_accepted_and_not_truncated() -> None:
    password = (GOOD + "-") * 5 + "Xq9mZ" * 3 + "abc"
    assert len(password) == 128
    assert messages(password) == []
    encoded = make_password(password)
    assert check_password(password, encoded)
    # Only the last of the 128 characters differs: the whole password counts.
    assert not check_password(password[:-1] + "g", encoded)
    assert not check_password(password[:-1], encoded)


# --- Letters and digits -------------------------------------------------------------------


def test_missing_upper_case_is_refused() -> None:
    assert messages("kettle-orbit-lantern7") == ["Your password must include an upper-case letter"]


def test_missing_digit_is_refused() -> None:
    assert messages("Kettle-Orbit-Lantern") == ["Your password must include a digit"]


def test_missing_letter_is_refused() -> None:
    assert messages("8305-1947-6628") == [
        "Your password must include a letter",
        "Your password must include an upper-case letter",
    ]


def test_one_message_per_failed_rule_and_no_guessing_verdict_on_top() -> None:
    assert messages("abc") == [
        "Your password must be at least 12 characters",
        "Your password must include an upper-case letter",
        "Your password must include a digit",
    ]


# --- Characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "shown"),
    [
        ("Kettle-Orbité-Lantern7", "é"),
        ("Kettle-Orbit-Lantern7😀", "😀"),
        ("Kettle\tOrbit-Lantern7", "tab"),
        ("Kettle\u00a0Orbit-Lantern7", "no-break space"),
        ("Kettle\u202eOrbit-Lantern7", "right-to-left override"),
        ("Kettle-Orbit-Lantern\u0667", "\u0667"),  # an Arabic-Indic digit is not a digit here
    ],
)
def test_disallowed_character_is_refused(password: str, shown: str) -> None:
    assert f"Your password cannot include: {shown}" in messages(password)


def test_each_disallowed_character_is_named_once_in_order() -> None:
    errors = messages("Kettle-é-Orbit-😀-Lantern7-é-😀")
    assert errors == ["Your password cannot include: é, 😀"]


@pytest.mark.parametrize("character", [*SPECIAL_CHARACTERS, " "])
def test_every_listed_special_character_and_the_space_are_allowed(character: str) -> None:
    assert messages(f"Kettle{character}Orbit{character}Lantern7") == []


def test_special_characters_are_the_councils_list() -> None:
    assert set(SPECIAL_CHARACTERS) == set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~£")
    assert len(SPECIAL_CHARACTERS) == 33


# --- Not guessable ------------------------------------------------------------------------

# Common passwords (RockYou, NCSC top lists) padded to meet the composition rules, and
# common words decorated with years and symbols, which zxcvbn alone rates score 3.
COMMON = [
    "Password12345",
    "Welcome123456",
    "Qwertyuiop12",
    "Safeguarding2025",
    "Summer2024!!x",
    "Winter2026!!",
    "Spring2025!!!",
    "Hello2025!!!!",
    "Monday2026@@",
    "Chelsea2025!!",
    "Liverpool1234",
    "Iloveyou2025!",
    "P@ssword2025",
    "Exampleshire1",
    "Football2025",
    "Abcdefgh1234",
    "Mustang19841984",
    "Letmein123456",
    "Changeme1234",
    "Admin1234567",
    "Trustno1trustno1",
    "Sunshine2024!",
    "Princess1234",
    "Dragon123456",
    "Baseball2025",
    "Master123456",
    "Shadow123456",
    "Michael12345",
    "Superman1234",
    "Batman123456",
    "Starwars2025",
    "Qwerty123456",
    "Abc123456789",
    "Passw0rd1234",
    "Football1!23",
    "Monkey123456",
    "Jennifer1234",
    "Charlie12345",
    "Freedom12345",
    "Whatever1234",
    "Computer1234",
    "Aa1234567890",
    "Password1!Password1!",
    "1qaz2wsx3edcR",
    "Zaq12wsxcde3",
    "Qazwsx123456",
    "Welcome2exampleshire",
    "Summer2025Summer",
    "September2025",
    "Spring2025!!x",
    "Blessed2025!!x",
    "20Autumn25!!!",
    "Arsenal1886!!",
    "Children2025!",
    "Referral2025!!",
]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_meeting_the_rules_are_refused(password: str) -> None:
    assert meets_council_rules(password)
    with pytest.raises(ValidationError) as refused:
        NotGuessableValidator().validate(password, someone())
    assert refused.value.messages in (
        [TOO_GUESSABLE],
        ["Your password must not include the council's name"],
    )


@pytest.mark.parametrize(
    "password",
    [
        "Tuesday-Lunch-42",
        "BlueKettle_77x Rain",
        "Correct-Horse-Battery9",
        "MyDogRex2019!",
        "Kx7mPq2wLr9z",
        GOOD,
        "W7#q9$2@xK4!",  # a password manager's: few letters, but random
        "Harbour piano 3 Teapot",
    ],
)
def test_good_passwords_are_accepted(password: str) -> None:
    assert messages(password, someone()) == []
    assert messages(password) == []


def test_guessable_message_suggests_three_random_words() -> None:
    assert messages("Summer2024!!x") == [
        "Your password is too easy to guess. Try three random words with a digit and an "
        "upper-case letter, like Kettle-Orbit-Lantern7"
    ]


@pytest.mark.parametrize(
    "password",
    [
        "JohnSmith2025x",
        "Kettle-JOHN-Orbit7",
        "Kettle-smith-Orbit7",
        "Orbit-Jsmith72-Kettle",  # the email address's local part
        "Orbit-jsmith72@example.org",
    ],
)
def test_name_and_email_are_refused(password: str) -> None:
    assert messages(password, someone()) == [
        "Your password must not include your name or email address"
    ]


def test_names_shorter_than_three_characters_are_not_refused() -> None:
    user = User(first_name="Al", last_name="Li", email="al@example.org")
    assert messages("Kettle-Al-Orbit-Li7", user) == []


def test_names_with_several_words_are_refused_word_by_word() -> None:
    user = User(first_name="Mary Ann", last_name="Smith-Jones", email="m@example.org")
    assert messages("Kettle-Jones-Orbit7", user) == [
        "Your password must not include your name or email address"
    ]


@pytest.mark.parametrize("password", ["Exampleshire1", "Kettle-exampleshire-Orbit7"])
def test_council_name_is_refused(password: str) -> None:
    assert messages(password) == ["Your password must not include the council's name"]


def test_council_name_comes_from_settings() -> None:
    council = {"name": "Royal Borough of Windsor and Maidenhead"}
    with override_settings(COUNCIL=council):
        assert messages("Kettle-Maidenhead-Orbit7") == [
            "Your password must not include the council's name"
        ]
        assert messages("Kettle-Exampleshire-Orbit7") == []
        assert messages("Kettle-Borough-Orbit7") == []


# --- Not recently used --------------------------------------------------------------------


def test_recent_use_is_not_checked_for_an_unsaved_account() -> None:
    # No database access is allowed in this test: none is made.
    NotRecentlyUsedValidator().validate(GOOD, someone())
    NotRecentlyUsedValidator().validate(GOOD, None)


@pytest.mark.django_db
def test_reuse_of_current_and_last_five_is_refused_but_sixth_oldest_is_allowed() -> None:
    passwords = [f"Kettle-Orbit-Lantern{n}" for n in range(7)]
    user = User.objects.create_user(
        email="jo@example.org", password=passwords[0], first_name="Jo", last_name="Bloggs"
    )
    remember_password(user)
    for password in passwords[1:]:
        validate_password(password, user)
        user.set_password(password)
        user.save()
        remember_password(user)
    user = User.objects.get(pk=user.pk)

    recently_used = "You have used this password recently. Choose one you have not used before"
    for password in passwords[1:]:  # the current one and the 5 before it
        assert messages(password, user) == [recently_used], password
    assert messages(passwords[0], user) == []  # the sixth oldest
    assert PasswordHistory.objects.filter(user=user).count() == 6


@pytest.mark.django_db
def test_remembering_the_same_password_twice_stores_it_once() -> None:
    user = User.objects.create_user(
        email="jo@example.org", password=GOOD, first_name="Jo", last_name="Bloggs"
    )
    remember_password(user)
    remember_password(user)
    assert list(user.password_history.values_list("password", flat=True)) == [user.password]


@pytest.mark.django_db
def test_current_password_is_refused_even_without_history() -> None:
    user = User.objects.create_user(
        email="jo@example.org", password=GOOD, first_name="Jo", last_name="Bloggs"
    )
    with pytest.raises(ValidationError):
        NotRecentlyUsedValidator().validate(GOOD, user)


@pytest.mark.django_db
def test_history_is_not_checked_for_a_password_the_rules_refuse(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    user = User.objects.create_user(
        email="jo@example.org", password=GOOD, first_name="Jo", last_name="Bloggs"
    )
    with django_assert_num_queries(0):
        NotRecentlyUsedValidator().validate(GOOD + "é", user)


@pytest.mark.django_db
def test_remember_password_ignores_unusable_passwords() -> None:
    user = User.objects.create_user(
        email="jo@example.org", password=None, first_name="Jo", last_name="Bloggs"
    )
    remember_password(user)
    assert not user.password_history.exists()


# --- What the user is shown ---------------------------------------------------------------


def test_policy_lines_describe_every_rule() -> None:
    text = " ".join(POLICY_LINES)
    for words in ("12 characters", "128", "upper-case", "digit", "last 5", "council's name"):
        assert words in text
    assert " ".join(SPECIAL_CHARACTERS) in text


def test_help_texts_come_from_the_policy() -> None:
    help_texts = password_validators_help_texts()
    assert len(help_texts) == 3
    assert all(text.startswith("Your password must ") for text in help_texts)
    assert CouncilRulesValidator().get_help_text() == help_texts[0]
