"""Security headers on every response (issue 10, item 3): a small `after_request`.

No library: flask-talisman is unmaintained, and what is needed is a handful of fixed
strings; the policy is written out here where it can be read and tested whole. Every
response gets them: pages, errors, files, JSON, PDFs. A response that already carries one
of them (a view that needs its own) keeps its own.

- Content-Security-Policy: scripts, styles, images and fonts from the app's own origin only,
  no inline script or style (the templates have none: GOV.UK Frontend's start-up snippet is
  static/js/supported.js), no plugins, no <base>, forms post only to the app, and no page may
  be framed (frame-ancestors 'none', and X-Frame-Options DENY for older browsers).
- X-Content-Type-Options nosniff; Referrer-Policy same-origin (not no-referrer: Flask-WTF
  checks the Referer of HTTPS form posts against the host); Permissions-Policy turning off
  the browser features the app never uses; Cross-Origin-Opener-Policy and
  Cross-Origin-Resource-Policy same-origin.
- Strict-Transport-Security only in production (TENDER_ENV=production): a year.
- No version banner. The Server header is the WSGI server's, not the app's (a header the
  app set would be a second one): gunicorn, as in production, sends "Server: gunicorn" with
  no version; Werkzeug's development server (`flask run`, `make run`, the browser tests) sent
  "Werkzeug/3.x Python/3.x", and now sends "Tender" (`quiet_werkzeug`).
"""
from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking"))
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
SERVER = "Tender"


def headers(production: bool) -> dict[str, str]:
    """The headers every response carries."""
    return {**HEADERS, **({"Strict-Transport-Security": HSTS} if production else {})}


def quiet_werkzeug() -> None:
    """Werkzeug's development server names itself and Python, versions and all, in the
    Server header of every answer, from its request handler; make it say "Tender"."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER


def register(app: Flask) -> None:
    fixed = headers(bool(app.config.get("PRODUCTION")))
    quiet_werkzeug()

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in fixed.items():
            response.headers.setdefault(name, value)
        return response
