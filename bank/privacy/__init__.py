"""Personal-data protection (Ecuador's LOPDP 2021): biometric consent, deletion, access log,
a member's export and deletion requests. See ``docs/privacy.md``."""
