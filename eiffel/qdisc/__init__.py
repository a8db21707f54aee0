"""The sch_eiffel qdisc: its options, tc-style words and netlink client."""
