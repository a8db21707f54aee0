"""`eiffel dscp` without root: the listing, the printed commands, usage errors,
and how --apply runs, checks and rolls back (with the tools replaced by a
recorder; tests/test_dscp_netns.py runs the real ones)."""

import json
import shlex
import subprocess

import pytest

from eiffel.dscp import run as dscp_run
from eiffel.cli import main

# name: (DSCP, TOS byte, diffserv3, diffserv4, diffserv8 band), typed in from
# the RFCs and from cake's tables renumbered with band 0 served first.
EXPECTED_ROWS = {
    "CS0": (0, 0x00, 1, 2, 5), "LE": (1, 0x04, 2, 3, 7), "CS1": (8, 0x20, 2, 3, 6),
    "AF11": (10, 0x28, 1, 2, 6), "AF12": (12, 0x30, 1, 2, 6), "AF13": (14, 0x38, 1, 2, 6),
    "CS2": (16, 0x40, 1, 1, 2), "AF21": (18, 0x48, 1, 1, 3), "AF22": (20, 0x50, 1, 1, 3),
    "AF23": (22, 0x58, 1, 1, 3), "CS3": (24, 0x60, 1, 1, 4), "AF31": (26, 0x68, 1, 1, 4),
    "AF32": (28, 0x70, 1, 1, 4), "AF33": (30, 0x78, 1, 1, 4), "CS4": (32, 0x80, 1, 0, 1),
    "AF41": (34, 0x88, 1, 1, 4), "AF42": (36, 0x90, 1, 1, 4), "AF43": (38, 0x98, 1, 1, 4),
    "CS5": (40, 0xA0, 1, 0, 1), "VA": (44, 0xB0, 0, 0, 1), "EF": (46, 0xB8, 0, 0, 1),
    "CS6": (48, 0xC0, 0, 0, 0), "CS7": (56, 0xE0, 0, 0, 0),
}  # fmt: skip


def test_list_shows_every_codepoint_with_value_tos_class_and_bands(capsys):
    assert main(["dscp", "list"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0].split("/")[0]: line for line in out.splitlines()[1:24]}
    assert set(rows) == set(EXPECTED_ROWS)
    for name, (value, tos, d3, d4, d8) in EXPECTED_ROWS.items():
        words = rows[name].split()
        assert words[1:4] == [str(value), f"{value:#04x}", f"{tos:#04x}"]
        assert words[-4:] == [str(d3), str(d4), str(d8), "0"]
    assert rows["CS0"].startswith("CS0/DF/BE ") and "Standard" in rows["CS0"]
    assert "Telephony" in rows["EF"] and "Network Control" in rows["CS6"]
    assert "diffserv4  0 voice, 1 video, 2 best effort, 3 bulk" in out


def test_list_json(capsys):
    assert main(["dscp", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == list(EXPECTED_ROWS)
    for row in rows:
        value, tos, d3, d4, d8 = EXPECTED_ROWS[row["name"]]
        assert (row["dscp"], row["tos"]) == (value, tos)
        assert row["bands"] == {"diffserv3": d3, "diffserv4": d4, "diffserv8": d8, "besteffort": 0}
    assert rows[0]["aliases"] == ["DF", "BE"] and rows[0]["service_class"] == "Standard"


class Recorder:
    """Stands in for subprocess.run: records commands, fails the chosen ones."""

    def __init__(self, fail=(), succeed_checks=False):
        self.commands = []
        self.fail = fail
        self.succeed_checks = succeed_checks

    def __call__(self, command, **kwargs):
        assert kwargs.get("shell") is not True
        self.commands.append(tuple(command))
        is_check = "-C" in command or command[:3] == ("nft", "list", "table")
        if is_check:
            code = 0 if self.succeed_checks else 1
        else:
            code = 1 if any(word in command for word in self.fail) else 0
        return subprocess.CompletedProcess(command, code, "", "tool says no" if code else "")


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(dscp_run.subprocess, "run", rec)
    monkeypatch.setattr(dscp_run.shutil, "which", lambda program: f"/usr/sbin/{program}")
    return rec


MARKS = [
    ["--class", "EF", "--proto", "tcp", "--dport", "5201"],
    ["--class", "af41", "--proto", "udp", "--sport", "53", "--src", "192.0.2.0/24", "--in"],
    ["--class", "LE", "--dst", "2001:db8::1"],
    ["--class", "0", "--proto", "sctp"],
]


@pytest.mark.parametrize("backend", ["iptables", "nft"])
@pytest.mark.parametrize("args", MARKS)
def test_apply_runs_exactly_the_printed_commands(recorder, capsys, args, backend):
    args = ["dscp", "mark", *args, "--backend", backend]
    printed = {}
    for action in ("--apply", "--delete"):
        assert main(args + [action, "--dry-run"]) == 0
        printed[action] = capsys.readouterr().out
        assert recorder.commands == []
        assert main(args + [action]) == 0
        echoed = capsys.readouterr().out
        changes = [c for c in recorder.commands if "-C" not in c and c[:3] != ("nft", "list", "table")]
        assert [shlex.join(c) for c in changes] == printed[action].splitlines() == echoed.splitlines()
        recorder.commands.clear()
    assert printed["--apply"] != printed["--delete"]
    # Without --apply or --delete the add commands are printed, not run.
    assert main(args) == 0
    assert capsys.readouterr().out == printed["--apply"] and recorder.commands == []


def test_a_failed_step_rolls_back_the_ones_before_it(recorder, capsys):
    recorder.fail = ("ip6tables",)
    assert main(["dscp", "mark", "--class", "EF", "--proto", "tcp", "--dport", "5201", "--apply"]) == 1
    verbs = [(c[0], c[5]) for c in recorder.commands]
    assert verbs == [("iptables", "-C"), ("ip6tables", "-C"), ("iptables", "-A"),
                     ("ip6tables", "-A"), ("iptables", "-D")]  # fmt: skip
    err = capsys.readouterr().err
    assert "ip6tables -w 10 -t mangle -A POSTROUTING" in err and "tool says no" in err
    assert "rolled back" in err


def test_nft_failure_drops_the_half_built_table(recorder, capsys):
    recorder.fail = ("ip6",)
    assert main(["dscp", "mark", "--class", "EF", "--backend", "nft", "--apply"]) == 1
    assert recorder.commands[-1] == ("nft", "delete", "table", "inet", "eiffel_dscp_ef_out")
    assert "tool says no" in capsys.readouterr().err


def test_delete_that_fails_half_way_puts_back_what_it_removed(recorder, capsys):
    recorder.fail = ("ip6tables",)
    assert main(["dscp", "mark", "--class", "CS1", "--delete"]) == 1
    assert [(c[0], c[5]) for c in recorder.commands] == [
        ("iptables", "-D"), ("ip6tables", "-D"), ("iptables", "-A")
    ]


def test_an_existing_marking_is_not_added_twice(recorder, capsys):
    recorder.succeed_checks = True
    for backend in ("iptables", "nft"):
        assert main(["dscp", "mark", "--class", "EF", "--backend", backend, "--apply"]) == 1
        assert "already in place" in capsys.readouterr().err
    assert all("-A" not in c and "create" not in c for c in recorder.commands)


def test_missing_tools_are_named_with_their_package_before_anything_runs(recorder, monkeypatch, capsys):
    monkeypatch.setattr(dscp_run.shutil, "which", lambda program: None)
    assert main(["dscp", "mark", "--class", "EF", "--backend", "nft", "--apply"]) == 1
    assert "nft not found on PATH" in capsys.readouterr().err
    assert main(["dscp", "mark", "--class", "EF", "--delete"]) == 1
    assert "apt-get install iptables" in capsys.readouterr().err
    assert recorder.commands == []


@pytest.mark.parametrize("args, needle", [
    (["--class", "EF", "--dport", "80"], "--dport 80 needs a protocol"),
    (["--class", "64"], "DSCP 64 is outside the valid range 0..63"),
    (["--class", "0xb8"], "its DSCP is 46"),
    (["--class", "AF5"], "unknown DSCP 'AF5'"),
    (["--class", "EF", "--proto", "tcp", "--dport", "0"], "port '0' is outside the valid range 1..65535"),
    (["--class", "EF", "--proto", "tcp", "--sport", "65536"], "1..65535"),
    (["--class", "EF", "--proto", "gre"], "unknown protocol 'gre'"),
    (["--class", "EF", "--src", "10.0.0.300"], "bad address '10.0.0.300'"),
    (["--class", "EF", "--src", "10.0.0.1", "--dst", "::1"], "mix IPv4 and IPv6"),
    (["--class", "EF", "--out", "--in"], "not allowed with argument"),
    (["--class", "EF", "--apply", "--delete"], "not allowed with argument"),
    (["--class", "EF", "--backend", "pf"], "invalid choice: 'pf'"),
    (["--proto", "tcp"], "the following arguments are required: --class"),
])  # fmt: skip
def test_bad_input_is_a_usage_error_and_runs_nothing(recorder, capsys, args, needle):
    with pytest.raises(SystemExit) as exit_:
        main(["dscp", "mark", *args, "--apply"] if "--apply" not in args else ["dscp", "mark", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "eiffel dscp mark: error:" in err and needle in err
    assert recorder.commands == []
