"""fedi/json_limits.py: JSON from outside is refused past MAX_DEPTH, whatever its shape."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fedi import json_limits
from fedi.json_limits import MAX_DEPTH, TooDeep

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=40,
)


def depth(value) -> int:
    """The reference: how many lists and dicts nest, recursively."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def nested(levels: int, leaf: str = "1") -> str:
    return '{"a":' * levels + leaf + "}" * levels


@given(documents, st.integers(0, 12))
def test_depth_is_measured_as_nesting(value, limit):
    assert json_limits.within_depth(value, limit) == (depth(value) <= limit)


@given(documents)
def test_documents_within_the_limit_parse_as_they_are(value):
    assert json_limits.loads(orjson.dumps(value)) == value


@given(st.integers(MAX_DEPTH + 1, 3000), st.sampled_from(["[", '{"k":']))
def test_deeper_documents_are_refused_as_invalid_json(levels, opener):
    closer = "]" if opener == "[" else "}"
    with pytest.raises(ValueError):
        json_limits.loads(opener * levels + "0" + closer * levels)


def test_the_limit_itself():
    assert json_limits.loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(TooDeep):
        json_limits.loads(nested(MAX_DEPTH + 1))
    with pytest.raises(ValueError):  # far past orjson's own limit: still a ValueError
        json_limits.loads("[" * 10_000 + "]" * 10_000)


@given(documents)
def test_documents_from_other_servers_lose_their_nul_characters_only(value):
    data = orjson.dumps(value)
    parsed = json_limits.loads_without_nul(data)
    assert b"\\u0000" not in orjson.dumps(parsed)
    if b"\\u0000" not in data:
        assert parsed == value
