"""Run an eiffel.dscp.rules.Plan: all of it, or none of it.

Commands run without a shell, one at a time, each checked.  When one
fails, the undo commands of those already done run in reverse order, and
the failure is raised with the tool's own error message.
"""

import shlex
import shutil
import subprocess

# Debian packages that provide each tool, for the "not installed" message.
PACKAGES = {"iptables": "iptables", "ip6tables": "iptables", "nft": "nftables"}


class PlanError(Exception):
    """A plan could not run; nothing it changed is left behind (see rollback_failures)."""

    def __init__(self, message, rollback_failures=()):
        super().__init__(message)
        self.rollback_failures = list(rollback_failures)


def missing_tools(plan):
    """The programs a plan needs that are not on PATH."""
    programs = {command[0] for command in (*plan.commands(), *plan.present_checks)}
    return sorted(program for program in programs if shutil.which(program) is None)


def run_plan(plan, echo=None):
    """Run every step of plan, or roll back and raise PlanError.

    echo, if given, is called with each command's shell text before it runs.
    """
    missing = missing_tools(plan)
    if missing:
        packages = sorted({PACKAGES.get(program, program) for program in missing})
        raise PlanError(
            f"{', '.join(missing)} not found on PATH "
            f"(Debian/Ubuntu: apt-get install {' '.join(packages)})"
        )
    for check in plan.present_checks:
        if _run(check).returncode == 0:
            raise PlanError(
                f"this marking is already in place ({shlex.join(check)} found it); "
                "remove it first with --delete"
            )
    done = []
    for step in plan.steps:
        if echo is not None:
            echo(shlex.join(step.command))
        result = _run(step.command)
        if result.returncode != 0:
            failures = _roll_back(done)
            message = (
                f"{shlex.join(step.command)} failed (exit status {result.returncode}): "
                f"{_error_text(result)}"
            )
            if done:
                message += "; rolled back the commands before it" + (
                    " but some of that failed" if failures else ""
                )
            raise PlanError(message, failures)
        done.append(step)


def _roll_back(done):
    failures = []
    for step in reversed(done):
        if step.undo is None:
            continue
        result = _run(step.undo)
        if result.returncode != 0:
            failures.append(f"{shlex.join(step.undo)}: {_error_text(result)}")
    return failures


def _run(command):
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _error_text(result):
    text = (result.stderr.strip() or result.stdout.strip() or "no error message").splitlines()
    # nft follows its message with the command and a caret line; keep the message.
    return "; ".join(line.strip() for line in text if line.strip() and set(line.strip()) != {"^"})
