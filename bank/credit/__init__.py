"""The preapproved credit journey's domain: charges and summary, requirements, deadline,
simulation, signing-link tokens, consents and disbursement (see ``docs/credit-journey.md``).

Everything but :mod:`bank.credit.store` and :mod:`bank.credit.disbursement` is pure and
deterministic, so the workflow may use it directly.
"""
