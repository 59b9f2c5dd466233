"""One-time signing-link tokens: derived, never stored; only their digest is kept.

A token is ``HMAC(secret, "credit-sign-link", workflow id, generation, role)`` in URL-safe
base64: a retried activity derives the very same token (its email, keyed in the outbox, is
written once), and a regeneration (new generation) makes every older link useless. The
database and the workflow keep only ``sha256(token)``; the workflow checks a presented
token against that digest in its Update validators (deterministic, no secret needed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

TOKEN_PURPOSE = "credit-sign-link"


def derive_token(secret_key: str, workflow_id: str, generation: int, role: str) -> str:
    """The link token of one signatory for one generation of the documents."""
    message = "\x1f".join((TOKEN_PURPOSE, workflow_id, str(generation), role)).encode()
    mac = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    """The stored and compared form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(token: str, digest: str) -> bool:
    """Constant-time check of a presented token against a stored digest."""
    return hmac.compare_digest(token_digest(token), digest)
