from django.urls import path

from frontdoor.accounts import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/step-2/", views.register_step2, name="register_step2"),
    path("register/cancel/", views.register_cancel, name="register_cancel"),
    path("register/verify/", views.verify_email, name="verify_email"),
    path("register/done/", views.registered, name="registered"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="logout"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("timed-out/", views.timed_out, name="timed_out"),
    path("session/", views.session_status, name="session_status"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("forgotten-password/", views.forgotten_password, name="forgotten_password"),
    path("forgotten-password/reset/", views.reset_password, name="reset_password"),
    path("forgotten-password/new-password/", views.new_password, name="new_password"),
    path("details/", views.details, name="details"),
    path("details/change/", views.change_details, name="change_details"),
    path("details/email/", views.change_email, name="change_email"),
    path("details/email/confirm/", views.confirm_email, name="confirm_email"),
    path("details/password/", views.change_password, name="change_password"),
]
