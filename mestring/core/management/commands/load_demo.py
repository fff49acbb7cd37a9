"""Loads the demo world (idempotent) and prints the demo logins."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from mestring.core.world import DEMO_PASSWORD, build_world, demo_logins, otp_required_for_demo


def app_demo_modules() -> list[Any]:
    """Each app may have a `demo.py` with `load(world)`; they run in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mestring."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = "Laster demoverdenen (Setesdal, Suldal, Østerdalen) med oppdiktede personer. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        world = build_world()
        for module in app_demo_modules():
            module.load(world)
        self.stdout.write(self.style.SUCCESS("Demodata er lastet."))
        self.stdout.write("")
        self.stdout.write(f"Demo-innlogginger (passord for alle: {DEMO_PASSWORD}):")
        for username, description in demo_logins():
            self.stdout.write(f"  {username:<24} {description}")
        if otp_required_for_demo():
            self.stdout.write("")
            self.stdout.write("Roller med tilgang til personopplysninger krever engangskode (tofaktor).")
            self.stdout.write("Demo: hent gjeldende kode med  .venv/bin/python manage.py demo_otp BRUKERNAVN")
