"""``python -m pinknoise``: same as the ``pinknoise`` console script."""

from pinknoise.cli import main

raise SystemExit(main())
