from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "asxh.accounts"
    verbose_name = "Tài khoản nhận tiền"
