from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "frontdoor.enquiries"
    label = "enquiries"
    verbose_name = "Questions to referrers"

    def ready(self) -> None:
        # The referrer's sent-form pages (referrals, a lower app) show the questions
        # through the hooks referrals offers; referrals never imports this app.
        from frontdoor.enquiries import signals, views  # noqa: F401 - signals connects
        from frontdoor.referrals import extras

        extras.add_sent_panel(views.sent_panel)
        extras.add_list_note(views.list_notes)
