from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mestring.core"
    verbose_name = _("Felles")

    def ready(self) -> None:
        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav

        register_nav(_("Start"), "core:home", perm=None, order=0)
        register_nav(_("Organisasjon"), "organisations:overview", perm=Perm.ORG_VIEW, order=90)
        register_nav(_("Ansatte og roller"), "accounts:staff_list", perm=Perm.ORG_MANAGE, order=95)
