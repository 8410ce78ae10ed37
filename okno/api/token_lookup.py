"""The API token of a request, with its user and organization, in one statement.

Every API call authenticates, and a monitoring storm is thousands of calls a second; building
the same three-table query through the ORM took longer than running it, so it is a
``JoinedLookup`` (SQL built once per process, rows to models with ``from_db``).
"""

from __future__ import annotations

from okno.accounts.models import ApiToken
from okno.ops.lookup import JoinedLookup

_TOKEN = JoinedLookup(ApiToken, ["user", "user__organization"], where=[("key_hash", "exact")])


def token_by_hash(key_hash: str) -> ApiToken | None:
    """The token with this hash (``key_hash`` is unique), ``token.user`` and
    ``token.user.organization`` filled in, or None."""
    return _TOKEN.get(key_hash)  # type: ignore[no-any-return]
