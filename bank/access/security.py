"""Password hashing (Argon2id, OWASP parameters) and keyed digests for secrets we never store."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, parallelism 1 — the
# settings' defaults (argon2_*), chosen with bench/auth.py (docs/performance.md, "Logins").
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def use_password_cost(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Hash new passwords with these Argon2id parameters (each process, at start, from its
    settings). Existing hashes keep verifying: the parameters are inside each hash, and a
    login with weaker ones rehashes the password (``needs_rehash``)."""
    global _HASHER
    _HASHER = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(password: str) -> str:
    """Argon2id hash of a password, with its parameters and salt encoded in the result."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong password or a corrupt hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def keyed_digest(key: str, *parts: str) -> str:
    """HMAC-SHA256 (hex) of the parts, unambiguously joined; for tokens, card numbers, OTPs."""
    message = "\x1f".join(parts).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a.encode(), b.encode())


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random token."""
    return secrets.token_urlsafe(nbytes)


def temporary_password() -> str:
    """A 10-character temporary password with letters and digits (sent by email once)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate
