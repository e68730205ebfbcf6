"""`hvconsole hosts add|list|remove`: edit the inventory from a shell (passwords go to the keyring only)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from pydantic import ValidationError

from hvconsole.credentials import Account, CredentialStore
from hvconsole.inventory import (
    HostEntry,
    HostGroup,
    Inventory,
    InventoryError,
    load_inventory,
    save_inventory,
)
from hvconsole.paths import locations


def run_hosts_command(args: argparse.Namespace) -> int:
    path = args.inventory or locations().inventory_file
    try:
        inventory = load_inventory(path) if path.exists() else Inventory()
    except InventoryError as error:
        print(f"hvconsole: {error}", file=sys.stderr)
        return 2
    if args.hosts_command == "list":
        for host in inventory.hosts:
            groups = ",".join(g.name for g in inventory.groups_of(host.name))
            check = "cert check OFF" if host.certificate_validation == "off" else ""
            print(
                f"{host.name:<16} {host.transport}://{host.address}:{host.effective_port:<6} {host.authentication:<10} {groups} {check}".rstrip()
            )
        return 0
    if args.hosts_command == "remove":
        try:
            inventory = inventory.without_host(args.name)
        except KeyError:
            print(f"hvconsole: {path}: there is no host {args.name!r}", file=sys.stderr)
            return 2
        save_inventory(inventory, path)
        CredentialStore().forget(args.name)
        print(f"removed {args.name} from {path}")
        return 0
    return _add(args, inventory, path)


def _add(args: argparse.Namespace, inventory: Inventory, path: Path) -> int:
    try:
        entry = HostEntry(
            name=args.name,
            address=args.address,
            port=args.port,
            transport=args.transport,
            authentication=args.auth,
            username=args.username,
            certificate_validation="off" if args.no_verify else "on",
            ca_file=args.ca_file,
        )
        updated = inventory.with_host(entry)
        groups = {g.name: list(g.hosts) for g in updated.groups}
        for group in args.group:
            members = groups.setdefault(group, [])
            if entry.name not in members:
                members.append(entry.name)
        updated = Inventory(
            hosts=updated.hosts, groups=[HostGroup(name=n, hosts=h) for n, h in groups.items()]
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'host'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        print(f"hvconsole: host {args.name!r}: {problems}", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = (
            sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")
        )
        if not args.username:
            print("hvconsole: --password-stdin needs --username", file=sys.stderr)
            return 2
        store = CredentialStore()
        store.put(entry.credential_key, Account(args.username, password))
        if not store.persistent:
            print(f"hvconsole: {store.notice}", file=sys.stderr)
    save_inventory(updated, path)
    if args.no_verify:
        print(f"warning: the certificate of {entry.name} will not be checked", file=sys.stderr)
    print(f"{entry.name} saved in {path}")
    return 0
