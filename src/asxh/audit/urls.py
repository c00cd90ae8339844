from django.urls import path

from asxh.audit import views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
]
