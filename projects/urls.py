from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/status.json", views.project_status, name="status"),
    path("<int:project_id>/run/", views.project_run, name="start_run"),
    path("<int:project_id>/replan/", views.project_replan, name="replan"),
    path("<int:project_id>/download.zip", views.project_download, name="download"),
    path("<int:project_id>/versions/", views.version_list, name="versions"),
    path("<int:project_id>/versions/compare/", views.version_compare, name="compare"),
    path("<int:project_id>/versions/<int:version_id>/", views.version_detail, name="version"),
    path("<int:project_id>/versions/<int:version_id>/edit/", views.version_edit, name="edit_version"),
    path("<int:project_id>/versions/<int:version_id>/model/", views.version_model, name="edit_model"),
    path("<int:project_id>/versions/<int:version_id>/criteria/", views.version_criteria, name="edit_criteria"),
    path("<int:project_id>/runs/<int:run_id>/", views.run_detail, name="run"),
    path("<int:project_id>/runs/<int:run_id>/cancel/", views.run_cancel, name="cancel_run"),
    path("<int:project_id>/runs/<int:run_id>/retry/", views.run_retry, name="retry_run"),
    path("<int:project_id>/runs/<int:run_id>/download.zip", views.run_download, name="run_download"),
    path("<int:project_id>/runs/<int:run_id>/files/", views.run_files, name="files"),
    path("<int:project_id>/runs/<int:run_id>/files/<path:path>", views.file_detail, name="file"),
]
