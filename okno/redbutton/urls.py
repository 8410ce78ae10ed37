from django.urls import path

from . import views

app_name = "redbutton"
urlpatterns = [
    path("", views.devices, name="devices"),
    path("devices/<int:pk>/toggle/", views.device_toggle, name="device_toggle"),
    path("stats/", views.stats, name="stats"),
]
