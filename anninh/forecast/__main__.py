"""``python -m anninh.forecast``: see :mod:`anninh.forecast.cli`."""

import sys

from anninh.forecast.cli import main

if __name__ == "__main__":
    sys.exit(main())
