"""`python -m app`: hands the command line to app/cli."""

import sys

from app.cli.parser import main

if __name__ == "__main__":
    sys.exit(main())
