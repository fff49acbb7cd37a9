"""Prints the current TOTP code of a demo user, so the demo can get past the second factor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Skriver ut gjeldende engangskode for en demobruker (bare i utvikling)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MESTRING_ENV == "production":
            raise CommandError("demo_otp er ikke tilgjengelig i produksjon.")
        device = TOTPDevice.objects.filter(user__username=options["username"], name="demo").first()
        if device is None:
            raise CommandError(f"Fant ingen demobruker med tofaktor: {options['username']}")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
