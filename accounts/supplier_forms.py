"""The forms of supplier accounts (Flask-WTF: CSRF on every one): registering an organisation
and its first user, inviting another user, accepting an invitation. Each field's check is a
rule of `accounts.registration_rules` or the password policy; the views check what needs the
database (a name or an email already registered)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length

from accounts import registration_rules as rules
from accounts.admin.forms import choices
from accounts.passwords import problems

YES_NO = choices([("yes", "Yes"), ("no", "No")])
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def _email(label: str, missing: str, autocomplete: str = "email") -> EmailField:
    return EmailField(label, validators=[
        DataRequired(missing), Length(max=254, message="Enter an email address of 254 "
                                                       "characters or fewer"),
        Email(EMAIL_FORMAT, check_deliverability=False)],
        render_kw={"autocomplete": autocomplete, "spellcheck": "false"})


def _name(label: str, missing: str, autocomplete: str = "name") -> StringField:
    return StringField(label, validators=[
        DataRequired(missing), Length(max=200, message="Enter a name of 200 characters or fewer")],
        render_kw={"autocomplete": autocomplete})


def _password() -> PasswordField:
    return PasswordField("Create a password", validators=[
        DataRequired("Enter a password")], render_kw={"autocomplete": "new-password"})


def _confirm() -> PasswordField:
    return PasswordField("Confirm your password", validators=[
        DataRequired("Enter the password again"),
        EqualTo("password", "The passwords do not match: enter the same password twice")],
        render_kw={"autocomplete": "new-password"})


class _NewPassword(FlaskForm):
    """The policy for a new password (its fields come last in each form, as on the page)."""

    def _whose(self) -> tuple[str, str]:
        return (self.email.data or "", self.name.data or "")

    def validate_password(self, field):
        email, name = self._whose()
        refusals = problems(field.data or "", email=email, name=name)
        if refusals:
            raise ValidationError(refusals[0])


class RegistrationForm(_NewPassword):
    organisation_name = _name("Organisation name", "Enter your organisation's name",
                              "organization")
    identifier_scheme = RadioField("Identifier", choices=choices(rules.SCHEMES.items()),
                                   validate_choice=False)
    identifier = StringField("Number or identifier", render_kw={"spellcheck": "false"})
    address = TextAreaField("Registered address", validators=[
        DataRequired("Enter your organisation's registered address"),
        Length(max=500, message="Enter an address of 500 characters or fewer")])
    contact_name = _name("Contact name", "Enter the name of the person to contact")
    contact_phone = StringField("Contact telephone number",
                                render_kw={"autocomplete": "tel", "type": "tel"})
    sme = RadioField("Is your organisation a small or medium-sized enterprise (SME)?",
                     choices=YES_NO, validate_choice=False)
    vcse = RadioField("Is your organisation a voluntary, community or social enterprise (VCSE)?",
                      choices=YES_NO, validate_choice=False)
    name = _name("Your full name", "Enter your full name")
    email = _email("Your email address", "Enter your email address")
    password = _password()
    confirm_password = _confirm()

    def validate_identifier_scheme(self, field):
        if field.data not in rules.SCHEMES:
            raise ValidationError("Select the kind of identifier your organisation has")

    def validate_identifier(self, field):
        if self.identifier_scheme.data not in rules.SCHEMES:
            return  # said once, on the kind
        problem = rules.identifier_problem(self.identifier_scheme.data, field.data)
        if problem:
            raise ValidationError(problem)
        field.data = rules.normal_identifier(self.identifier_scheme.data, field.data)

    def validate_contact_phone(self, field):
        problem = rules.phone_problem(field.data)
        if problem:
            raise ValidationError(problem)
        field.data = rules.normal_phone(field.data)

    def validate_sme(self, field):
        if field.data not in ("yes", "no"):
            raise ValidationError("Select yes if your organisation is an SME")

    def validate_vcse(self, field):
        if field.data not in ("yes", "no"):
            raise ValidationError("Select yes if your organisation is a VCSE")


class InviteForm(FlaskForm):
    name = _name("Full name", "Enter the person's name", "off")
    email = _email("Email address", "Enter the person's email address", "off")


class AcceptInvitationForm(_NewPassword):
    name = _name("Your full name", "Enter your full name")
    password = _password()
    confirm_password = _confirm()

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def _whose(self) -> tuple[str, str]:
        return (self.person.email, self.name.data or "")
