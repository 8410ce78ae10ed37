from django.urls import path

from . import ticket_views, views, workspace_views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_ticket, name="new"),
    path("views/save/", workspace_views.view_save, name="view_save"),
    path("views/<int:pk>/delete/", workspace_views.view_delete, name="view_delete"),
    path("bulk/", workspace_views.bulk, name="bulk"),
    path("tags/suggest/", workspace_views.tag_suggest, name="tag_suggest"),
    path("availability/", workspace_views.availability, name="availability"),
    path("macros/", workspace_views.macro_list, name="macros"),
    path("macros/<int:pk>/delete/", workspace_views.macro_delete, name="macro_delete"),
    path("tickets/<int:pk>/", ticket_views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/update/", ticket_views.ticket_update, name="ticket_update"),
    path("tickets/<int:pk>/reply/", ticket_views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/merge/", ticket_views.ticket_merge, name="ticket_merge"),
    path("tickets/<int:pk>/link/", ticket_views.ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/unlink/", ticket_views.ticket_unlink, name="ticket_unlink"),
    path("tickets/<int:pk>/tags/", ticket_views.ticket_tags, name="ticket_tags"),
    path("tickets/<int:pk>/reopen/", ticket_views.ticket_reopen, name="ticket_reopen"),
    path("tickets/<int:pk>/macro/", workspace_views.ticket_macro, name="ticket_macro"),
    path("tickets/<int:pk>/presence/", workspace_views.ticket_presence, name="ticket_presence"),
    path("tickets/<int:pk>/split/", workspace_views.ticket_split, name="ticket_split"),
    path(
        "tickets/<int:pk>/children/reply/",
        workspace_views.ticket_children_reply,
        name="ticket_children_reply",
    ),
]
