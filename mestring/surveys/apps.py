from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "mestring.surveys"
    verbose_name = _("Undersøkelser")

    def ready(self) -> None:
        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav

        register_nav(_("Undersøkelser"), "surveys:home", perm=Perm.AGGREGATE_VIEW, order=60)
