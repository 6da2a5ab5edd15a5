"""``python -m nbcli``, and the ``nb-render`` console script (``nbcli.__main__:main``).

The signals that stop the command (``nbcli.signals``) are handled before anything
else is imported, so Ctrl-C while the modules load ends the way it does at any
other moment: one line, exit code 130, no traceback.
"""

from __future__ import annotations

import contextlib
import sys

from . import signals


def main() -> None:
    """The console script: see ``nbcli.cli.main``."""
    signals.install()
    try:
        from .cli.main import main as run_command
    except signals.Stop as e:  # during start-up
        with contextlib.suppress(OSError, ValueError, AttributeError):  # stderr closed or full
            sys.stderr.write(f"nb-render: {signals.message(e)}\n")
        raise SystemExit(e.exit_code) from None
    run_command()


if __name__ == "__main__":
    main()
