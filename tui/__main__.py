"""``python -m tui``: the same as the ``cptui`` command."""

from tui.cli import main

raise SystemExit(main())
