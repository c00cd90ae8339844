from django.apps import AppConfig


class EntitlementConfig(AppConfig):
    name = "asxh.entitlement"
    verbose_name = "Chế độ, mức hưởng"
