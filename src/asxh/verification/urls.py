from django.urls import path

from asxh.verification import views

urlpatterns = [
    path("danh-tinh/", views.identity_list, name="identity_list"),
    path("danh-tinh/tai-ve/", views.identity_export, name="identity_export"),
    path("danh-tinh/nhap/", views.identity_upload, name="identity_upload"),
    path("danh-tinh/nhap/<int:pk>/", views.identity_upload_preview, name="identity_upload_preview"),
    path("danh-tinh/nhap/<int:pk>/ghi/", views.identity_upload_store, name="identity_upload_store"),
    path("tai-khoan/", views.account_list, name="account_verification_list"),
    path("tai-khoan/tai-ve/", views.account_export, name="account_list_export"),
    path("tai-khoan/nhap/", views.account_upload, name="account_upload"),
    path("tai-khoan/nhap/<int:pk>/", views.account_upload_preview, name="account_upload_preview"),
    path("tai-khoan/nhap/<int:pk>/ghi/", views.account_upload_store, name="account_upload_store"),
]
