"""demo commands."""
from demo import bp  # noqa: F401
