"""Registers the signed-in web pages (sign-up, timelines, compose, actions, notifications,
follow requests, lists, search, saved posts, settings, moderation) on the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from fedi.web import (
        account_actions,
        admin,
        compose,
        password,
        saved,
        settings,
        signup,
        status_actions,
    )
    from fedi.web import follow_requests as follow_requests_web
    from fedi.web import lists as lists_web
    from fedi.web import notifications as notifications_web
    from fedi.web import search as search_web
    from fedi.web import timelines as timelines_web

    for module in (
        signup, password, timelines_web, compose, status_actions, account_actions,
        notifications_web, follow_requests_web, lists_web, search_web, saved, settings, admin,
    ):  # fmt: skip
        app.register_blueprint(module.bp)
