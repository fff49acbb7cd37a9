from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "mestring.mapping"
    verbose_name = _("Kartlegging")

    def ready(self) -> None:
        from mestring.accounts.roles import Perm
        from mestring.core.navigation import register_nav
        from mestring.mapping.jobs import build_html, build_pdf, build_xlsx
        from mestring.stats.jobs import register_builder

        register_nav(_("Kartlegging"), "mapping:index", perm=Perm.MAPPING_ENTER, order=40)
        register_nav(_("Kartleggingsrapport"), "mapping:report", perm=Perm.AGGREGATE_VIEW, order=45)
        register_builder("mapping.pdf", build_pdf)
        register_builder("mapping.xlsx", build_xlsx)
        register_builder("mapping.html", build_html)
        try:
            from mestring.audit.innsyn import register_exporter
        except ImportError:  # pragma: no cover - the audit app is part of the project
            return
        from mestring.mapping.innsyn import export_person_mappings

        register_exporter("levekårskartlegging", export_person_mappings)
