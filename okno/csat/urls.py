from django.urls import path

from . import views

app_name = "csat"
urlpatterns = [
    path("rate/<str:token>/", views.rate, name="rate"),
    path("report/", views.report, name="report"),
]
