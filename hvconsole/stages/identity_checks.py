"""Preflight for the identity stage: will the join work? (DNS, name resolution, DC, clocks, credentials)

Each check is a ``Finding`` with what is wrong and how to fix it; none of them blocks the apply except
missing credentials, so a failing join still shows Windows' own error (1355/1326) when the admin goes ahead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvconsole.stages.plan import Finding, Severity

if TYPE_CHECKING:
    from hvconsole.stages.identity import IdentityRequest, IdentityState

CLOCK_TOLERANCE_SECONDS = 300  # Kerberos' default maximum clock skew (5 minutes)
UNREACHABLE = "The specified domain either does not exist or could not be contacted."  # Win32 1355


def preflight(
    request: IdentityRequest, state: IdentityState, resolved: dict[str, bool], unfinished: list[str]
) -> list[Finding]:
    from hvconsole.stages.identity import dc_addresses

    findings: list[Finding] = [
        Finding(
            Severity.BLOCKER, f"could not be read: {problem}", host, "check the connection (dashboard, h)"
        )
        for host, problem in state.problems.items()
    ]
    for host in unfinished:
        findings.append(
            Finding(
                Severity.WARNING,
                "needs a restart before the new name or membership takes effect",
                host,
                "tick 'restart when needed' or restart it later",
            )
        )
    join = request.join
    if join is None:
        return findings
    joiners = [c.host for c in request.changes if c.join and c.host in state.hosts]
    if not joiners:
        return findings
    if not join.credential.username or not join.credential.password.reveal():
        findings.append(
            Finding(
                Severity.BLOCKER,
                f"no credentials given to join {join.domain}",
                fix="enter a domain administrator's user name and password",
            )
        )
    else:
        findings.append(Finding(Severity.OK, f"credentials given for {join.credential.username}"))
    servers = dc_addresses(request, state)
    promoting = request.forest is not None and request.forest.domain.lower() == join.domain.lower()
    dc = _dc_host(request, state)
    if not servers:
        findings.append(
            Finding(
                Severity.WARNING,
                f"no domain controller of {join.domain} among these hosts",
                fix="its DNS servers must already point at the domain's DNS",
            )
        )
    elif dc is not None:
        findings.append(Finding(Severity.OK, f"the domain controller {dc} answers ({', '.join(servers)})"))
    for host in joiners:
        findings += _host_checks(host, request, state, servers, promoting, resolved)
    findings += _clock_checks(joiners, dc, state)
    return findings


def _dc_host(request: IdentityRequest, state: IdentityState) -> str | None:
    assert request.join is not None
    if request.forest is not None:
        return request.forest.host
    wanted = request.join.domain.lower()
    return next((h for h, i in state.hosts.items() if i.is_dc and i.system.domain.lower() == wanted), None)


def _host_checks(
    host: str,
    request: IdentityRequest,
    state: IdentityState,
    servers: list[str],
    promoting: bool,
    resolved: dict[str, bool],
) -> list[Finding]:
    assert request.join is not None
    now = state.hosts[host]
    domain = request.join.domain
    if now.system.part_of_domain and now.system.domain.lower() == domain.lower():
        return [Finding(Severity.OK, f"already a member of {domain}", host)]
    points = bool(servers) and bool(set(servers) & set(now.dns_servers))
    found: list[Finding] = []
    if points:
        found.append(Finding(Severity.OK, "its DNS servers point at the domain controller", host))
    elif servers and request.join.point_dns:
        found.append(
            Finding(
                Severity.OK, f"its DNS will be pointed at the domain controller ({servers[0]}) first", host
            )
        )
    else:
        current = ", ".join(now.dns_servers) or "none"
        found.append(
            Finding(
                Severity.WARNING,
                f"its DNS servers ({current}) do not point at the domain controller"
                + (f" ({', '.join(servers)})" if servers else "")
                + f", so it cannot find {domain}: the join will fail with '{UNREACHABLE}'",
                host,
                "tick 'point DNS at the DC' or set its DNS server to the DC's address in the Network stage (1)",
            )
        )
    if promoting:
        found.append(
            Finding(
                Severity.OK, f"{domain} is created first (phase 2); resolution is checked by the join", host
            )
        )
    elif resolved.get(host):
        found.append(Finding(Severity.OK, f"{domain} resolves", host))
    elif points:
        found.append(
            Finding(
                Severity.WARNING,
                f"{domain} does not resolve ({domain} : DNS name does not exist)",
                host,
                "check the domain name and that the DC runs the DNS Server role",
            )
        )
    return found


def _clock_checks(joiners: list[str], dc: str | None, state: IdentityState) -> list[Finding]:
    reference = state.hosts.get(dc) if dc else None
    if reference is None or reference.clock is None:
        return []
    found: list[Finding] = []
    for host in joiners:
        clock = state.hosts[host].clock
        if clock is None:
            continue
        skew = abs((clock - reference.clock).total_seconds())
        if skew > CLOCK_TOLERANCE_SECONDS:
            found.append(
                Finding(
                    Severity.WARNING,
                    f"its clock is {skew / 60:.0f} minutes off the domain controller's (Kerberos allows 5)",
                    host,
                    "set its date and time (Host settings, s) before joining",
                )
            )
        else:
            found.append(
                Finding(Severity.OK, "its clock is within 5 minutes of the domain controller's", host)
            )
    return found
