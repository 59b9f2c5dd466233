"""How account numbers are shown to members: only the last four digits."""

from __future__ import annotations


def mask_account(number: str) -> str:
    """``"410112060750"`` → ``"XXXXXXXX0750"``; four digits or fewer are shown as they are."""
    if len(number) <= 4:
        return number
    return "X" * (len(number) - 4) + number[-4:]
