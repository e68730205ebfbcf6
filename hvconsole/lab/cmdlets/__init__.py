"""The simulated cmdlets, one module per Windows module. Importing this package registers them all."""

from hvconsole.lab.cmdlets import core, management, utility

__all__ = ["core", "management", "utility"]
