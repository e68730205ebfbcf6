"""The simulated cmdlets, one module per Windows module. Importing this package registers them all."""

from hvconsole.lab.cmdlets import (
    cimcmdlets,
    core,
    dnsclient,
    management,
    netadapter,
    nettcpip,
    servermanager,
    storage,
    utility,
)

__all__ = [
    "cimcmdlets",
    "core",
    "dnsclient",
    "management",
    "netadapter",
    "nettcpip",
    "servermanager",
    "storage",
    "utility",
]
