import pytest


@pytest.fixture
def make_ticket(requester, l1):
    """Open a ticket as Rita (routed to L1 unless ``team`` is given)."""
    from okno.tickets.actions import open_ticket

    counter = {"n": 0}

    def make(actor=None, **fields):
        counter["n"] += 1
        fields.setdefault("title", f"Ticket {counter['n']}")
        fields.setdefault("description", "Something happened.")
        return open_ticket(actor=actor or requester, **fields)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sidebar counters live in the cache; ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def names(ticket):
    from okno.tags.queries import tag_names

    return tag_names(ticket)
