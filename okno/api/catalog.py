"""``/api/v1/services``: the service catalog as reference data for clients.

(Lives here until ``okno/catalog`` grows its own ``api.py``; then this router moves there.)
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema

from okno.catalog.models import Category, Service

from .errors import error_responses

router = Router(tags=["reference"])


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    owner_team_id: int | None
    categories: list[CategoryOut]

    @staticmethod
    def resolve_categories(obj: Any) -> list[Any]:
        return list(obj.categories.all())


class ServiceList(Schema):
    items: list[ServiceOut]


@router.get(
    "/services",
    response={200: ServiceList, **error_responses(401, 429)},
    summary="List services",
)
def services_list(request: HttpRequest) -> Any:
    """Active catalog services with their active categories. Requesters see the services offered
    in the portal; agents see all active services."""
    user = request.auth  # type: ignore[attr-defined]
    services = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("categories", queryset=Category.objects.filter(is_active=True))
    )
    if not user.is_agent:
        services = services.filter(requester_visible=True)
    return {"items": list(services)}
