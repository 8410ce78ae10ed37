from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("preferences/", views.preference_page, name="preferences"),
    path("tickets/<int:pk>/watch/", views.watch, name="watch"),
    path("tickets/<int:pk>/remind/", views.remind, name="remind"),
    path("reminders/<int:pk>/cancel/", views.cancel_reminder, name="reminder_cancel"),
]
