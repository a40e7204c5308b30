"""Secrets at rest: merchant keys are stored encrypted with the server key (Fernet, from `cryptography`).

A stored value is `fernet:<token>`. Anything without that prefix is a row written before encryption
existed: it still works (read as plaintext) and is re-encrypted on first use or by `migrate`/`serve`.

The server key comes from `GATEWAY_SECRET_KEY` (comma-separated Fernet keys: the first encrypts, all
decrypt, which is how a key is rotated). Without it, a key file (default `data/secret.key`, mode 0600) is
read, or created on first start: right for a laptop, wrong for production, where the key must live
outside the data directory and its backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.settings import Settings

logger = logging.getLogger("app.secrets")

SEALED_PREFIX = "fernet:"


class SecretKeyError(SystemExit):
    """The configured server key is unusable (a configuration error: the process stops)."""


class UndecryptableSecret(RuntimeError):
    """A stored secret does not open with the configured keys (a rotated-away key): answered as a 500."""


def _fernet(key: str, source: str) -> Fernet:
    try:
        return Fernet(key.strip().encode())
    except (ValueError, TypeError):
        raise SecretKeyError(
            f"configuration error: {source} must hold Fernet keys (32 url-safe base64 bytes each); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None


def load_or_create_key_file(path: Path) -> str:
    """The key stored in `path`, creating the file (mode 0600) with a fresh key when it does not exist.

    Creation is atomic (write a private temporary file, then hard-link it into place), so workers that
    start together agree on one key instead of each writing its own.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(Fernet.generate_key().decode() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process won the race; its key is the one
    else:
        logger.warning("generated a server key in %s; production must set GATEWAY_SECRET_KEY instead", path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text().strip()


def report_unreadable(merchant_ids: list[int], *, sealed: int) -> None:
    """Judge stored keys that no configured server key opens: none of them is a wrong server key (stop
    the process); a few are damaged rows (log them; those merchants cannot authenticate until fixed)."""
    if not merchant_ids:
        return
    if len(merchant_ids) == sealed:
        raise SecretKeyError(
            "configuration error: no stored merchant key opens with the configured server key "
            "(GATEWAY_SECRET_KEY or the key file); is it the key these keys were encrypted with?"
        )
    logger.warning("merchant keys that the server key cannot decrypt: merchant ids %s", merchant_ids)


class SecretBox:
    """Encrypts and decrypts short secrets (merchant keys) with the server key."""

    def __init__(self, keys: list[str], *, source: str = "GATEWAY_SECRET_KEY") -> None:
        if not keys:
            raise SecretKeyError(f"configuration error: {source} is empty")
        self._primary = _fernet(keys[0], source)
        self._all = MultiFernet([_fernet(key, source) for key in keys])
        # A separate key for request fingerprints, so hashes of request bodies cannot be brute-forced
        # back into their content (a card number has few enough unknown digits to make that easy).
        raw = base64.urlsafe_b64decode(keys[0].strip().encode())
        self._fingerprint_key = hmac.new(raw, b"customers-gateway fingerprint v1", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "SecretBox(***)"

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box for the configured key, or for the key file (created when missing)."""
        if settings.secret_key:
            return cls([key for key in settings.secret_key.split(",") if key.strip()])
        path = Path(settings.secret_key_file)
        return cls([load_or_create_key_file(path)], source=f"the key file {path}")

    @staticmethod
    def is_sealed(stored: str) -> bool:
        """True when `stored` was written by `seal` (False: a plaintext row from before encryption)."""
        return stored.startswith(SEALED_PREFIX)

    def seal(self, plaintext: str) -> str:
        """The value to store for a secret."""
        return SEALED_PREFIX + self._primary.encrypt(plaintext.encode()).decode()

    def open(self, stored: str) -> str:
        """The secret behind a stored value; plaintext rows pass through unchanged."""
        if not self.is_sealed(stored):
            return stored
        try:
            return self._all.decrypt(stored[len(SEALED_PREFIX) :].encode()).decode()
        except InvalidToken:
            # Wrong or rotated-away server key: a configuration problem, never a client's.
            raise UndecryptableSecret(
                "a stored merchant key cannot be decrypted with the configured server key"
            ) from None

    def needs_reseal(self, stored: str) -> bool:
        """True for plaintext rows and rows not encrypted with the current (first) key."""
        if not self.is_sealed(stored):
            return True
        try:
            self._primary.decrypt(stored[len(SEALED_PREFIX) :].encode())
        except InvalidToken:
            return True
        return False

    def fingerprint(self, *parts: bytes) -> str:
        """A keyed hash (HMAC-SHA256) of length-prefixed parts: equal parts, equal fingerprint."""
        digest = hmac.new(self._fingerprint_key, digestmod=hashlib.sha256)
        for part in parts:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()
