from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "mestring.stats"
    verbose_name = _("Statistikk")

    def ready(self) -> None:
        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav

        register_nav(_("Statistikk"), "stats:index", perm=Perm.AGGREGATE_VIEW, order=70)
