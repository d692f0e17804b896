"""`python -m generator` runs the `masthead` command."""

from generator.cli import main

main()
