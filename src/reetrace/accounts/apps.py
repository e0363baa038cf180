from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "reetrace.accounts"
    label = "accounts"
    verbose_name = "Accounts"
