"""Every evaluation page, imported once by the app factory to attach them to the blueprint."""
from evaluation import overview  # noqa: F401
from evaluation.criteria import routes as criteria_routes  # noqa: F401
from evaluation.moderation import routes as moderation_routes  # noqa: F401
from evaluation.panel import routes as panel_routes  # noqa: F401
from evaluation.results import routes as results_routes  # noqa: F401
from evaluation.scoring import documents as bid_documents  # noqa: F401
from evaluation.scoring import routes as scoring_routes  # noqa: F401
