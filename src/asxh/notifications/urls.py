from django.urls import path

from asxh.notifications import views

urlpatterns = [
    path("", views.index, name="sms_index"),
    path("xem-truoc/", views.preview, name="sms_preview"),
    path("mau/", views.template_save, name="sms_template_save"),
]
