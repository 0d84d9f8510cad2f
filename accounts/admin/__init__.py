"""The administrator's pages: users, organisations and settings with effective dates."""
