"""The committed workflow histories (``tests/fixtures/histories/``) and their workflow IDs.

The replay tests (``tests/replay/``) replay them; each journey's recording test (skipped
unless ``COOP_RECORD_HISTORIES=1``) writes them, next to the scenario it records.
"""

from __future__ import annotations

from pathlib import Path

from workflows.enrollment.contract import workflow_id as enrollment_id

HISTORIES = Path(__file__).parents[1] / "fixtures" / "histories"

MOVEMENT_INTERBANK_REVERSED = HISTORIES / "movement_interbank_reversed.json"
"""Recorded before the ``movement-local-steps`` patch: preview and posting as activities."""
MOVEMENT_INTERBANK_LOCAL_STEPS = HISTORIES / "movement_interbank_reversed_local_steps.json"
"""The same journey since: preview and posting as local activities, started with its Update."""
MOVEMENT_INTERBANK_ID = "mov-1-history-interbank-1"

ENROLLMENT_HAPPY = HISTORIES / "enrollment_happy.json"
ENROLLMENT_HAPPY_ID = enrollment_id("1710034065")

CREDIT_JOURNEY_SPOUSE = HISTORIES / "credit_journey_spouse.json"
"""Recorded before the ``biometric-retention`` patch (no consent, no deletion)."""
CREDIT_JOURNEY_SPOUSE_BIOMETRICS = HISTORIES / "credit_journey_spouse_biometric_retention.json"
"""The same journey since: consent before the camera, biometrics deleted before disbursing."""
CREDIT_JOURNEY_SPOUSE_ID = "credit-PRE2026-7"

SCHEDULED_RUN_PAID = HISTORIES / "scheduled_run_paid.json"
SCHEDULED_RUN_PAID_UPSERTED = HISTORIES / "scheduled_run_paid_attributes_upserted.json"
SCHEDULED_RUN_ID = "sched-pay-1-run"

CARD_PIN_CHANGED = HISTORIES / "card_pin_changed.json"
CARD_PIN_CHANGED_ID = "card-pin-1"

CARD_DEFERRAL_DEFERRED = HISTORIES / "card_deferral_deferred.json"
CARD_DEFERRAL_DEFERRED_ID = "card-deferral-1"

CARD_BILLING_CLOSED = HISTORIES / "card_billing_closed.json"
CARD_BILLING_CLOSED_ID = "card-billing-2026-01-25"
