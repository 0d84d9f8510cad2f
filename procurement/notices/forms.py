"""Forms of the notice, tender document and clarification pages (CSRF on every one)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class DocumentForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired("Enter the document's title"),
        Length(max=200, message="Shorten the title to 200 characters or fewer")])
    document = FileField("Document")
    replaces = SelectField("Is this a new version of a document already uploaded?",
                           coerce=int, default=0, validate_choice=False)


class QuestionForm(FlaskForm):
    lot = SelectField("What is your question about?", default="", validate_choice=False)
    question = TextAreaField("Your question")


class AnswerForm(FlaskForm):
    public_question = TextAreaField("The question as it will be published")
    answer = TextAreaField("Answer")


class DraftForm(FlaskForm):
    kind = SelectField("Kind of notice", validate_choice=False)
    supersedes = SelectField("Is it a correction of a published notice?", coerce=int,
                             default=0, validate_choice=False, validators=[Optional()])
    call_for_competition = BooleanField(
        "This prior information notice is the call for competition (PCR 2015 reg. 75(1)(b))")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search, changes nothing

    q = StringField("Search by words", validators=[Length(max=200)])
    cpv = StringField("CPV code", validators=[Length(max=20)])
    buyer = StringField("Buyer", validators=[Length(max=200)])
    status = SelectField("Show", default="open", validate_choice=False)
