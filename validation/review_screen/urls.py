"""Review screen routes, mounted under /admin/review/ and guarded by the admin's login."""

from django.contrib import admin
from django.urls import path

from validation.review_screen import views

app_name = "review"
urlpatterns = [
    path("<int:pk>/", admin.site.admin_view(views.screen), name="screen"),
    path("<int:pk>/next/", admin.site.admin_view(views.next_interview), name="next"),
    path("<int:pk>/decide/", admin.site.admin_view(views.decision), name="decide"),
    path("<int:pk>/comment/", admin.site.admin_view(views.comment), name="comment"),
    path("<int:pk>/reveal/", admin.site.admin_view(views.reveal), name="reveal"),
]
