"""A request that finds the database gone (restarted, failed over) is answered 503 with
Retry-After, never 500. (tests/test_faults.py restarts a real PostgreSQL under load.)"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from fedi.services import accounts, instance_peers


def _gone(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("terminating connection"))


def test_the_api_answers_503_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(instance_peers, "peers", _gone)
    response = client.get("/api/v1/instance/peers")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json == {"error": "The service is unavailable for a moment; please try again."}


def test_pages_and_inboxes_answer_503_without_reading_the_database(client, monkeypatch):
    monkeypatch.setattr(accounts, "find_local", _gone)
    response = client.post("/users/alice/inbox", data=b"{}")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html" and b"unavailable for a moment" in response.data
