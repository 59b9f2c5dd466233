"""The Argon2id cost of new password hashes comes from the settings; old hashes still verify
and are upgraded on the next login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bank.access import security
from bank.core.settings import CoreSettings


@pytest.fixture
def restore_cost() -> Iterator[None]:
    yield
    defaults = CoreSettings()
    security.use_password_cost(
        defaults.argon2_time_cost, defaults.argon2_memory_kib, defaults.argon2_parallelism
    )


def test_the_default_cost_is_owasps_argon2id() -> None:
    defaults = CoreSettings()
    assert (defaults.argon2_time_cost, defaults.argon2_memory_kib) == (2, 19_456)
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in security.hash_password("Clave2024x")


def test_a_configured_cost_hashes_new_passwords_and_old_ones_still_verify(restore_cost) -> None:
    old = security.hash_password("Clave2024x")
    security.use_password_cost(3, 12_288, 1)
    new = security.hash_password("Clave2024x")
    assert "$m=12288,t=3,p=1$" in new
    assert security.verify_password(old, "Clave2024x") and security.verify_password(
        new, "Clave2024x"
    )
    assert security.needs_rehash(old) and not security.needs_rehash(new)
