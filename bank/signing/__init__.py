"""Credit documents and their electronic signature (reportlab + pyHanko).

- :mod:`bank.signing.contracts`: the dataclasses and activity names the credit workflow
  uses (light: safe to import inside a workflow sandbox).
- :mod:`bank.signing.ca`: the institution's certification authority and seal.
- :mod:`bank.signing.documents`: the contract, pagaré, amortization table and debit
  authorisation as PDFs.
- :mod:`bank.signing.pades`: PAdES signatures, the institutional seal and validation.

See ``docs/signing.md``.
"""
