from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "mestring.surveys"
    verbose_name = _("Undersøkelser")

    def ready(self) -> None:
        from datetime import time

        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav
        from mestring.core.schedule import register_daily
        from mestring.surveys.tasks import send_due_reminders_task

        register_nav(_("Undersøkelser"), "surveys:home", perm=Perm.AGGREGATE_VIEW, order=60)
        register_daily(
            "surveys.reminders",
            send_due_reminders_task,
            at=time(7, 0),
            label=_("Påminnelser til kommuner som ikke har svart på nasjonale undersøkelser"),
        )
