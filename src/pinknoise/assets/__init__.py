"""The asset pipeline: ``pinknoise build`` and the helpers that read its manifest."""
