from django.urls import path

from asxh.dashboard import views

urlpatterns = [
    path("", views.index, name="dashboard"),
    path("bao-cao-thang.xlsx", views.month_excel, name="dashboard_month_xlsx"),
    path("cap-nhat-tien-do/", views.progress_recount, name="dashboard_progress_recount"),
]
