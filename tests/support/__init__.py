"""Shared test helpers: a real site on disk, protocol clients, real servers."""
