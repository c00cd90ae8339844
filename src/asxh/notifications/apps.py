from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "asxh.notifications"
    verbose_name = "Tin nhắn SMS"
