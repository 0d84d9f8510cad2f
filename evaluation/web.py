"""What the evaluation pages share: hand-parsed form errors, and redirects that say why.

Views stay thin: parse the form, ask a rule or service, persist with its audit record in
the same commit, redirect.
"""
from __future__ import annotations

from flask import flash, redirect, render_template


class FormErrors:
    """Errors of a hand-parsed form, shaped like a WTForms form's for base.html: {field id:
    [message]}; `summary` gives them to macros.error_summary, each linked to its field."""

    def __init__(self, errors: dict[str, str] | None = None):
        self.errors = {k: [v] for k, v in (errors or {}).items()}

    def __contains__(self, name) -> bool:
        return False

    @property
    def summary(self) -> list[tuple[str, str]]:
        return [(name, m) for name, messages in self.errors.items() for m in messages]

    def message(self, name: str) -> str | None:
        return self.errors.get(name, [None])[0]


def refused(message: str, target: str):
    """A guard said no: say why at the top of the page it sends back to (303)."""
    flash(message, "error")
    return redirect(target, code=303)


def done(message: str, target: str):
    flash(message, "success")
    return redirect(target, code=303)
