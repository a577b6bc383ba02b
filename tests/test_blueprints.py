"""The blueprints: one explicit list in fedi/__init__.py holds them all, and each is named after
its module, so an endpoint name ("web_search.index") leads straight to its file."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask

import fedi.activitypub
import fedi.api
import fedi.streaming
import fedi.web

FACES = (fedi.web, fedi.api, fedi.activitypub, fedi.streaming)


def _name_for(module: str) -> str:
    """fedi.api.v1.statuses -> api_v1_statuses (Flask forbids dots in blueprint names)."""
    return module.removeprefix("fedi.").replace(".", "_")


def _blueprint_modules() -> dict[str, Blueprint]:
    found = {}
    for face in FACES:
        for info in pkgutil.walk_packages(face.__path__, f"{face.__name__}."):
            bp = getattr(importlib.import_module(info.name), "bp", None)
            if isinstance(bp, Blueprint) and bp.import_name == info.name:
                found[info.name] = bp
    return found


def test_each_blueprint_is_named_after_its_module(app: Flask) -> None:
    wrong = {
        bp.import_name: bp.name
        for bp in app.blueprints.values()
        if bp.name != _name_for(bp.import_name)
    }
    assert wrong == {}


def test_every_blueprint_module_is_registered(app: Flask) -> None:
    modules = _blueprint_modules()
    assert modules, "no blueprint modules found"
    missing = sorted(name for name, bp in modules.items() if app.blueprints.get(bp.name) is not bp)
    assert missing == []
