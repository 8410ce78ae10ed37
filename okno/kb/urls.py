from django.urls import path

from . import views

app_name = "kb"
urlpatterns = [
    path("", views.kb_home, name="home"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("suggest/", views.suggest, name="suggest"),
    path("solved/<int:pk>/", views.deflect, name="deflect"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("files/<int:pk>/<path:filename>", views.attachment, name="attachment"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/links/", views.link_suggest, name="link_suggest"),
    path("manage/from-reply/<int:article_id>/", views.from_reply, name="from_reply"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/versions/", views.versions, name="versions"),
    path("<slug:category>/", views.category_detail, name="category"),
    path("<slug:category>/<slug:slug>/", views.article_detail, name="article"),
]
