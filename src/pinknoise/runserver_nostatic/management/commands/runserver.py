"""``runserver`` with the static files handler off by default.

Subclasses whichever ``runserver`` this app shadows: the one of the next app in
INSTALLED_APPS that has one (normally ``django.contrib.staticfiles``, which adds the
``--nostatic`` option), else Django's core command. Its only change is the option's
default, so ``runserver`` behaves as ``runserver --nostatic``.
"""

from __future__ import annotations

import argparse
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

APP_NAME = "pinknoise.runserver_nostatic"


def shadowed_command() -> type[BaseCommand]:
    """The ``runserver`` Command class Django would use if this app were not installed."""
    below = False
    for config in apps.get_app_configs():
        if config.name == APP_NAME:
            below = True
            continue
        if not below:
            continue
        module_name = f"{config.name}.management.commands.runserver"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue  # this app has no runserver command
            raise
        command: type[BaseCommand] = module.Command
        return command
    core: type[BaseCommand] = import_module("django.core.management.commands.runserver").Command
    return core


class Command(shadowed_command()):  # type: ignore[misc]
    """Django's runserver, but ``--nostatic`` unless told otherwise."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        if parser.get_default("use_static_handler") is True:
            parser.set_defaults(use_static_handler=False)
            parser.description = (
                f"{parser.description or ''}\n(pinknoise.runserver_nostatic: static files "
                f"are served by PinkNoiseMiddleware, as in production.)"
            )
