"""The procurement package's pages and commands, attached to the app by the factory."""
from procurement import audit_trail, cli  # noqa: F401
from procurement.bids import routes as bid_routes  # noqa: F401
from procurement.notices import clarifications, documents  # noqa: F401
from procurement.setup import routes as setup_routes  # noqa: F401
from procurement.bids import opening_routes  # noqa: F401
from procurement.selection import routes as selection_routes  # noqa: F401
