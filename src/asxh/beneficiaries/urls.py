from django.urls import path

from asxh.beneficiaries import views

urlpatterns = [
    path("", views.beneficiary_list, name="beneficiary_list"),
    path("<int:pk>/", views.beneficiary_detail, name="beneficiary_detail"),
    path("<int:pk>/sua/", views.beneficiary_edit, name="beneficiary_edit"),
    path("<int:pk>/so-dinh-danh/", views.id_number_reveal, name="id_number_reveal"),
    path(
        "tai-khoan/<int:pk>/so-tai-khoan/",
        views.account_number_reveal,
        name="account_number_reveal",
    ),
]
