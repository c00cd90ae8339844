from django.urls import path

from asxh.changes import views

urlpatterns = [
    path("", views.change_list, name="change_list"),
    path("de-nghi/", views.change_propose, name="change_propose"),
    path("<int:pk>/", views.change_detail, name="change_detail"),
    path("<int:pk>/phe-duyet/", views.change_approve, name="change_approve"),
    path("<int:pk>/tra-lai/", views.change_return, name="change_return"),
    path("<int:pk>/rut/", views.change_withdraw, name="change_withdraw"),
]
