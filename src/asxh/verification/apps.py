from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "asxh.verification"
    verbose_name = "Xác thực danh tính và tài khoản"
