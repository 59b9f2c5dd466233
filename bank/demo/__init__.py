"""Demo data for the embedded run, apart from the domain: members, products, history, payees.

``python -m bank.demo.seed`` loads it."""
