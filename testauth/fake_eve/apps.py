from django.apps import AppConfig
from django.conf import settings


class FakeEveConfig(AppConfig):
    name = "fake_eve"
    label = "fake_eve"
    verbose_name = "Fake EVE server (development and tests)"

    def ready(self) -> None:
        base_url = getattr(settings, "FAKE_EVE_URL", "")
        if base_url:
            from .wiring import point_esi_at, point_images_at

            point_esi_at(base_url)
            images_url = getattr(settings, "MEMBERAUDIT_IMAGE_SERVER_URL", "")
            if images_url:
                point_images_at(images_url)
