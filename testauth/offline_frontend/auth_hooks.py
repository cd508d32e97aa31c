from allianceauth import hooks
from allianceauth.theme.hooks import ThemeHook


class OfflineBootstrapThemeHook(ThemeHook):
    """Plain Bootstrap 5.3 from the local vendor copy."""

    def __init__(self):
        super().__init__(
            "Bootstrap (offline)",
            "Bootstrap served from local files.",
            css=[],
            js=[],
            css_template="offline_frontend/theme-css.html",
            js_template="offline_frontend/theme-js.html",
            html_tags={"data-theme": "bootstrap"},
            header_padding="3.5em",
        )


@hooks.register("theme_hook")
def register_offline_theme():
    return OfflineBootstrapThemeHook()
