"""Describe the machine and the commit a benchmark ran on: results/<level>/machine.json.

Every results directory carries one, so a table is never separated from the
hardware, load and code that produced it.
"""

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path


def _run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def describe(command):
    repo = Path(__file__).resolve().parent.parent
    return {
        "command": command,
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": _run("git", "-C", str(repo), "rev-parse", "--short", "HEAD"),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": list(os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "cc": (_run(os.environ.get("CC", "gcc"), "--version") or "").splitlines()[:1],
    }


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: machine.py OUT.json COMMAND...", file=sys.stderr)
        return 2
    target = Path(argv[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(describe(" ".join(argv[1:])), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
