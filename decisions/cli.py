"""decision-note commands."""
from decisions import bp  # noqa: F401
