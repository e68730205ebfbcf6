"""`hvconsole`: open the workspace (inventory or embedded lab) and run the Textual console on it."""

from __future__ import annotations

import argparse
import sys

from hvconsole.embedded_lab import LabStartError
from hvconsole.inventory import InventoryError
from hvconsole.launch import open_workspace


def run_console(args: argparse.Namespace) -> int:
    try:
        opened = open_workspace(inventory_file=args.inventory, use_lab=args.lab, read_only=args.read_only)
    except (InventoryError, LabStartError) as error:
        print(f"hvconsole: {error}", file=sys.stderr)
        return 2
    from hvconsole.ui.app import HvConsoleApp, steady_gc

    steady_gc()
    try:
        code = HvConsoleApp(opened.workspace).run()
    finally:
        opened.close()
    return code or 0
