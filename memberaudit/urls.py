from django.urls import path

from .views import launcher

app_name = "memberaudit"

urlpatterns = [
    path("", launcher.index, name="index"),
    path("launcher/", launcher.launcher, name="launcher"),
    path("register/", launcher.register_character_view, name="register_character"),
]
