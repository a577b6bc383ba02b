"""Filters through HTTP with real tokens: v2 CRUD with keywords and statuses, v1 mapped onto v2,
`filtered` on statuses everywhere they are read, and the errors Mastodon gives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fedi.extensions import db
from fedi.models import Filter
from fedi.models.base import utcnow
from fedi.services import filters, follows, interactions, statuses
from tests.helpers import bearer, make_local, token_for

SCOPES = "read write"


@pytest.fixture
def token(alice) -> str:
    return token_for(alice, SCOPES)


def create(client, token, **body):
    body = {"title": "Spoilers", "context": ["home", "public"]} | body
    r = client.post("/api/v2/filters", json=body, headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def home(client, token) -> dict[str, dict]:
    r = client.get("/api/v1/timelines/home", headers=bearer(token))
    assert r.status_code == 200
    return {s["id"]: s for s in r.get_json()}


def test_scopes(client, alice):
    assert client.get("/api/v2/filters").status_code == 401
    read_only = bearer(token_for(alice, "read:filters"))
    assert client.get("/api/v2/filters", headers=read_only).get_json() == []
    r = client.post("/api/v2/filters", json={"title": "x", "context": ["home"]}, headers=read_only)
    assert r.status_code == 403
    r = client.get("/api/v1/filters", headers=bearer(token_for(alice, "read:statuses")))
    assert r.status_code == 403


def test_v2_create_show_update_delete(client, token):
    made = create(
        client, token, filter_action="hide", expires_in=3600,
        keywords_attributes=[{"keyword": "ending", "whole_word": False}, {"keyword": "plot"}],
    )  # fmt: skip
    assert made["title"] == "Spoilers" and made["context"] == ["home", "public"]
    assert made["filter_action"] == "hide" and made["expires_at"].endswith("Z")
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("ending", False), ("plot", True),
    ]  # fmt: skip
    assert made["statuses"] == []
    assert client.get(f"/api/v2/filters/{made['id']}", headers=bearer(token)).get_json() == made
    assert client.get("/api/v2/filters", headers=bearer(token)).get_json() == [made]

    ending, plot = made["keywords"]
    r = client.put(
        f"/api/v2/filters/{made['id']}",
        data={
            "title": "Films", "context[]": ["thread"], "filter_action": "warn", "expires_in": "",
            "keywords_attributes[][id]": [ending["id"], plot["id"]],
            "keywords_attributes[][_destroy]": ["true", "false"],
            "keywords_attributes[][keyword]": ["", "twist"],
        },
        headers=bearer(token),
    )  # fmt: skip
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["title"] == "Films" and body["context"] == ["thread"]
    assert body["filter_action"] == "warn" and body["expires_at"] is None
    assert [k["keyword"] for k in body["keywords"]] == ["twist"]

    r = client.delete(f"/api/v2/filters/{made['id']}", headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get(f"/api/v2/filters/{made['id']}", headers=bearer(token)).status_code == 404
    assert db.session.query(Filter).count() == 0


def test_validation_errors_leave_nothing_behind(client, token):
    def refused(body, field):
        r = client.post("/api/v2/filters", json=body, headers=bearer(token))
        assert r.status_code == 422, (body, r.get_json())
        assert r.get_json()["error"].startswith("Validation failed: ")
        assert field in r.get_json()["details"]

    refused({"context": ["home"]}, "title")
    refused({"title": "x"}, "context")
    refused({"title": "x", "context": ["everywhere"]}, "context")
    refused({"title": "x", "context": ["home"], "filter_action": "explode"}, "filter_action")
    refused({"title": "x" * 257, "context": ["home"]}, "title")
    long_keyword = [{"keyword": "k" * (filters.KEYWORD_MAX + 1)}]
    refused({"title": "x", "context": ["home"], "keywords_attributes": long_keyword},
            "keywords.keyword")  # fmt: skip
    refused({"title": "x", "context": ["home"], "expires_in": -5}, "expires_in")
    r = client.post("/api/v2/filters", json={"title": "x", "context": ["home"],
                    "keywords_attributes": ["oops"]}, headers=bearer(token))  # fmt: skip
    assert r.status_code == 422
    assert db.session.query(Filter).count() == 0

    made = create(client, token, keywords_attributes=[{"keyword": "a"}])
    r = client.put(f"/api/v2/filters/{made['id']}", json={"title": "", "context": ["nowhere"]},
                   headers=bearer(token))  # fmt: skip
    assert r.status_code == 422
    again = client.get(f"/api/v2/filters/{made['id']}", headers=bearer(token)).get_json()
    assert again == made


def test_others_filters_are_not_found(client, token, bob):
    made = create(client, token, keywords_attributes=[{"keyword": "a"}])
    theirs = bearer(token_for(bob, SCOPES))
    keyword_id = made["keywords"][0]["id"]
    for path in (f"/api/v2/filters/{made['id']}", f"/api/v2/filters/keywords/{keyword_id}",
                 f"/api/v1/filters/{keyword_id}", "/api/v2/filters/nonsense"):  # fmt: skip
        assert client.get(path, headers=theirs).status_code == 404, path
        assert client.delete(path, headers=theirs).status_code == 404, path
    assert client.get(f"/api/v2/filters/{made['id']}", headers=bearer(token)).status_code == 200


def test_keywords_and_statuses_one_by_one(client, token, alice, bob):
    made = create(client, token)
    base = f"/api/v2/filters/{made['id']}"
    r = client.post(f"{base}/keywords", data={"keyword": "spoiler", "whole_word": "false"},
                    headers=bearer(token))  # fmt: skip
    keyword = r.get_json()
    assert r.status_code == 200 and keyword["keyword"] == "spoiler" and not keyword["whole_word"]
    r = client.put(f"/api/v2/filters/keywords/{keyword['id']}", data={"whole_word": "true"},
                   headers=bearer(token))  # fmt: skip
    assert r.get_json() == keyword | {"whole_word": True}
    assert client.get(f"{base}/keywords", headers=bearer(token)).get_json() == [r.get_json()]

    post = statuses.post_status(account=bob, text="a public post")
    r = client.post(f"{base}/statuses", data={"status_id": str(post.id)}, headers=bearer(token))
    entry = r.get_json()
    assert r.status_code == 200 and entry["status_id"] == str(post.id)
    again = client.post(f"{base}/statuses", data={"status_id": str(post.id)},
                        headers=bearer(token))  # fmt: skip
    assert again.status_code == 422
    private = statuses.post_status(account=bob, text="secret", visibility_="private")
    r = client.post(f"{base}/statuses", data={"status_id": str(private.id)}, headers=bearer(token))
    assert r.status_code == 404  # not visible to alice
    assert (
        client.get(f"/api/v2/filters/statuses/{entry['id']}", headers=bearer(token)).json == entry
    )
    assert client.get(f"{base}/statuses", headers=bearer(token)).get_json() == [entry]
    r = client.delete(f"/api/v2/filters/statuses/{entry['id']}", headers=bearer(token))
    assert r.status_code == 200 and client.get(f"{base}/statuses", headers=bearer(token)).json == []
    r = client.delete(f"/api/v2/filters/keywords/{keyword['id']}", headers=bearer(token))
    assert r.status_code == 200 and client.get(f"{base}/keywords", headers=bearer(token)).json == []


def test_v1_filters_are_keywords_of_v2_filters(client, token):
    data = {"phrase": "cats", "context[]": ["home", "thread"], "irreversible": "true",
            "whole_word": "false"}  # fmt: skip
    r = client.post("/api/v1/filters", data=data, headers=bearer(token))
    v1 = r.get_json()
    assert r.status_code == 200, v1
    assert v1 == {
        "id": v1["id"], "phrase": "cats", "context": ["home", "thread"], "whole_word": False,
        "expires_at": None, "irreversible": True,
    }  # fmt: skip
    (v2,) = client.get("/api/v2/filters", headers=bearer(token)).get_json()
    assert v2["title"] == "cats" and v2["filter_action"] == "hide"
    assert v2["keywords"] == [{"id": v1["id"], "keyword": "cats", "whole_word": False}]

    r = client.put(f"/api/v1/filters/{v1['id']}", data={"phrase": "dogs", "irreversible": "false"},
                   headers=bearer(token))  # fmt: skip
    assert r.get_json()["phrase"] == "dogs" and r.get_json()["irreversible"] is False
    assert client.get("/api/v1/filters", headers=bearer(token)).get_json() == [r.get_json()]

    client.post(f"/api/v2/filters/{v2['id']}/keywords", data={"keyword": "more"},
                headers=bearer(token))  # fmt: skip
    r = client.put(f"/api/v1/filters/{v1['id']}", data={"context[]": ["public"]},
                   headers=bearer(token))  # fmt: skip
    assert r.status_code == 422  # several keywords: only v2 may change the filter
    r = client.post("/api/v1/filters", data={"phrase": "", "context[]": ["home"]},
                    headers=bearer(token))  # fmt: skip
    assert r.status_code == 422
    assert client.delete(f"/api/v1/filters/{v1['id']}", headers=bearer(token)).status_code == 200
    assert [f["phrase"] for f in client.get("/api/v1/filters", headers=bearer(token)).json] == [
        "more"
    ]


def test_filtered_on_timelines_threads_and_notifications(client, token, alice, bob, carol):
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=carol)
    made = create(client, token, context=["home", "notifications", "thread"],
                  keywords_attributes=[{"keyword": "Ending", "whole_word": True}])  # fmt: skip
    hit = statuses.post_status(account=bob, text="The ending was sad")
    partial = statuses.post_status(account=bob, text="Never-endings are fine")
    warned = statuses.post_status(account=bob, text="nothing here", spoiler_text="big ENDING")
    elsewhere = statuses.post_status(account=make_local("dan"), text="What an ending")
    boost = interactions.reblog(status=elsewhere, by=carol)

    seen = home(client, token)
    result = seen[str(hit.id)]["filtered"]
    assert result == [{
        "filter": {k: made[k] for k in ("id", "title", "context", "expires_at", "filter_action")},
        "keyword_matches": ["ending"], "status_matches": None,
    }]  # fmt: skip
    assert seen[str(partial.id)]["filtered"] == []  # a whole word only
    assert seen[str(warned.id)]["filtered"][0]["keyword_matches"] == ["ENDING"]
    wrapper = seen[str(boost.id)]  # a boost: matched by the boosted text, both levels
    assert wrapper["filtered"][0]["keyword_matches"] == ["ending"]
    assert wrapper["reblog"]["filtered"] == wrapper["filtered"]

    one = client.get(f"/api/v1/statuses/{hit.id}", headers=bearer(token)).get_json()
    assert one["filtered"][0]["keyword_matches"] == ["ending"]
    mention = statuses.post_status(account=bob, text="@alice what an ending")
    r = client.get("/api/v1/notifications", headers=bearer(token)).get_json()
    by_status = {n["status"]["id"]: n for n in r if n.get("status")}
    assert by_status[str(mention.id)]["status"]["filtered"]
    context = client.get(f"/api/v1/statuses/{partial.id}/context", headers=bearer(token)).json
    assert context == {"ancestors": [], "descendants": []}

    anonymous = client.get(f"/api/v1/statuses/{hit.id}").get_json()
    assert anonymous["filtered"] == []
    bobs = client.get(f"/api/v1/statuses/{hit.id}", headers=bearer(token_for(bob))).get_json()
    assert bobs["filtered"] == []


def test_status_rules_match_the_status_and_its_boosts(client, token, alice, bob, carol):
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=carol)
    post = statuses.post_status(account=carol, text="harmless words")
    made = create(client, token)
    client.post(f"/api/v2/filters/{made['id']}/statuses", data={"status_id": str(post.id)},
                headers=bearer(token))  # fmt: skip
    seen = home(client, token)
    assert seen[str(post.id)]["filtered"][0]["status_matches"] == [str(post.id)]
    assert seen[str(post.id)]["filtered"][0]["keyword_matches"] is None


def test_expired_filters_stop_matching(client, token, alice, bob):
    follows.follow(account=alice, target=bob)
    made = create(client, token, expires_in=60, keywords_attributes=[{"keyword": "soon"}])
    post = statuses.post_status(account=bob, text="soon enough")
    assert home(client, token)[str(post.id)]["filtered"]
    row = db.session.get(Filter, int(made["id"]))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert home(client, token)[str(post.id)]["filtered"] == []


def test_keyword_patterns():
    def hits(keyword, whole, text):
        import re

        return re.search(filters.keyword_pattern(keyword, whole), text, re.I) is not None

    assert hits("cat", True, "a Cat!") and not hits("cat", True, "concatenate")
    assert hits("cat", False, "concatenate")
    assert hits("#tag", True, "see #tag here") and hits("C++", True, "I like c++.")
    assert hits("a.b", True, "a.b") and not hits("a.b", True, "axb")
    assert not hits("new york", True, "newyork") and hits("new york", True, "New York city")
