"""Errors the services of several apps raise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaleEditError(ValidationError):
    """Someone saved (or deleted) the same record after this edit started. Nothing was written.

    Services compare the `version` the form or API call was based on with the stored one; pages show the
    message, the API answers 409. Subclasses may say more precisely what changed (`message`).
    """

    message: Any = _(
        "Noen andre har lagret endringer her mens du redigerte. Ingenting av det du skrev er lagret. "
        "Last siden på nytt for å se endringene, og gjør dine endringer igjen."
    )

    def __init__(self) -> None:
        super().__init__(self.message, code="stale_edit")
