"""Documents rendered for members (PDF)."""
