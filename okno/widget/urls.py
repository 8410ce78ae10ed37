from django.urls import path

from . import views

app_name = "widget"

urlpatterns = [
    path("widget.js", views.widget_js, name="script"),
    path("<str:public_id>/config", views.config, name="config"),
    path("<str:public_id>/submit", views.submit, name="submit"),
]
