from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from orchestration.health import healthz
from orchestration.metrics import metrics

from .workers import task_workers

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="projects:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/", include("projects.urls")),
    path("admin/workers/", task_workers, name="task_workers"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
]
