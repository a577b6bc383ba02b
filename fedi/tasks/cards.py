"""Preview cards: the first link of a post fetched in a worker (services/preview_cards.py says
what to fetch and keeps what came back; federation/link_cards.py fetches)."""

from __future__ import annotations

from fedi.federation import link_cards
from fedi.federation.safe_http import FetchError, UnsafeURL
from fedi.queue import task
from fedi.services import preview_cards


@task()
def fetch_link_card(status_id: int) -> None:
    plan = preview_cards.plan(status_id)
    if plan is None:
        return
    try:
        data = link_cards.fetch(plan.url)
    except UnsafeURL:
        preview_cards.record_failure(plan, permanent=True)
    except FetchError:
        preview_cards.record_failure(plan)  # retried with backoff, a few times
    else:
        preview_cards.store(plan, data)
