"""App config of ``pinknoise.runserver_nostatic``."""

from __future__ import annotations

from django.apps import AppConfig


class RunserverNostaticConfig(AppConfig):
    """Registers pinknoise's system checks; the app's point is its runserver command."""

    name = "pinknoise.runserver_nostatic"
    label = "pinknoise_runserver_nostatic"
    verbose_name = "pinknoise runserver without static handler"

    def ready(self) -> None:
        from pinknoise.django.checks import register_checks

        register_checks()
