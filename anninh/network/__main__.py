"""``python -m anninh.network``: see :mod:`anninh.network.cli`."""

import sys

from anninh.network.cli import main

if __name__ == "__main__":
    sys.exit(main())
