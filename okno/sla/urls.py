from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/<int:pk>/", views.calendar, name="calendar"),
    path("tickets/<int:pk>/explain/", views.explain, name="explain"),
    path("report/", views.report, name="report"),
    path("document/", views.document, name="document"),
    path("document/<int:pk>/", views.document, name="document_policy"),
]
