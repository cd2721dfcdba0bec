"""Routes of the enumerator pages (mounted at /my/)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from validation.corrections import views

app_name = "corrections"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("language/", views.choose_language, name="language"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="corrections/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("corrections:list"),
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("corrections:login")),
        name="logout",
    ),
]
