from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "mestring.people"
    verbose_name = _("Personer")

    def ready(self) -> None:
        from datetime import time

        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav
        from mestring.core.schedule import register_daily
        from mestring.people.tasks import retention_task

        register_nav(_("Personer"), "people:list", perm=Perm.PERSON_VIEW, order=10)
        register_nav(_("Bryt glasset"), "people:break_glass_review", perm=Perm.BREAK_GLASS_REVIEW, order=80)
        register_daily(
            "people.retention",
            retention_task,
            at=time(2, 30),
            label=_("Sletting eller anonymisering etter lagringstiden, og rydding i tilgangsloggen"),
        )
