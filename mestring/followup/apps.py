from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "mestring.followup"
    verbose_name = _("Oppfølging")

    def ready(self) -> None:
        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav

        register_nav(_("Saksliste"), "followup:caseload", perm=Perm.PERSON_VIEW, order=20)
        register_nav(_("FACT-tavle"), "followup:board", perm=Perm.PERSON_VIEW, order=21)
