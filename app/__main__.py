"""`python -m app`: hands the command line to app/cli."""

from app.cli.parser import main

if __name__ == "__main__":
    main()
