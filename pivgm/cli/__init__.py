"""The ``pivgm`` command: a thin layer over library functions, one module per command group."""

from pivgm.cli.app import app, main

__all__ = ["app", "main"]
