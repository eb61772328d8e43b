"""Errors raised by services, and the HTTP error handlers.

Services raise ``ServiceError`` subclasses and know nothing of HTTP; the
handlers here turn them, and every HTTP error, into one JSON shape for the API:

    {"code": 422, "status": "Unprocessable Entity",
     "message": "…", "errors": {"json": {"field": ["…"]}}}

Pages (the PWA, the console) keep HTML error pages.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES


class ServiceError(Exception):
    """A request that the domain refuses; ``status`` is its HTTP meaning."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422


class Forbidden(ServiceError):
    status = 403


MESSAGES = {
    400: "The request could not be understood.",
    401: "Log in first.",
    403: "You may not do this.",
    404: "Not found.",
    405: "Method not allowed here.",
    409: "This conflicts with what is already stored.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are not valid; see errors.",
    429: "Too many requests; try again later.",
    500: "Something went wrong on our side; nothing you sent was lost if it was acknowledged.",
    503: "The service is temporarily unavailable.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_payload(code: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    name = HTTP_STATUS_CODES.get(code, "Error")
    payload: dict[str, Any] = {"code": code, "status": name, "message": message or MESSAGES.get(code, name)}
    if errors:
        payload["errors"] = errors
    return payload


def handle_http_exception(error: HTTPException) -> Any:
    if not wants_json():
        return _html_error(error)
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message")
    if message is None and isinstance(error, CSRFError):
        message = error.description
    if message is None and code not in MESSAGES:
        message = error.description
    errors = data.get("errors") or data.get("messages")
    if code == 400 and errors and message is None:
        message = "The request body is not valid JSON." if "json" in errors else None
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_payload(code, message, errors), code, headers


def handle_service_error(error: ServiceError) -> Any:
    if not wants_json():
        return _html_error(default_exceptions[error.status](error.message))
    return error_payload(error.status, error.message, error.errors), error.status


def _html_error(error: HTTPException) -> Response | tuple[str, int]:
    if isinstance(error, InternalServerError) or (error.code or 500) >= 500:
        code = 500
    else:
        code = error.code or 500
    response = current_app.make_response((render_template("error.html", code=code, name=error.name), code))
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def register_errorhandlers(app: Flask) -> None:
    # Registered after flask-smorest's own handler, so this one wins.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
