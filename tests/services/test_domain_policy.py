"""The domain rules' lookup: one normal form for a domain (case, trailing dot, punycode, default
port) and a block that covers its subdomains and ports but not look-alike domains; the most
specific block wins; the cache follows changes at once in this process."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fedi.errors import Unprocessable
from fedi.models import Role
from fedi.services import domain_moderation, domain_policy
from fedi.services.domain_moderation import BlockForm
from tests.helpers import make_local

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True)  # a name, not an IP address
DOMAIN = st.builds(
    lambda labels, tld: ".".join([*labels, tld]), st.lists(LABEL, min_size=1, max_size=3), TLD
)


@pytest.mark.parametrize(
    ("given_", "expected"),
    [("Example.COM.", "example.com"), ("bücher.example", "xn--bcher-kva.example"),
     ("example.com:443", "example.com"), ("example.com:8443", "example.com:8443"),
     ("  Sub.Example.com ", "sub.example.com")],
)  # fmt: skip
def test_normal_form(given_, expected):
    assert domain_policy.normalize(given_) == expected


@pytest.mark.parametrize("bad", ["", "   ", "https://x.example/a", "user@x.example", "a b.example",
                                 "*.example.com", "x" * 300])  # fmt: skip
def test_not_a_domain(bad):
    with pytest.raises(Unprocessable):
        domain_policy.normalize(bad)


@given(DOMAIN, st.lists(LABEL, max_size=3), st.sampled_from(["", ":8443"]))
def test_candidates_cover_every_parent_and_no_lookalike(domain, prefix, port):
    host = ".".join([*prefix, domain]) + port
    keys = domain_policy.candidates(domain_policy.normalize(host))
    assert domain in keys  # the block of the domain covers this host
    assert keys[0] == domain_policy.normalize(host)  # most specific first
    bare = host.removesuffix(port)
    for key in keys[1:]:  # whole labels only: `example.com` never covers `badexample.com`
        assert key == bare or bare.endswith(f".{key}")


@given(DOMAIN)
def test_normalising_is_idempotent_and_ignores_case_and_the_trailing_dot(domain):
    once = domain_policy.normalize(domain.upper() + ".")
    assert once == domain == domain_policy.normalize(once)


def test_blocks_cover_subdomains_and_the_most_specific_wins(app):
    admin = make_local("boss", role=Role.ADMIN)
    domain_moderation.create_block(admin, "example.com", BlockForm(severity="silence"))
    assert domain_policy.rule_for("a.b.example.com:8443").domain == "example.com"
    assert domain_policy.rule_for("notexample.com") is None
    assert domain_policy.rule_for("example.community") is None
    assert not domain_policy.refused("a.example.com")
    domain_moderation.create_block(admin, "b.example.com", BlockForm(severity="suspend"))
    assert domain_policy.rule_for("a.b.example.com").domain == "b.example.com"  # seen at once
    assert domain_policy.refused("a.b.example.com") and not domain_policy.refused("c.example.com")
    assert not domain_policy.refused(None) and not domain_policy.refused("")
