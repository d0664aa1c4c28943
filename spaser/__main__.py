import sys

from spaser.cli import main

sys.exit(main())
