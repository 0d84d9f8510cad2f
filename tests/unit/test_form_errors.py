"""templating.form_errors: a WTForms form's errors as the error summary's (field id, message)."""
from __future__ import annotations

from jinja2 import Undefined
from wtforms import FieldList, Form, FormField, StringField
from wtforms.validators import DataRequired

from templating import EXPIRED, form_errors


class Row(Form):
    version = StringField(validators=[DataRequired("Enter the version")])


class Annex(Form):
    title = StringField(validators=[DataRequired("Enter a title")])
    rows = FieldList(FormField(Row), min_entries=2)


def test_fields_in_order_and_each_row_by_its_own_field_id():
    form = Annex()
    form.validate()
    assert form_errors(form) == [("title", "Enter a title"),
                                 ("rows-0-version", "Enter the version"),
                                 ("rows-1-version", "Enter the version")]


def test_a_valid_form_has_none():
    form = Annex(data={"title": "DPIA", "rows": [{"version": "1"}, {"version": "2"}]})
    assert form.validate() and form_errors(form) == []


def test_an_expired_token_links_to_the_main_content():
    class Token:  # stands in for Flask-WTF's CSRF field, which needs a request
        type, id, errors = "CSRFTokenField", "csrf_token", ["The CSRF token has expired."]

    assert form_errors([Token()]) == [("main-content", EXPIRED)]


def test_no_form_no_errors():
    assert form_errors(None) == [] and form_errors(Undefined()) == []


def test_a_hand_parsed_forms_errors_too():
    from evaluation.web import FormErrors

    assert FormErrors({"weight-3": "Enter a weight"}).summary == [("weight-3", "Enter a weight")]
    assert FormErrors().summary == []
