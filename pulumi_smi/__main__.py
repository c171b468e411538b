"""``python -m pulumi_smi``: the same command line as ``pulumi-smi``."""

import sys

from .cli import main

sys.exit(main())
