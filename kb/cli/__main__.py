"""`python -m kb.cli`: the kb command, as the console script runs it."""

from . import main

main()
