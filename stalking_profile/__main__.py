"""`python -m stalking_profile`: the command line."""

import sys

from stalking_profile.cli import main

sys.exit(main())
