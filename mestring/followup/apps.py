from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "mestring.followup"
    verbose_name = _("Oppfølging")

    def ready(self) -> None:
        from datetime import time

        from mestring.accounts.roles import Perm
        from mestring.audit.innsyn import register_exporter, register_labels
        from mestring.core.navigation import register_nav
        from mestring.core.schedule import register_daily
        from mestring.followup.innsyn import LABELS, SECTION, export_followup
        from mestring.followup.retention import on_person_retention
        from mestring.followup.tasks import scan_reminders
        from mestring.people.retention import person_retention

        register_nav(_("Saksliste"), "followup:caseload", perm=Perm.PERSON_VIEW, order=20)
        register_nav(_("FACT-tavle"), "followup:board", perm=Perm.PERSON_VIEW, order=21)
        register_nav(_("Kvalitetstall"), "followup:quality", perm=Perm.UNIT_OVERVIEW, order=22)
        # innsyn (GDPR art. 15): everything follow-up stores about the person
        register_exporter(SECTION, export_followup)
        register_labels(LABELS)
        # retention: remove follow-up data before the person is anonymised or deleted
        person_retention.connect(on_person_retention, dispatch_uid="followup.retention")
        register_daily(
            "followup.reminders",
            scan_reminders,
            at=time(6, 0),
            label=_("Påminnelser om forfalte evalueringer og tiltak"),
        )
