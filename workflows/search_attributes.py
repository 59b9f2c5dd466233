"""Typed keys of the custom search attributes (declared in temporal-config/search-attributes.toml).

No I/O here: workflows import these keys to upsert, the API and officer tools to build
visibility queries. ``tests/workers/test_temporal_config.py`` keeps this module and the
TOML file in step.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

# Every journey
JOURNEY_STATUS = SearchAttributeKey.for_keyword("JourneyStatus")
MEMBER_ID = SearchAttributeKey.for_keyword("MemberId")

# Preapproved credit journey
CREDIT_STATUS = SearchAttributeKey.for_keyword("CreditStatus")
CAMPAIGN_ID = SearchAttributeKey.for_keyword("CampaignId")
AMOUNT_REQUESTED = SearchAttributeKey.for_float("AmountRequested")
SIGNING_DEADLINE = SearchAttributeKey.for_datetime("SigningDeadline")

# Transfers and payments
IDEMPOTENCY_KEY = SearchAttributeKey.for_keyword("IdempotencyKey")
OPERATION_KIND = SearchAttributeKey.for_keyword("OperationKind")
AMOUNT = SearchAttributeKey.for_float("Amount")

# Scheduled bill payments
SCHEDULED_PAYMENT_ID = SearchAttributeKey.for_keyword("ScheduledPaymentId")

ALL_KEYS: tuple[SearchAttributeKey[Any], ...] = (
    JOURNEY_STATUS,
    MEMBER_ID,
    CREDIT_STATUS,
    CAMPAIGN_ID,
    AMOUNT_REQUESTED,
    SIGNING_DEADLINE,
    IDEMPOTENCY_KEY,
    OPERATION_KIND,
    AMOUNT,
    SCHEDULED_PAYMENT_ID,
)
"""Every key above, for checks and for registering them on a test server."""
