from django.urls import include, path

urlpatterns = [
    path("", include("asxh.access.urls")),
    path("doi-tuong/", include("asxh.beneficiaries.urls")),
    path("nhat-ky/", include("asxh.audit.urls")),
    path("nhap-lieu/", include("asxh.intake.urls")),
    path("xac-thuc/", include("asxh.verification.urls")),
    path("lam-sach/", include("asxh.quality.urls")),
    path("bao-cao/", include("asxh.reports.urls")),
    path("che-do/", include("asxh.entitlement.urls")),
    path("bien-dong/", include("asxh.changes.urls")),
    path("to-chuc-chi-tra/", include("asxh.providers.urls")),
    path("ky-chi/", include("asxh.cycles.urls")),
    path("ky-chi/", include("asxh.results.urls")),
    path("tin-nhan/", include("asxh.notifications.urls")),
    path("tong-quan/", include("asxh.dashboard.urls")),
]
