from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.com",
              check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class ChangePasswordForm(FlaskForm):
    """The password policy itself (accounts.passwords) is applied by the view."""

    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[
        DataRequired("Enter a new password")], render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"),
        EqualTo("new_password", "The passwords do not match: enter the same new password "
                                "twice")], render_kw={"autocomplete": "new-password"})
