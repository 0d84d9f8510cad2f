from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo

from accounts.passwords import problems


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.com",
              check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class ChangePasswordForm(FlaskForm):
    """Your own password: the policy (accounts.passwords) for the new one; the view checks
    the current one (throttled)."""

    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[
        DataRequired("Enter a new password")], render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"),
        EqualTo("new_password", "The passwords do not match: enter the same new password "
                                "twice")], render_kw={"autocomplete": "new-password"})

    def validate_new_password(self, field):
        refusals = problems(field.data or "", email=current_user.email, name=current_user.name)
        if not refusals and field.data == self.current_password.data:
            refusals = ["The new password must be different from your current password"]
        if refusals:
            raise ValidationError(refusals[0])
