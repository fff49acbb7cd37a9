"""API plumbing shared by all apps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mestring.core.forms import validation_detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Model validation errors from services become 400 with field errors, never 500."""
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(validation_detail(exc))
    return drf_exception_handler(exc, context)
