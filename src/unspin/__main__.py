"""``python -m unspin``: the same as the ``unspin`` command."""

from unspin.cli import main

main()
