from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "asxh.audit"
    verbose_name = "Nhật ký"
