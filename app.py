"""Tender: the application factory. `flask --app app …` uses the module-level `app`."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, abort, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

import config
from extensions import cache, csrf, db, limiter, login_manager, migrate

HERE = Path(__file__).resolve().parent
# The largest id: the ids are INTEGER columns, 32-bit in PostgreSQL (SQLite's are 64-bit), and
# psycopg casts a parameter to its column's type, so anything larger is "out of range" there.
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number from 1 to ID_MAX, or the route does not match (404).

    The routes' numbers are database ids and note version numbers, all from 1; a larger
    number would overflow the database (a 500), and 0 is never an id. A route needing 0 or
    more says so: `<int(min=0):…>`."""

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("TENDER_INSTANCE", str(HERE / "instance")),
                template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.build(app.instance_path, overrides))
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(HERE / "templates")),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.jinja_env.add_extension("jinja2.ext.do")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    cache.init_app(app)
    import accounts.throttle_storage  # noqa: F401  (the tender-db:// storage, before init_app)
    limiter.init_app(app)  # after CSRF: a form without its token never reaches the throttle
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    import mail
    mail.register(app)
    _register_models()
    from procurement import jobs
    jobs.configure(app)
    _register_blueprints(app)
    _register_assets(app)
    _register_errors(app)
    from security import register as register_security
    register_security(app)
    return app


def _register_errors(app: Flask) -> None:
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    messages = {
        400: ("Bad request", "The request could not be understood."),
        403: ("You do not have permission to see this page",
              "Your role does not allow this. Ask a procurement officer if you need access."),
        404: ("Page not found", "Check the address, or go back to the list of procurements."),
        405: ("Not allowed", "That action cannot be done this way."),
        413: ("File too large", "The file is larger than the 20 MB allowed."),
    }

    def handler(err):
        from flask import g

        code = getattr(err, "code", 500) or 500
        title, message = messages.get(code, ("Sorry, there is a problem", "Try again later."))
        if code == 413 and g.get("upload_limit"):  # a route with a limit of its own
            message = f"The file is larger than the {g.upload_limit} allowed."
        if isinstance(err, CSRFError):
            title, message = ("Your form expired", "Go back, reload the page and try again.")
        return render_template("errors/error.html", title=title, message=message), code

    for code in messages:
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)

    from sqlalchemy.exc import InterfaceError, OperationalError

    from extensions import database_failure

    def database_failed(err):
        """The database failed mid-request (e.g. its connection was killed): roll back, so
        nothing is half-written, and say so; the next request gets a fresh connection."""
        app.logger.error("database failure: %s", err)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection: the session is reset anyway
            db.session.remove()
        return render_template("errors/error.html", title="Sorry, nothing was saved",
                               message=database_failure(err)), 503

    app.register_error_handler(OperationalError, database_failed)
    app.register_error_handler(InterfaceError, database_failed)


def _register_models() -> None:
    # Import every model module so Alembic and relationships see the whole schema.
    import accounts.models  # noqa: F401
    import audit.models  # noqa: F401
    import decisions.models  # noqa: F401
    import evaluation.models  # noqa: F401
    import procurement.models  # noqa: F401
    import procurement.notices.models  # noqa: F401
    import procurement.bids.models  # noqa: F401
    import procurement.selection.models  # noqa: F401
    import procurement.data_version  # noqa: F401
    import procurement.jobs  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    # Each package's `routes` module attaches its pages and commands to its blueprint.
    import accounts.cli  # noqa: F401
    import accounts.routes  # noqa: F401
    import audit.cli  # noqa: F401
    import decisions.routes  # noqa: F401
    import demo.cli  # noqa: F401
    import evaluation.cli  # noqa: F401
    import evaluation.routes  # noqa: F401
    import home.routes  # noqa: F401
    import interchange.cli  # noqa: F401
    import interchange.jobs  # noqa: F401  (the workbook's job handlers)
    import decisions.jobs  # noqa: F401  (the decision pack's and the letters' job handlers)
    import interchange.routes  # noqa: F401
    import procurement.routes  # noqa: F401
    import publication.cli  # noqa: F401
    import publication.routes  # noqa: F401
    from accounts import bp as accounts_bp
    from audit import bp as audit_bp
    from decisions import bp as decisions_bp
    from demo import bp as demo_bp
    from evaluation import bp as evaluation_bp
    from home import bp as home_bp
    from interchange import bp as interchange_bp
    from procurement import bp as procurement_bp
    from procurement.cli import tender
    from publication import bp as publication_bp
    from publication import ocds_cli

    for bp in (accounts_bp, home_bp, procurement_bp, evaluation_bp, interchange_bp,
               decisions_bp, publication_bp, audit_bp, demo_bp):
        app.register_blueprint(bp)
    app.cli.add_command(tender)
    app.cli.add_command(ocds_cli)

    from templating import register as register_helpers
    register_helpers(app)

    from procurement.access import register as register_access
    register_access(app)

    from procurement.notices.documents import register as register_upload_limit
    register_upload_limit(app)  # first of all: before the CSRF check reads an upload


def _register_assets(app: Flask) -> None:
    """GOV.UK Frontend's assets, copied into static/govuk at install, served at /assets."""
    govuk = HERE / "static" / "govuk"

    @app.route("/assets/<path:filename>")
    def govuk_assets(filename):
        if not govuk.exists():
            abort(404)
        return send_from_directory(govuk, filename, max_age=3600)


app = create_app()
# The queue of background jobs, configured for `app`: `huey_consumer app.huey` runs them.
from procurement.jobs import huey  # noqa: E402,F401
