"""Money movements: transfers, bill and card payments, beneficiaries."""
