from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.com",
              check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
