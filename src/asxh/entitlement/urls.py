from django.urls import path

from asxh.entitlement import views

urlpatterns = [
    path("", views.rate_list, name="rate_list"),
    path("them/", views.rate_add, name="rate_add"),
    path("<int:pk>/thu-hoi/", views.rate_withdraw, name="rate_withdraw"),
    path("tinh-thu/", views.calculator, name="calculator"),
    path("doi-tuong/<int:pk>/", views.person_amounts, name="person_amounts"),
]
