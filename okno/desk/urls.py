from django.urls import path

from . import ticket_views, views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_ticket, name="new"),
    path("tickets/<int:pk>/", ticket_views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/update/", ticket_views.ticket_update, name="ticket_update"),
    path("tickets/<int:pk>/reply/", ticket_views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/merge/", ticket_views.ticket_merge, name="ticket_merge"),
    path("tickets/<int:pk>/link/", ticket_views.ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/unlink/", ticket_views.ticket_unlink, name="ticket_unlink"),
    path("tickets/<int:pk>/reopen/", ticket_views.ticket_reopen, name="ticket_reopen"),
]
