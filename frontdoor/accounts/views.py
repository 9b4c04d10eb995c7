import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontdoor.accounts import forms, services, throttle
from frontdoor.accounts.middleware import (
    KEPT_POST,
    LAST_ACTIVITY,
    RETURN_TO,
    SIGNED_IN_AT,
    seconds_left,
)
from frontdoor.accounts.models import OneTimeCode, User
from frontdoor.accounts.passwords import POLICY_LINES, SPECIAL_CHARACTERS
from frontdoor.audit.services import record
from frontdoor.core.client import client_ip
from frontdoor.core.forms import GovukForm
from frontdoor.core.redirects import safe_next

REGISTER_STEP1 = "register_step1"
VERIFY_EMAIL = "verify_email"
PENDING_SIGN_IN = "pending_sign_in"
RESET_EMAIL = "reset_email"
RESET_USER = "reset_user"
# A half-signed-in session (password, no code yet) lasts this long.
PENDING_SECONDS = 15 * 60

# A busy client address (a school, a hospital): a few seconds' wait, never a lock.
BUSY_ADDRESS_MESSAGE = (
    "There have been a lot of attempts to sign in from your network. Wait {seconds}, then try again"
)


def _seconds(count: int) -> str:
    return "1 second" if count == 1 else f"{count} seconds"


CODE_MESSAGES = {
    services.CodeResult.WRONG: "The code is not correct. Check the email and try again",
    services.CodeResult.EXPIRED: "The code has expired or has been used. Select "
    "\u201cPlease send me a new code\u201d",
    services.CodeResult.TOO_MANY_TRIES: "You have entered a wrong code too many times. Select "
    "\u201cPlease send me a new code\u201d",
    services.CodeResult.LOCKED: "There have been too many attempts. Wait {minutes} minutes, "
    "then try again",
    services.CodeResult.WAIT: BUSY_ADDRESS_MESSAGE,
}
# Where the email is only claimed (registering, a forgotten password), "wrong" and "expired"
# read the same: otherwise the difference would show whether the email has an account.
CLAIMED_CODE_MESSAGE = (
    "The code is not correct or has expired. Check the email, or select "
    "\u201cPlease send me a new code\u201d"
)

POST_OR_GET = require_http_methods(["GET", "HEAD", "POST"])


def _policy(new_account: bool = False) -> dict[str, Any]:
    # A new account has no earlier passwords: the history rule would only puzzle.
    lines = POLICY_LINES[:-1] if new_account else POLICY_LINES
    return {"policy_lines": lines, "special_characters": SPECIAL_CHARACTERS}


def _code_error(
    request: HttpRequest,
    form: forms.CodeForm,
    result: services.CodeResult,
    email: str,
    scope: str = throttle.SIGN_IN,
    *,
    claimed: bool = False,
) -> None:
    if claimed and result not in (services.CodeResult.LOCKED, services.CodeResult.WAIT):
        form.add_error("code", CLAIMED_CODE_MESSAGE)
        return
    seconds = 0
    if result is services.CodeResult.WAIT:
        seconds = throttle.seconds_to_wait(email, client_ip(request), scope)
    form.add_error(
        "code",
        CODE_MESSAGES[result].format(
            minutes=settings.THROTTLE_LOCK_MINUTES, seconds=_seconds(seconds)
        ),
    )


# --- Registration -----------------------------------------------------------------------


@POST_OR_GET
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("pages:home")
    saved = request.session.get(REGISTER_STEP1)
    if request.method == "POST":
        form = forms.RegisterStep1Form(request.POST)
        if form.is_valid():
            request.session[REGISTER_STEP1] = form.cleaned_data
            return redirect("accounts:register_step2")
    else:
        form = forms.RegisterStep1Form(initial=saved)
    return render(request, "accounts/register_step1.html", {"form": form})


@POST_OR_GET
def register_step2(request: HttpRequest) -> HttpResponse:
    step1 = request.session.get(REGISTER_STEP1)
    if not step1:
        return redirect("accounts:register")
    if request.method == "POST":
        form = forms.RegisterStep2Form(request.POST, step1=step1)
        if form.is_valid():
            details = forms.RegisterStep1Form(step1)
            details.is_valid()
            services.register(
                details.details(),
                form.cleaned_data["email"],
                form.cleaned_data["new_password"],
                client_ip(request),
            )
            del request.session[REGISTER_STEP1]
            request.session[VERIFY_EMAIL] = form.cleaned_data["email"]
            return redirect("accounts:verify_email")
    else:
        form = forms.RegisterStep2Form(step1=step1)
    return render(
        request, "accounts/register_step2.html", {"form": form, **_policy(new_account=True)}
    )


@require_GET
def register_cancel(request: HttpRequest) -> HttpResponse:
    request.session.pop(REGISTER_STEP1, None)
    return redirect("accounts:login")


@POST_OR_GET
def verify_email(request: HttpRequest) -> HttpResponse:
    email = request.session.get(VERIFY_EMAIL)
    if not email:
        return redirect("accounts:register")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        _resend(request, email, OneTimeCode.Purpose.VERIFY_EMAIL)
    elif form.is_valid():
        result = services.verify_email(email, form.cleaned_data["code"], client_ip(request))
        if result is services.CodeResult.OK:
            del request.session[VERIFY_EMAIL]
            return redirect("accounts:registered")
        _code_error(request, form, result, email, claimed=True)
    return render(
        request,
        "accounts/code.html",
        {"form": form, "purpose": "verify", "sent_to": email},
    )


def _resend(request: HttpRequest, email: str, purpose: str, user: User | None = None) -> None:
    """'Please send me a new code': the same answer, and work, whether or not the account exists.

    With `user`, the person has shown they own it (a password, a signed-in session);
    otherwise the email is only claimed, and the worker finds out whether it has an account.
    """
    if user is not None:
        sent = services.request_code(user, purpose, sent_to=email, ip=client_ip(request))
    else:
        sent = services.resend_claimed_code(email, purpose, client_ip(request))
    if sent:
        messages.success(
            request, "We have sent you a new code. Codes sent before it no longer work."
        )
    else:
        messages.info(
            request,
            "We sent a code less than a minute ago. Wait a minute before asking for another.",
        )


@require_GET
def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/registered.html")


# --- Signing in and out -----------------------------------------------------------------


@POST_OR_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(safe_next(request, next_url))
    form = forms.SignInForm(request.POST or None)
    if form.is_valid():
        outcome, user = services.start_sign_in(
            form.cleaned_data["email"], form.cleaned_data["password"], client_ip(request)
        )
        if outcome is services.SignIn.CODE_SENT and user is not None:
            request.session[PENDING_SIGN_IN] = {
                "user": user.pk,
                "at": time.time(),
                "next": safe_next(request, next_url),
            }
            return redirect("accounts:sign_in_code")
        if outcome is services.SignIn.WAIT:
            seconds = throttle.seconds_to_wait(form.cleaned_data["email"], client_ip(request))
            form.add_error(None, BUSY_ADDRESS_MESSAGE.format(seconds=_seconds(seconds)))
        elif outcome is services.SignIn.LOCKED:
            form.add_error(
                None,
                "There have been too many attempts to sign in. Wait "
                f"{settings.THROTTLE_LOCK_MINUTES} minutes, then try again, or reset your "
                "password",
            )
        elif outcome is services.SignIn.DEACTIVATED:
            form.add_error(
                None,
                "This account has been closed. If you think this is a mistake, phone "
                f"{settings.COUNCIL['contact_phone']}",
            )
        else:
            form.add_error(None, "Enter a correct email address and password")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_SIGN_IN)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


@POST_OR_GET
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_SIGN_IN, None)
        return redirect("accounts:login")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        _resend(request, user.email, OneTimeCode.Purpose.SIGN_IN, user=user)
    elif form.is_valid():
        result = services.finish_sign_in(user, form.cleaned_data["code"], client_ip(request))
        if result is services.CodeResult.OK:
            next_url = request.session[PENDING_SIGN_IN]["next"]
            # login() gives the session a new key: no fixation.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(PENDING_SIGN_IN, None)
            now = time.time()
            request.session[SIGNED_IN_AT] = now
            request.session[LAST_ACTIVITY] = now
            return redirect(safe_next(request, next_url))
        _code_error(request, form, result, user.email)
    return render(
        request, "accounts/code.html", {"form": form, "purpose": "sign_in", "sent_to": user.email}
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record("signout", request=request)
    logout(request)
    return redirect("accounts:signed_out")


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@require_GET
def timed_out(request: HttpRequest) -> HttpResponse:
    return_to = request.session.get(RETURN_TO)
    return render(
        request,
        "accounts/timed_out.html",
        {
            "return_to": safe_next(request, return_to, default=""),
            "kept": KEPT_POST in request.session,
        },
    )


def _time_left(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0})
    return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request)})


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Time left before the session ends. Asking does not extend the session."""
    return _time_left(request)


@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """'Stay signed in': any request counts as activity; this one does nothing else."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return _time_left(request)
    return redirect(safe_next(request, request.POST.get("next")))


# --- Forgotten password -----------------------------------------------------------------


@POST_OR_GET
def forgotten_password(request: HttpRequest) -> HttpResponse:
    form = forms.ForgottenPasswordForm(request.POST or None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        services.request_password_reset(email, client_ip(request))
        request.session[RESET_EMAIL] = email
        return redirect("accounts:reset_password")
    return render(request, "accounts/forgotten_password.html", {"form": form})


@POST_OR_GET
def reset_password(request: HttpRequest) -> HttpResponse:
    """Step 1 of a reset: the code. Nothing about the account is shown or checked before."""
    email = request.session.get(RESET_EMAIL)
    if not email:
        return redirect("accounts:forgotten_password")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        _resend(request, email, OneTimeCode.Purpose.PASSWORD_RESET)
    elif form.is_valid():
        result, user = services.check_reset_code(
            email, form.cleaned_data["code"], client_ip(request)
        )
        if result is services.CodeResult.OK and user is not None:
            del request.session[RESET_EMAIL]
            request.session[RESET_USER] = {"user": user.pk, "at": time.time()}
            return redirect("accounts:new_password")
        _code_error(request, form, result, email, throttle.RESET, claimed=True)
    return render(
        request,
        "accounts/reset_password.html",
        {"form": form, "sent_to": email, "reset_minutes": settings.PASSWORD_RESET_VALID_MINUTES},
    )


@POST_OR_GET
def new_password(request: HttpRequest) -> HttpResponse:
    """Step 2 of a reset: the new password, for the account whose code was just accepted."""
    pending = request.session.get(RESET_USER)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(RESET_USER, None)
        return redirect("accounts:forgotten_password")
    form = forms.ResetPasswordForm(request.POST or None, user=user)
    if form.is_valid():
        services.reset_password(user, form.cleaned_data["new_password"], client_ip(request))
        del request.session[RESET_USER]
        messages.success(request, "Your password has been changed. Sign in with your new password.")
        return redirect("accounts:login")
    return render(request, "accounts/new_password.html", {"form": form, **_policy()})


# --- Your details -----------------------------------------------------------------------


@login_required
@require_GET
def details(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/details.html")


@login_required
@POST_OR_GET
def change_details(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": user.organisation,
        "job_title": user.job_title,
        "telephone": user.telephone,
        **forms.PersonalDetailsForm.initial_from(user.address),
    }
    form = forms.PersonalDetailsForm(
        request.POST or None, initial=initial, professional=user.is_professional
    )
    if form.is_valid():
        services.update_details(user, form.details(), client_ip(request))
        messages.success(request, "Your details have been updated.")
        return redirect("accounts:details")
    return render(request, "accounts/change_details.html", {"form": form})


def _check_password(form: GovukForm, field: str, user: User, ip: str | None) -> bool:
    """The signed-in user's password, before a change: throttled like signing in."""
    result = services.check_current_password(user, form.cleaned_data[field], ip)
    if result is services.CodeResult.WAIT:
        seconds = throttle.seconds_to_wait(user.email, ip)
        form.add_error(None, BUSY_ADDRESS_MESSAGE.format(seconds=_seconds(seconds)))
    elif result is services.CodeResult.LOCKED:
        form.add_error(
            None,
            f"There have been too many attempts. Wait {settings.THROTTLE_LOCK_MINUTES} "
            "minutes, then try again",
        )
    elif result is services.CodeResult.WRONG:
        form.add_error(
            field,
            "Your current password is not correct"
            if field == "current_password"
            else "Your password is not correct",
        )
    return result is services.CodeResult.OK


@login_required
@POST_OR_GET
def change_email(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ip = client_ip(request)
    form = forms.ChangeEmailForm(request.POST or None, user=user)
    if form.is_valid() and _check_password(form, "password", user, ip):
        services.request_email_change(user, form.cleaned_data["email"], ip)
        request.session["email_change_to"] = form.cleaned_data["email"]
        return redirect("accounts:confirm_email")
    return render(request, "accounts/change_email.html", {"form": form})


@login_required
@POST_OR_GET
def confirm_email(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    sent_to = request.session.get("email_change_to")
    if not sent_to:
        return redirect("accounts:change_email")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        _resend(request, sent_to, OneTimeCode.Purpose.CHANGE_EMAIL, user=user)
    elif form.is_valid():
        result = services.confirm_email_change(user, form.cleaned_data["code"], client_ip(request))
        if result is services.CodeResult.OK:
            del request.session["email_change_to"]
            messages.success(request, "Your email address has been changed.")
            return redirect("accounts:details")
        _code_error(request, form, result, user.email)
    return render(
        request, "accounts/code.html", {"form": form, "purpose": "change_email", "sent_to": sent_to}
    )


@login_required
@POST_OR_GET
def change_password(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ip = client_ip(request)
    form = forms.ChangePasswordForm(request.POST or None, user=user)
    if form.is_valid() and _check_password(form, "current_password", user, ip):
        services.change_password(user, form.cleaned_data["new_password"], ip)
        # Keep this session; every other session of the account ends.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:details")
    return render(request, "accounts/change_password.html", {"form": form, **_policy()})
