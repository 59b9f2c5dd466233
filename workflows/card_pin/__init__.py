"""A card PIN change ("Cambiar clave", debit and credit): :mod:`~workflows.card_pin.contract`
and :mod:`~workflows.card_pin.workflow`."""
