# The desk's ticket factory and cache reset serve the tag tests as they are.
from tests.desk.conftest import _fresh_cache, make_ticket  # noqa: F401


def names(ticket):
    from okno.tags.queries import tag_names

    return tag_names(ticket)
