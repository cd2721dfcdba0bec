"""Review screen routes, mounted under /admin/review/ and guarded by the admin's login.

Interviews are addressed by their KoBo ID (see validation.review_screen.links).
"""

from django.contrib import admin
from django.urls import path

from validation.review_screen import views

app_name = "review"
urlpatterns = [
    path("<int:number>/", admin.site.admin_view(views.screen), name="screen"),
    path("<int:number>/next/", admin.site.admin_view(views.next_interview), name="next"),
    path("<int:number>/decide/", admin.site.admin_view(views.decision), name="decide"),
    path("<int:number>/comment/", admin.site.admin_view(views.comment), name="comment"),
    path("<int:number>/reveal/", admin.site.admin_view(views.reveal), name="reveal"),
    # Only for links that hold a row id (the access log): redirects to the public address.
    path("record/<int:pk>/", admin.site.admin_view(views.by_record), name="record"),
]
