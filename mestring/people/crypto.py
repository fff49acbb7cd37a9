"""Encryption at rest for national ids, and the keyed HMAC used to find them again.

Both keys are derived from `settings.MESTRING_FIELD_KEY` with HKDF (separate `info` per purpose), so the
configured secret can be any high-entropy string. Ciphertext is Fernet (AES-128-CBC + HMAC-SHA256, random IV):
the same id encrypts differently every time, so a database dump shows neither the id nor equal ids. Duplicates
are found through `lookup_hash(value)`, an HMAC-SHA256 with a key that never leaves the application.

Key rotation: put the old secret in `MESTRING_FIELD_KEY_PREVIOUS` (setting or environment,
comma-separated for several), the new one in `MESTRING_FIELD_KEY`, and run
`manage.py rotate_field_key`. Until it has run, `decrypt` still reads rows written with a previous key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_ENC_INFO = b"mestring/field-encryption/v1"
_MAC_INFO = b"mestring/field-lookup-hmac/v1"


class DecryptionError(Exception):
    """A stored value could not be decrypted with the current or any previous key."""


@lru_cache(maxsize=16)
def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def current_secret() -> str:
    return str(settings.MESTRING_FIELD_KEY)


def previous_secrets() -> list[str]:
    raw = getattr(settings, "MESTRING_FIELD_KEY_PREVIOUS", None)
    if raw is None:
        raw = os.environ.get("MESTRING_FIELD_KEY_PREVIOUS", "")
    if isinstance(raw, list | tuple):
        return [str(s) for s in raw if s]
    return [s.strip() for s in str(raw).split(",") if s.strip()]


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret, _ENC_INFO)))


def encrypt(value: str, *, secret: str | None = None) -> str:
    """Encrypt `value` with the current key (or `secret`). Empty stays empty."""
    if not value:
        return ""
    return _fernet(secret or current_secret()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt with the current key, falling back to previous keys (during rotation)."""
    if not token:
        return ""
    keys = [_fernet(s) for s in [current_secret(), *previous_secrets()]]
    try:
        return MultiFernet(keys).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise DecryptionError("The value cannot be decrypted with the configured keys") from None


def lookup_hash(value: str, *, secret: str | None = None) -> str:
    """Keyed HMAC-SHA256 (hex) of a normalised value, for finding duplicates without storing the value."""
    if not value:
        return ""
    key = _derive(secret or current_secret(), _MAC_INFO)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
