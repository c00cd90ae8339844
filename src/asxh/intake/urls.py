from django.urls import path

from asxh.intake import views

urlpatterns = [
    path("", views.upload, name="intake_upload"),
    path("kiem-tra/", views.check, name="intake_check"),
    path("ghi/", views.confirm, name="intake_confirm"),
    path("lo/<int:pk>/", views.batch, name="intake_batch"),
    path("tep-loi/", views.errors_download, name="intake_errors"),
    path("xuat/", views.export, name="intake_export"),
]
