from django.urls import path

from asxh.results import views

urlpatterns = [
    path("<int:pk>/ket-qua/", views.results_page, name="results_page"),
    path("<int:pk>/ket-qua/nhap/", views.results_upload, name="results_upload"),
    path("<int:pk>/ket-qua/quyet-toan/", views.results_settle, name="results_settle"),
    path("<int:pk>/ket-qua/duyet-quyet-toan/", views.results_close, name="results_close"),
]
