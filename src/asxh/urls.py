from django.urls import include, path

urlpatterns = [
    path("", include("asxh.access.urls")),
    path("doi-tuong/", include("asxh.beneficiaries.urls")),
    path("nhat-ky/", include("asxh.audit.urls")),
]
