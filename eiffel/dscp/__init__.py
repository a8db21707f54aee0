"""DSCP codepoints and DSCP -> band presets (see presets.py), and the
firewall rules that mark packets (rules.py, run.py)."""

from eiffel.dscp.presets import *  # noqa: F401,F403
from eiffel.dscp.presets import __all__  # noqa: F401
