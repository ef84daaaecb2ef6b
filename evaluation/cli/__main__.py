"""``python -m evaluation.cli``: the same as the ``workbench`` command."""

import sys

from evaluation.cli import main

sys.exit(main())
