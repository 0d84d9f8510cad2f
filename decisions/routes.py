"""Decision note pages."""
from decisions import bp  # noqa: F401
