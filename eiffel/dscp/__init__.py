"""DSCP: the named codepoints (codepoints.py), the DSCP -> band presets and
maps written as text (presets.py), and the firewall rules that mark packets
(rules.py, run by run.py)."""

from eiffel.dscp.codepoints import (
    CODEPOINTS, DSCP, DSCP_COUNT, dscp_name, parse_dscp, service_class, tos_byte,
)
from eiffel.dscp.presets import (
    DEFAULT_PRESET, DEFAULT_PRIORITY, PRESETS, PRIORITY_NAMES, default_priority_map,
    format_dscp_map, parse_dscp_map, preset_band_names, preset_bands, preset_map, preset_of,
)  # fmt: skip

__all__ = [
    "CODEPOINTS", "DSCP", "DSCP_COUNT", "DEFAULT_PRESET", "DEFAULT_PRIORITY", "PRESETS",
    "PRIORITY_NAMES", "default_priority_map", "dscp_name", "format_dscp_map", "parse_dscp",
    "parse_dscp_map", "preset_band_names", "preset_bands", "preset_map", "preset_of",
    "service_class", "tos_byte",
]  # fmt: skip
