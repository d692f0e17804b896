"""`python -m generator.cli` runs the `masthead` command, as `python -m generator` does."""

from generator.cli import main

main()
