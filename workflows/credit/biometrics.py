"""Biometric data of the credit journey (LOPDP 2021): what it holds, and its deletion by the
journey itself.

The camera frames of every face attempt and the face encodings of the ID cards are kept in
the document store only while the signing needs them: the journey deletes them (activity
``privacy.delete_biometrics``, one ``BIOMETRIA_ELIMINADA`` audit event) once every
signatory has signed (before the disbursement), when the signing deadline passes, when the
journey ends (cancelled or declined: before the answer; offer expired), and at the latest
``biometric_retention_hours`` after the oldest item it holds was stored (a timer of its own).
A face step after a deletion re-extracts the card's encoding from the ID card, which is an
identity document kept with the credit file.

Journeys started before this existed replay unchanged: every command here is behind
``workflow.patched(PATCH)``. Deterministic; no I/O.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bank.kyc import contracts as kyc
    from bank.privacy import contracts as privacy
    from workflows.credit import calls as act
    from workflows.credit.contract import Role
    from workflows.credit.signatories import SignatoryProgress

from workflows.credit.state import CreditJourneyBase

PATCH = "biometric-retention"
CARD_FRONT = {Role.MEMBER: kyc.ID_FRONT, Role.SPOUSE: kyc.SPOUSE_ID_FRONT}
"""The ID card whose photograph each signatory's face is compared with."""


class BiometricRetention(CreditJourneyBase):
    """Holds the biometric keys, deletes them (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._retention = False
        self._held: dict[str, datetime] = {}
        """Document-store keys of frames and encodings not yet deleted, with when stored."""
        self._deleted: set[str] = set()
        self._deleted_count = self._deletions = 0
        self._closing = False

    def _biometric_counts(self) -> tuple[int, int]:
        return len(self._held), self._deleted_count

    def _hold(self, *keys: str | None) -> None:
        """Track frames or encodings just stored (deleted later by this journey)."""
        for key in keys:
            if key:
                self._held.setdefault(key, workflow.now())
                self._deleted.discard(key)

    def _start_retention(self) -> asyncio.Task[None] | None:
        """Decide once per run whether this journey deletes biometrics; start its timer."""
        self._retention = workflow.patched(PATCH)
        return asyncio.create_task(self._retention_timer()) if self._retention else None

    async def _stop_retention(self, timer: asyncio.Task[None] | None) -> None:
        """The journey ends: delete what is left, then let the timer finish."""
        await self._delete_biometrics("fin")
        self._closing = True
        if timer is not None:
            await timer

    async def _retention_timer(self) -> None:
        """At the latest the retention window after the oldest held item: delete them all."""
        window = timedelta(hours=self._offer.biometric_retention_hours)
        while True:
            await workflow.wait_condition(lambda: bool(self._held) or self._closing)
            if self._closing:
                return
            remaining = min(self._held.values()) + window - workflow.now()
            if await self._deleted_within(remaining):
                continue  # deleted meanwhile, or closing: look again
            await self._delete_biometrics("plazo")

    async def _deleted_within(self, remaining: timedelta) -> bool:
        """Wait up to ``remaining``; True when a deletion (or the end) came first."""
        if remaining <= timedelta(0):
            return False
        deletions = self._deletions
        try:
            await workflow.wait_condition(
                lambda: self._closing or self._deletions != deletions, timeout=remaining
            )
        except TimeoutError:
            return False
        return True

    async def _delete_biometrics(self, reason: str) -> None:
        """Delete every held frame and encoding (one activity, one audit event)."""
        async with self._lock:  # never under a face attempt that is reading them
            await self._delete_held(reason)

    async def _delete_held(self, reason: str) -> None:
        """:meth:`_delete_biometrics` for a handler that already holds the journey's lock."""
        keys = tuple(self._held)
        if not self._retention or not keys:
            return
        self._deletions += 1
        await self._call(
            privacy.DELETE_BIOMETRICS,
            privacy.DeleteBiometricsInput(
                workflow.info().workflow_id, keys, reason, self._deletions
            ),
            privacy.DeletedBiometrics,
            retry=act.PATIENT,
            timeout=act.MEDIUM,
        )
        for key in keys:
            self._held.pop(key, None)
        self._deleted.update(keys)
        self._deleted_count += len(keys)
        self._audit("sistema", "biometria.eliminada", f"{len(keys)} elementos ({reason})")

    async def _reference_for(self, signer: SignatoryProgress) -> str:
        """The signatory's card encoding; extracted again from the ID card if deleted."""
        key = signer.reference_face_key
        document = self._documents.get(CARD_FRONT[signer.role])
        if key is None or key not in self._deleted or document is None:
            return key or ""
        face = await self._call(
            kyc.EXTRACT_REFERENCE_FACE,
            kyc.ExtractReferenceFaceInput(document.key),
            kyc.ReferenceFace,
            cpu=True,
        )
        signer.reference_face_key = face.encoding_key or key
        self._hold(face.encoding_key)
        return signer.reference_face_key
