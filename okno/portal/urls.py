from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_request, name="new"),
    path("new/fields/", views.service_fields, name="service_fields"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:pk>/resolve/", views.ticket_resolve, name="resolve"),
    path("tickets/<int:pk>/reopen/", views.ticket_reopen, name="reopen"),
    path("tickets/<int:pk>/cancel/", views.ticket_cancel, name="cancel"),
]
