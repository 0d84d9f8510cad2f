"""The administrator's forms (Flask-WTF: CSRF on every one). Each field's check is a rule of
`accounts.admin.rules` or the password policy; the views check what needs the database."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (EmailField, PasswordField, RadioField, SelectField, SelectMultipleField,
                     StringField, ValidationError)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from accounts.admin import rules
from accounts.models import APPROVER_ROLES, ROLES
from accounts.passwords import problems


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that posts (deactivate, reactivate): nothing but the CSRF token."""


class _Roles(FlaskForm):
    roles = SelectMultipleField("Roles", choices=choices(ROLES.items()), validate_choice=False)
    organisation_id = SelectField("Organisation", validate_choice=False)

    def validate_roles(self, field):
        problem = rules.roles_problem(field.data or [], ROLES)
        if problem:
            raise ValidationError(problem)

    def validate_organisation_id(self, field):
        if not field.data or field.data not in {c.value for c in self.organisation_id.choices}:
            raise ValidationError("Select the person's organisation")


class UserForm(_Roles):
    """A new person: their password is set here and given to them in person (no email yet)."""

    email = EmailField("Email address", validators=[
        DataRequired("Enter the email address"), Length(max=254, message=(
            "Enter an email address of 254 characters or fewer")),
        Email("Enter an email address in the correct format, like name@example.com",
              check_deliverability=False)])
    name = StringField("Full name", validators=[
        DataRequired("Enter the person's name"),
        Length(max=200, message="Enter a name of 200 characters or fewer")])
    password = PasswordField("Initial password", validators=[
        DataRequired("Enter an initial password")], render_kw={"autocomplete": "new-password"})

    def validate_password(self, field):
        refusals = problems(field.data or "", email=self.email.data or "",
                            name=self.name.data or "")
        if refusals:
            raise ValidationError(refusals[0])


class EditUserForm(_Roles):
    name = StringField("Full name", validators=[
        DataRequired("Enter the person's name"),
        Length(max=200, message="Enter a name of 200 characters or fewer")])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired("Enter a new password")], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"),
        EqualTo("password", "The passwords do not match: enter the same new password twice")],
        render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        refusals = problems(field.data or "", email=self.person.email, name=self.person.name)
        if refusals:
            raise ValidationError(refusals[0])


class OrganisationForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired("Enter the organisation's name"),
        Length(max=200, message="Enter a name of 200 characters or fewer")])
    kind = RadioField("Kind of organisation", choices=choices(rules.ORGANISATION_KINDS.items()),
                      validate_choice=False)
    decision_prefix = StringField("Decision-number prefix")
    signoff_order = StringField("Sign-off order")

    def validate_kind(self, field):
        if field.data not in rules.ORGANISATION_KINDS:
            raise ValidationError("Select the kind of organisation")

    def validate_decision_prefix(self, field):
        field.data = (field.data or "").strip()
        if field.data and self.kind.data != "buyer":
            raise ValidationError("Only a buyer has a decision-number prefix: leave it empty")
        problem = rules.prefix_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_signoff_order(self, field):
        field.data = ",".join(c.strip() for c in (field.data or "").split(",")).strip()
        if field.data and self.kind.data != "buyer":
            raise ValidationError("Only a buyer has a sign-off order: leave it empty")
        problem = rules.signoff_order_problem(field.data, APPROVER_ROLES)
        if problem:
            raise ValidationError(problem)


class SettingForm(FlaskForm):
    value = StringField("New value")
    from_day = StringField("Day")
    from_month = StringField("Month")
    from_year = StringField("Year")

    def __init__(self, *args, key: str, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.key, self.today = key, today
        self.wrong_parts: list[str] = []
        self.effective: date | None = None

    def validate_value(self, field):
        field.data = (field.data or "").strip()
        problem = rules.setting_problem(self.key, field.data)
        if problem:
            raise ValidationError(problem)

    def validate_from_day(self, field):
        parts = {p: (self[f"from_{p}"].data or "").strip() for p in ("day", "month", "year")}
        self.wrong_parts = [p for p, v in parts.items() if not v.isdigit()]
        if self.wrong_parts and len(self.wrong_parts) < 3:
            raise ValidationError("The date the new value takes effect must include a "
                                  + " and ".join(self.wrong_parts))
        try:
            self.effective = None if self.wrong_parts else date(
                int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self.wrong_parts = ["day", "month", "year"]
            raise ValidationError("The date the new value takes effect must be a real date")
        if self.effective is not None and not 2000 <= self.effective.year <= 2999:
            self.wrong_parts = ["year"]
            raise ValidationError("The year must be four digits, like 2027")
        problem = rules.effective_date_problem(self.effective, self.today)
        if problem:
            self.wrong_parts = self.wrong_parts or ["day", "month", "year"]
            raise ValidationError(problem)
