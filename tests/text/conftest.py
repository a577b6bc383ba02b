"""The text package is pure functions: these tests need no app and no database."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _ctx() -> Iterator[None]:
    """Overrides the suite-wide app-context fixture for this directory."""
    yield
