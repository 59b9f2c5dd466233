"""The cooperative's front desk: its contact channels and FAQ, and the products members ask for."""
