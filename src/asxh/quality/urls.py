from django.urls import path

from asxh.quality import views

urlpatterns = [
    path("", views.finding_list, name="finding_list"),
    path("quet/", views.quality_scan, name="quality_scan"),
    path("<int:pk>/bo-qua/", views.finding_dismiss, name="finding_dismiss"),
]
