"""Domain errors raised by services, and how each surface renders them.

Services raise these instead of HTTP aborts; the API answers Mastodon's JSON error shape, the web
UI a friendly page, and the ActivityPub surface a bare 4xx.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Seconds a client is asked to wait when the database cannot be reached (a restart, a failover):
# the pool replaces its dead connections on the next checkout, so this is short.
DATABASE_RETRY_AFTER = 5


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, details: dict[str, list[dict[str, str]]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Unprocessable(DomainError):
    """Validation failed (Mastodon answers 422 "Validation failed: ...")."""

    status_code = 422


class Conflict(DomainError):
    status_code = 409


class TooManyRequests(DomainError):
    """Over a budget (sign-in attempts): answered 429 with Retry-After."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _wants_json() -> bool:
    path = request.path
    if path.startswith(("/api/", "/oauth/token", "/oauth/revoke", "/nodeinfo", "/.well-known/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def retry_headers(err: DomainError) -> dict[str, str]:
    """`Retry-After` for an error that has one (TooManyRequests), else nothing."""
    retry_after = getattr(err, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after is not None else {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if _wants_json():
            body: dict[str, object] = {"error": err.message}
            if err.details:
                body["details"] = err.details
            return jsonify(body), err.status_code, retry_headers(err)
        page = render_template("error.html", code=err.status_code, message=err.message)
        return page, err.status_code, retry_headers(err)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(err: OperationalError | InterfaceError):
        """The database went away (restarted, failed over, out of connections) or gave up on
        a statement: 503 with Retry-After, never a 500. Rendered without the database (no
        template that could read it)."""
        log.warning("database unavailable: %s", str(err.orig or err).splitlines()[0])
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
        message = "The service is unavailable for a moment; please try again."
        if _wants_json():
            return jsonify({"error": message}), 503, headers
        page = f"<!doctype html><title>503</title><h1>503</h1><p>{message}</p>"
        return Response(page, 503, headers, mimetype="text/html")

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        code = err.code or 500
        if _wants_json():
            message = {404: "Record not found"}.get(code, err.description or err.name)
            return jsonify({"error": message}), code
        return render_template("error.html", code=code, message=err.description), code
