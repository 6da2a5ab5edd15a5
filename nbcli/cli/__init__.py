"""The ``nb-render`` command: options (``options``), the Typer declarations (``app``), the plan
that merges ``--from`` with the options given (``plan``), the run (``run``), what is reported
(``report``), and the entry point that turns every ending into an exit code (``main``)."""

from .app import app
from .main import main

__all__ = ["app", "main"]
