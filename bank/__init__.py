"""Domain model and persistence for the Cooprogreso engine: money, ledger, members, products."""
