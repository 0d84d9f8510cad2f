"""Organisations, users, their roles and settings; signing in and out."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, cli_group="accounts")
