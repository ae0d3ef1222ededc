"""`python -m etl` is the same as the `twinwatch` command."""

from etl.cli import main

raise SystemExit(main())
