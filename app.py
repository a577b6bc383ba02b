"""WSGI entry point: `gunicorn app:app`, `flask --app app ...`."""

from fedi import create_app

app = create_app()
