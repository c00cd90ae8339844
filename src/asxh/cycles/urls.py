from django.urls import path

from asxh.cycles import views

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("lap/", views.cycle_build, name="cycle_build"),
    path("<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("<int:pk>/duyet/", views.cycle_approve, name="cycle_approve"),
    path("<int:pk>/tam-ung/", views.cycle_advance, name="cycle_advance"),
    path("<int:pk>/chuyen-tien/<slug:provider>/", views.cycle_transfer, name="cycle_transfer"),
    path("<int:pk>/tep/<slug:provider>/<str:fmt>/", views.cycle_export, name="cycle_export"),
]
