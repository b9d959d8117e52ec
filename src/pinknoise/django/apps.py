"""``pinknoise.django`` as an installed app: it only registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class PinkNoiseConfig(AppConfig):
    """Add ``"pinknoise.django"`` to INSTALLED_APPS for the checks without runserver_nostatic."""

    name = "pinknoise.django"
    label = "pinknoise"
    verbose_name = "pinknoise"

    def ready(self) -> None:
        from pinknoise.django.checks import register_checks

        register_checks()
