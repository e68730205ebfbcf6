"""`hvconsole status [--json]`: every host's connection state and identity, headless."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hvconsole.embedded_lab import LabStartError
from hvconsole.inventory import InventoryError
from hvconsole.launch import open_workspace


def run_status(args: argparse.Namespace) -> int:
    try:
        opened = open_workspace(inventory_file=args.inventory, use_lab=args.lab, read_only=True)
    except (InventoryError, LabStartError) as error:
        print(f"hvconsole: {error}", file=sys.stderr)
        return 2
    workspace = opened.workspace
    rows: list[dict[str, Any]] = []
    try:
        answers = {
            host: (overview, error)
            for host, overview, error in workspace.read_overviews(workspace.host_names())
        }
        for name in workspace.host_names():
            entry = workspace.host_entry(name)
            overview, problem = answers.get(name, (None, "no answer"))
            row: dict[str, Any] = {
                "host": name,
                "address": entry.address,
                "port": entry.effective_port,
                "state": workspace.connection_state(name)[0],
                "error": problem,
            }
            if overview is not None:
                row |= {
                    "computer_name": overview.system.name,
                    "os": overview.os.edition,
                    "domain": overview.system.domain if overview.system.part_of_domain else None,
                    "workgroup": None
                    if overview.system.part_of_domain
                    else (overview.system.workgroup or overview.system.domain),
                    "roles": overview.roles,
                    "uptime": overview.uptime_text(),
                }
            rows.append(row)
    finally:
        opened.close()
    if args.json:
        print(json.dumps({"hosts": rows}, indent=2))
    else:
        for row in rows:
            identity = f"{row.get('os', '')}  {row.get('domain') or row.get('workgroup') or ''}".strip()
            roles = ", ".join(row.get("roles", [])) or "-"
            print(
                f"{row['host']:<16} {row['state']:<13} {identity:<45} roles: {roles}"
                + (f"  error: {row['error']}" if row["error"] else "")
            )
    return 0 if all(r["state"] == "connected" for r in rows) else 1
