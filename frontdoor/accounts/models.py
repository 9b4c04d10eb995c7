import hashlib
import hmac
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from frontdoor.addresses.models import Address


def normalise_email(email: str) -> str:
    """Email addresses are compared and stored in lower case, without spaces."""
    return (email or "").strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


class Team(models.Model):
    """A council team that receives one or more kinds of form (which ones is data)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    mailbox = models.EmailField(help_text="Told when a submission arrives (reference only).")
    forms = models.JSONField(
        default=list,
        blank=True,
        help_text="The kinds of form this team receives, by their short names.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalise_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: a professional, a member of the public, council staff or an administrator.

    `is_professional` alone decides whether an account is a professional's. `is_staff` is
    Django's flag for the administration site: council administrators only. Council staff
    are the accounts that belong to a team.
    """

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField("surname", max_length=100)
    is_professional = models.BooleanField(
        "professional",
        default=False,
        help_text="Professionals may use every form and attach documents. "
        "Mark an account professional only after checking who they work for.",
    )
    organisation = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    address_data = models.JSONField("address", default=dict, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members", through="Membership")
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick for a leaver: every session of the account ends at once.",
    )
    is_staff = models.BooleanField(
        "administrator",
        default=False,
        help_text="May sign in to this administration site.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # An address the user asked to change to, until they enter the code sent there.
    pending_email = models.EmailField(blank=True)
    # Part of every session's auth hash: a new token ends every session of the account.
    session_token = models.CharField(max_length=32, default=new_session_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"Account {self.pk}"

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def address(self) -> Address:
        return Address.from_dict(self.address_data)

    @address.setter
    def address(self, value: Address) -> None:
        self.address_data = value.to_dict()

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def team_memberships(self) -> list["Membership"]:
        """The account's memberships with their teams, by team name, in one query kept for
        the life of this object (one request's `request.user`): the staff pages ask who
        may see them, then which teams to show."""
        return list(self.memberships.select_related("team").order_by("team__name"))

    def memberships_read(self) -> list["Membership"] | None:
        """`team_memberships` if this object has read them already, else None (without
        asking the database): for a filter that can use them when they are at hand."""
        known = self.__dict__.get("team_memberships")
        return known if isinstance(known, list) else None

    @cached_property
    def is_council_staff(self) -> bool:
        """Whether the account is in a team. Kept like `team_memberships`: the staff pages
        ask it, and the audit log again for each event."""
        return bool(self.team_memberships)

    def is_manager_of(self, team: Team) -> bool:
        """Whether this account manages the team (not only works in it)."""
        return Membership.objects.filter(
            user=self, team=team, role=Membership.Role.MANAGER
        ).exists()

    def get_session_auth_hash(self) -> str:
        # Django compares this on every request: it changes with the password (so a new
        # password ends other sessions) and with session_token (reset, deactivation).
        return salted_hmac(
            "frontdoor.accounts.User.session",
            f"{self.password}:{self.session_token}",
            algorithm="sha256",
        ).hexdigest()

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        if self.pk is not None and not self.is_active:
            was_active = User.objects.filter(pk=self.pk, is_active=True).exists()
            if was_active:
                self.end_all_sessions()
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "session_token"}
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A member of council staff in one team, as a worker or as its manager.

    Managers may do what a team's workflow keeps for managers (assign to others, change a
    rating, confirm a decision): frontdoor/cases/workflows.yaml says which."""

    class Role(models.TextChoices):
        WORKER = "worker", "Worker"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.WORKER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.team}"


class PasswordHistory(models.Model):
    """Hashes of an account's previous passwords, so none of the last few is reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "password history"

    def __str__(self) -> str:
        return f"Password history {self.pk}"


class OneTimeCode(models.Model):
    """A code emailed to prove control of an address: one code path for every purpose.

    The code itself is never stored: only its HMAC. Codes are single use, short-lived and
    allow a few wrong tries; asking for a new one cancels the old.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "sign in"
        VERIFY_EMAIL = "verify_email", "verify your email address"
        PASSWORD_RESET = "password_reset", "reset your password"
        CHANGE_EMAIL = "change_email", "change your email address"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    # The address the code was sent to (for a change of email, the new one).
    sent_to = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Every try counts, the right one too: each is taken before the comparison.
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"One-time code {self.pk} ({self.purpose})"

    @staticmethod
    def hash(code: str) -> str:
        return hmac.new(
            settings.SECRET_KEY.encode(), f"one-time-code:{code}".encode(), hashlib.sha256
        ).hexdigest()

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, self.hash(code))

    @property
    def usable(self) -> bool:
        return (
            self.used_at is None
            and self.cancelled_at is None
            and self.tries < settings.CODE_MAX_ATTEMPTS
            and timezone.now() < self.expires_at
        )


class ThrottleEvent(models.Model):
    """One try at a password or a code, kept while it counts towards a lock (throttle.py).

    `account` is a hash of the email typed, not a link to an account: unknown emails are
    throttled alike, and no personal data is kept.
    """

    scope = models.CharField(max_length=10)
    account = models.CharField(max_length=32)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "ip", "at"]),
            models.Index(fields=["account"]),
        ]

    def __str__(self) -> str:
        return f"Throttle event {self.pk}"
