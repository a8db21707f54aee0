"""Optional extras: the package each one brings, and the error when it is missing.

`import eiffel` and every module that does not need an extra import none
of them; a module that does calls require() first, so that a missing
extra is one clear line rather than a ModuleNotFoundError from deep inside.
"""

import importlib

__all__ = ["EXTRAS", "MissingExtra", "require"]

# extra (pyproject.toml's optional-dependencies) -> the module it provides
EXTRAS = {"netlink": "pyroute2", "plot": "matplotlib", "pcap": "dpkt"}


class MissingExtra(ImportError):
    """An optional extra is not installed; str() is the one-line hint."""

    def __init__(self, extra, what):
        module = EXTRAS[extra]
        super().__init__(f"{what} needs {module}: pip install 'eiffel[{extra}]'", name=module)
        self.extra = extra


def require(extra, what):
    """Import and return the extra's module, or raise MissingExtra.

    what names the feature for the message ("eiffel qdisc", "plotting").
    Only the module's own absence becomes MissingExtra; an installed but
    broken package raises its real error.
    """
    module = EXTRAS[extra]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != module:
            raise
        raise MissingExtra(extra, what) from None
