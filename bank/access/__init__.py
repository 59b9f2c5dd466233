"""Access to Cooprogreso en Línea: enrollment, login and sessions, passwords, one-time codes."""
