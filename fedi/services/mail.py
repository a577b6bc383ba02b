"""Sending e-mail: through SMTP when SMTP_SERVER is configured; otherwise the message goes to
the log (the embedded default has no mail), and callers learn that nothing was sent."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def can_send() -> bool:
    return bool(current_app.config["FEDI"].SMTP_SERVER)


def send(*, to: str, subject: str, body: str) -> bool:
    """Send the message; False (and the message logged) when there is no SMTP server."""
    settings = current_app.config["FEDI"]
    if not settings.SMTP_SERVER:
        log.warning("No SMTP_SERVER: mail to %s not sent. %s\n%s", to, subject, body)
        return False
    message = EmailMessage()
    message["From"] = settings.SMTP_FROM_ADDRESS or f"notifications@{settings.LOCAL_DOMAIN}"
    message["To"], message["Subject"] = to, subject
    message.set_content(body)
    with smtplib.SMTP(settings.SMTP_SERVER, settings.SMTP_PORT, timeout=20) as smtp:
        if settings.SMTP_PORT != 25:
            smtp.starttls()
        if settings.SMTP_LOGIN:
            smtp.login(settings.SMTP_LOGIN, settings.SMTP_PASSWORD)
        smtp.send_message(message)
    return True
