"""Infrastructure and primitives every concern uses: settings, database, Temporal client,
migrations, money, the domain error base and masking."""
