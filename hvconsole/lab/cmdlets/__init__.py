"""The simulated cmdlets, one module per Windows module. Importing this package registers them all:
every module in this folder is imported, so adding a cmdlet module needs no edit here."""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
