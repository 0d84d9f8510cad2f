"""Every decision page and command, imported once by the app factory to attach them."""
from decisions import cli  # noqa: F401
from decisions.annexes import routes as annex_routes  # noqa: F401
from decisions import job_pages  # noqa: F401
from decisions.letters import routes as letter_routes  # noqa: F401
from decisions.note import public_routes  # noqa: F401
from decisions.note import routes as note_routes  # noqa: F401
from decisions.note import sections as note_sections  # noqa: F401
from decisions.signoff import cli as signoff_cli  # noqa: F401
from decisions.signoff import routes as signoff_routes  # noqa: F401
from decisions.signoff import webhook  # noqa: F401
