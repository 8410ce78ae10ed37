import importlib.util

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from okno.accounts import views as account_views
from okno.accounts.forms import LoginForm
from okno.api.api import api
from okno.tickets import views as ticket_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("desk/", include("okno.desk.urls")),
    path("portal/", include("okno.portal.urls")),
    path(
        "attachments/<int:pk>/<path:filename>",
        ticket_views.download_attachment,
        name="attachment",
    ),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]

# Apps with pages of their own (``okno/<app>/urls.py``) are mounted under ``/<app>/``.
for _app in (
    "sla",
    "mail",
    "alerts",
    "redbutton",
    "automation",
    "telegram",
    "widget",
    "kb",
    "reports",
    "search",
    "notifications",
    "csat",
    "tags",
):
    if importlib.util.find_spec(f"okno.{_app}.urls") is not None:
        urlpatterns.append(path(f"{_app}/", include(f"okno.{_app}.urls")))
