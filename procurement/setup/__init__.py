"""Procurement set-up in the browser: details, lots, partners, key dates, engagement events,
check your answers and finalising; the threshold assessment on the procurement page.

`rules.py` is pure (plain values in, problems out); `forms.py` the Flask-WTF forms;
`services.py` writes, each change with its audit record in the same commit; `routes.py`
the thin views on the `procurement` blueprint (imported by `procurement/routes.py`).
"""
