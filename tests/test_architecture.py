"""The shape of the code: imports go one way, from the faces down to the models (see
docs/ARCHITECTURE.md). Walks every module's imports with `ast`, so a new import against the
direction fails here rather than as a cycle somewhere unexpected."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

FEDI = Path(__file__).resolve().parent.parent / "fedi"

# The composition root builds the app and the processes: it may import anything.
ROOT = {"fedi", "fedi.cli", "fedi.server", "fedi.gunicorn_conf"}
FACES = {"fedi.web", "fedi.api", "fedi.activitypub", "fedi.streaming"}
# Higher layers import lower ones, never the other way; faces never import each other.
LAYERS: dict[str, int] = {
    **dict.fromkeys(FACES, 6),
    "fedi.entities": 5,  # Mastodon's JSON entities: renderings shared by the API and streaming
    "fedi.http": 5,  # request and response helpers shared by the faces
    "fedi.hub": 5,  # open streams off the request threads: the streaming API and live web timelines
    "fedi.tasks": 4,  # queue entry points
    "fedi.federation": 3,  # protocol: signatures, fetching, delivery, inbound activities
    "fedi.services": 2,  # use cases and their transactions
    "fedi.models": 1,
    "fedi.text": 0,
    "fedi.events": 0,
}
BASE = 0  # every other top-level module of fedi (config, errors, ids, urls, queue, ...)


def _module_name(path: Path) -> str:
    parts = path.relative_to(FEDI.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The package (or top-level module) of a module: fedi.services.push -> fedi.services."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _rank(unit: str) -> int | None:
    if unit in ROOT:
        return None
    return LAYERS.get(unit, BASE)


def _submodule_or_root(name: str) -> str:
    exists = (FEDI / name).is_dir() or (FEDI / f"{name}.py").exists()
    return f"fedi.{name}" if exists else "fedi"


def _imports(path: Path) -> list[tuple[str, int]]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "fedi":  # `from fedi import queue` names a module, `create_app` the root
                found += [(_submodule_or_root(alias.name), node.lineno) for alias in node.names]
            else:
                found.append((base, node.lineno))
    return [(name, line) for name, line in found if name == "fedi" or name.startswith("fedi.")]


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(FEDI.rglob("*.py")):
        source = _unit(_module_name(path))
        for name, line in _imports(path):
            target = _unit(name)
            if target != source:
                edges[(source, target)].append(f"{path.relative_to(FEDI.parent)}:{line}")
    return edges


def test_imports_go_down_the_layers():
    wrong = []
    for (source, target), places in sorted(_edges().items()):
        rank, target_rank = _rank(source), _rank(target)
        if rank is None:
            continue
        if target_rank is None or target_rank > rank:
            wrong.append(f"{source} -> {target} (upwards): {', '.join(places)}")
        elif source in FACES and target in FACES:
            wrong.append(f"{source} -> {target} (a face importing a face): {', '.join(places)}")
        elif target_rank == rank and rank != BASE:
            wrong.append(f"{source} -> {target} (same layer): {', '.join(places)}")
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_packages_or_modules_of_the_base():
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in _edges():
        if source not in ROOT:  # the composition root imports everything; nothing imports it
            graph[source].add(target)
    seen: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        if node in stack:
            cycle = [*stack[stack.index(node) :], node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in seen:
            return
        stack.append(node)
        for target in sorted(graph[node]):
            visit(target)
        stack.pop()
        seen.add(node)

    for node in sorted(graph):
        visit(node)


def test_every_enqueued_task_name_is_registered():
    import re

    import fedi.tasks  # noqa: F401  (registers the tasks)
    from fedi import queue

    used = set()
    for path in FEDI.rglob("*.py"):
        if path.name == "queue.py":
            continue
        used |= set(re.findall(r"\benqueue\(\s*\"(\w+)\"", path.read_text()))
    assert used and used <= queue.registered_names(), used - queue.registered_names()


HTTP_CLIENTS = {"httpx", "h11", "requests", "pywebpush", "urllib.request", "http.client"}


def test_services_and_models_never_talk_http():
    """Fetching and sending over HTTP is federation's (and runs in tasks): a service that
    needs a remote object is handed it by the face or task that fetched it."""
    wrong = []
    for package in ("services", "models"):
        for path in sorted((FEDI / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                for name in names:
                    if any(name == c or name.startswith(c + ".") for c in HTTP_CLIENTS):
                        wrong.append(f"{path.relative_to(FEDI.parent)}:{node.lineno} {name}")
    assert not wrong, "\n".join(wrong)
