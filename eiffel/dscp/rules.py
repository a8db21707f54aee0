"""Firewall commands that set the DSCP of matching packets (iptables or nftables).

A Marking says which packets get which DSCP.  plan() turns it into the
exact commands that add it (or delete it) with one backend, each with the
command that undoes it, so that a half-applied plan can be rolled back;
eiffel.dscp.run runs plans.  Everything here is pure: validation happens
when a Marking is built, before any command exists.

iptables: one rule per address family in the mangle table's POSTROUTING
(--out) or PREROUTING (--in) chain, tagged `-m comment --comment
"eiffel-dscp ..."`; deleting runs the same rule with -D instead of -A.

nftables: one table per marking, `inet eiffel_dscp_<marking>`, holding one
base chain (hook postrouting or prerouting, priority mangle) with a rule per
address family.  A table of its own makes deletion exact and printable in
advance (`nft delete table ...` removes the marking and nothing else, and
leaves nothing behind), where rules in a shared table would have to be
found by handle at run time.
"""

import ipaddress
import shlex
from dataclasses import dataclass

from eiffel.dscp.codepoints import dscp_name

PROTOCOLS = ("tcp", "udp", "sctp")
BACKENDS = ("iptables", "nft")
DIRECTIONS = ("out", "in")
COMMENT_TAG = "eiffel-dscp"
NFT_TABLE_PREFIX = "eiffel_dscp_"

_IPTABLES_CHAIN = {"out": "POSTROUTING", "in": "PREROUTING"}
_IPTABLES_BINARY = {4: "iptables", 6: "ip6tables"}
_IPTABLES_WAIT = ("-w", "10")  # wait for the xtables lock rather than fail at once
_NFT_FAMILY = {4: "ip", 6: "ip6"}
# nftables' symbols for the DSCPs it names (src/proto.c dscp_type_tbl);
# LE is `lephb` there.  Other codepoints are written as numbers.
_NFT_SYMBOL = {
    0: "cs0", 1: "lephb", 8: "cs1", 16: "cs2", 24: "cs3", 32: "cs4", 40: "cs5",
    48: "cs6", 56: "cs7", 10: "af11", 12: "af12", 14: "af13", 18: "af21",
    20: "af22", 22: "af23", 26: "af31", 28: "af32", 30: "af33", 34: "af41",
    36: "af42", 38: "af43", 44: "va", 46: "ef",
}  # fmt: skip


def parse_protocol(text):
    """'tcp', 'UDP', 'sctp' -> lower case; 'any' or 'all' -> None (every protocol)."""
    word = text.strip().lower()
    if word in ("any", "all"):
        return None
    if word not in PROTOCOLS:
        raise ValueError(f"unknown protocol {text!r}: use one of {', '.join(PROTOCOLS)}, any")
    return word


def parse_port(text):
    """A port number 1..65535."""
    try:
        port = int(str(text).strip(), 10)
    except ValueError:
        port = None
    if port is None or not 1 <= port <= 65535:
        raise ValueError(f"port {text!r} is outside the valid range 1..65535")
    return port


def parse_address(text):
    """An IPv4 or IPv6 address or network ('10.0.0.1', '2001:db8::/32')."""
    try:
        return ipaddress.ip_network(str(text).strip(), strict=True)
    except ValueError as err:
        raise ValueError(f"bad address {text!r}: {err}") from None


@dataclass(frozen=True)
class Marking:
    """Set DSCP `dscp` on packets matching every given field.

    src/dst are ipaddress networks (a host is a /32 or /128); an address
    decides the family, and without one both IPv4 and IPv6 are marked.
    direction "out" marks packets leaving (forwarded or local, after
    routing); "in" marks packets arriving, before routing.
    """

    dscp: int
    protocol: str | None = None
    sport: int | None = None
    dport: int | None = None
    src: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    dst: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    direction: str = "out"

    def __post_init__(self):
        if not _is_int_in(self.dscp, 0, 63):
            raise ValueError(f"DSCP {self.dscp!r} is outside the valid range 0..63")
        if self.protocol is not None and self.protocol not in PROTOCOLS:
            raise ValueError(
                f"unknown protocol {self.protocol!r}: use one of {', '.join(PROTOCOLS)}"
            )
        for option, port in (("--sport", self.sport), ("--dport", self.dport)):
            if port is None:
                continue
            if not _is_int_in(port, 1, 65535):
                raise ValueError(f"port {port!r} is outside the valid range 1..65535")
            if self.protocol is None:
                raise ValueError(f"{option} {port} needs a protocol: add --proto tcp, udp or sctp")
        for option, net in (("--src", self.src), ("--dst", self.dst)):
            if net is not None and not isinstance(net, _NETWORKS):
                raise ValueError(f"{option} must be an ipaddress network, not {net!r}")
        if self.src is not None and self.dst is not None and self.src.version != self.dst.version:
            raise ValueError(
                f"--src {_address(self.src)} and --dst {_address(self.dst)} mix "
                f"IPv{self.src.version} and IPv{self.dst.version}: "
                "one marking is for one address family"
            )
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}: use 'out' or 'in'")

    @property
    def versions(self):
        """IP versions the marking applies to: (4,), (6,) or (4, 6)."""
        for net in (self.src, self.dst):
            if net is not None:
                return (net.version,)
        return (4, 6)

    def words(self):
        """The marking as words, e.g. ['ef', 'tcp', 'dport', '5201', 'out']."""
        name = dscp_name(self.dscp)
        words = [name.lower() if name else f"dscp{self.dscp}"]
        if self.protocol:
            words.append(self.protocol)
        for key in ("sport", "dport", "src", "dst"):
            value = getattr(self, key)
            if value is not None:
                words += [key, _address(value) if key in ("src", "dst") else str(value)]
        words.append(self.direction)
        return words

    def comment(self):
        """The iptables comment that tags this marking's rules."""
        return " ".join([COMMENT_TAG, *self.words()])

    def nft_table(self):
        """The name of this marking's own nftables table.

        nft identifiers allow letters, digits and _ . / - but not ':', so
        IPv6 colons become '-' (no IPv4 or IPv6 text has a '-', so names
        stay distinct).
        """
        words = [word.replace(":", "-") for word in self.words()]
        return NFT_TABLE_PREFIX + "_".join(words)


_NETWORKS = (ipaddress.IPv4Network, ipaddress.IPv6Network)


def _is_int_in(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _address(net):
    """'10.0.0.1' for a host, '10.0.0.0/24' for a network."""
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


@dataclass(frozen=True)
class Step:
    """One command, and the command that reverts it (None: nothing to revert)."""

    command: tuple
    undo: tuple | None = None


@dataclass(frozen=True)
class Plan:
    """The commands that add or delete a marking.

    present_checks are read-only commands that succeed when the marking is
    already in place: adding runs them first and refuses to add it twice,
    so that one delete always removes what one apply added.
    """

    steps: tuple
    present_checks: tuple = ()

    def commands(self):
        return [step.command for step in self.steps]

    def text(self):
        """The commands as shell lines: exactly what running the plan executes."""
        return "\n".join(shlex.join(command) for command in self.commands())


def plan(marking, backend="iptables", delete=False):
    """The Plan that adds (or, with delete=True, removes) a marking."""
    if backend == "iptables":
        return _iptables_plan(marking, delete)
    if backend == "nft":
        return _nft_plan(marking, delete)
    raise ValueError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")


def iptables_rule(marking, version, action):
    """The iptables/ip6tables command for one family; action is -A, -D or -C."""
    command = [_IPTABLES_BINARY[version], *_IPTABLES_WAIT, "-t", "mangle",
               action, _IPTABLES_CHAIN[marking.direction]]  # fmt: skip
    if marking.src is not None:
        command += ["-s", _address(marking.src)]
    if marking.dst is not None:
        command += ["-d", _address(marking.dst)]
    if marking.protocol:
        command += ["-p", marking.protocol]
        if marking.sport is not None or marking.dport is not None:
            command += ["-m", marking.protocol]
        if marking.sport is not None:
            command += ["--sport", str(marking.sport)]
        if marking.dport is not None:
            command += ["--dport", str(marking.dport)]
    command += ["-m", "comment", "--comment", marking.comment()]
    command += ["-j", "DSCP", "--set-dscp", str(marking.dscp)]
    return tuple(command)


def _iptables_plan(marking, delete):
    if delete:
        steps = [Step(iptables_rule(marking, v, "-D"), iptables_rule(marking, v, "-A"))
                 for v in marking.versions]  # fmt: skip
        return Plan(tuple(steps))
    steps = [Step(iptables_rule(marking, v, "-A"), iptables_rule(marking, v, "-D"))
             for v in marking.versions]  # fmt: skip
    checks = tuple(iptables_rule(marking, v, "-C") for v in marking.versions)
    return Plan(tuple(steps), checks)


def nft_rule(marking, version):
    """The nftables rule body (the words after the chain name) for one family."""
    family = _NFT_FAMILY[version]
    words = []
    if marking.src is None and marking.dst is None:
        # Without an address match nothing restricts the rule to its family
        # before `counter`, which would then count the other family's packets
        # too (nft adds the nfproto check only in front of `dscp set`).
        words += ["meta", "nfproto", f"ipv{version}"]
    if marking.src is not None:
        words += [family, "saddr", _address(marking.src)]
    if marking.dst is not None:
        words += [family, "daddr", _address(marking.dst)]
    if marking.protocol and marking.sport is None and marking.dport is None:
        words += ["meta", "l4proto", marking.protocol]
    if marking.sport is not None:
        words += [marking.protocol, "sport", str(marking.sport)]
    if marking.dport is not None:
        words += [marking.protocol, "dport", str(marking.dport)]
    # `ip dscp set` in an inet table only touches IPv4 packets, and `ip6 dscp
    # set` only IPv6 ones, so each family needs its own rule.
    value = _NFT_SYMBOL.get(marking.dscp, str(marking.dscp))
    words += ["counter", family, "dscp", "set", value]
    return tuple(words)


def _nft_plan(marking, delete):
    table = ("inet", marking.nft_table())
    drop_table = ("nft", "delete", "table", *table)
    if delete:
        return Plan((Step(drop_table),))
    hook = "postrouting" if marking.direction == "out" else "prerouting"
    chain = (*table, hook)
    steps = [
        Step(("nft", "create", "table", *table), drop_table),
        # The table's deletion (the step above's undo) takes these with it.
        Step(("nft", "add", "chain", *chain,
              f"{{ type filter hook {hook} priority mangle; }}")),  # fmt: skip
    ]
    steps += [Step(("nft", "add", "rule", *chain, *nft_rule(marking, v))) for v in marking.versions]
    return Plan(tuple(steps), (("nft", "list", "table", *table),))
