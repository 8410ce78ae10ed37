from __future__ import annotations

import pytest

from okno.kb import actions
from okno.kb.models import ArticleStatus, Category, Visibility


@pytest.fixture
def category(db):
    return Category.objects.create(name="Printing", slug="printing")


@pytest.fixture
def make_article(agent, category):
    def make(title="Printer jams", body="<p>Open tray 2 and remove the paper.</p>", **extra):
        extra.setdefault("status", ArticleStatus.PUBLISHED)
        extra.setdefault("visibility", Visibility.PUBLIC)
        extra.setdefault("category", category)
        actor = extra.pop("actor", agent)
        return actions.create_article(actor=actor, title=title, body_html=body, **extra)

    return make
