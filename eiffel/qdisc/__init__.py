"""The sch_eiffel qdisc from user space.

  uapi.py     the uapi header's numbers (attributes, limits, defaults, the
              default DSCP map, the xstats layout), read through cffi
  options.py  every option in one table; Options, a checked set of them
  words.py    tc-style words (`eiffel qdisc`) to Options and back
  netlink.py  add, change, replace, delete, dump, stats (needs pyroute2)
  plugin.py   the pyroute2 tc plugin of kind "eiffel"

Importing this package imports none of them: netlink and plugin need the
optional pyroute2 (pip install 'eiffel[netlink]'); the others do not.
"""

KIND = "eiffel"  # the qdisc's kind, as in `tc qdisc add dev DEV root eiffel`
