"""The embedded lab: simulated Windows hosts behind real WinRM/PSRP endpoints.

It is an independent implementation of the other side of the wire: it imports nothing from
hvconsole.remoting, .windows, .stages or .ui (an import-linter contract enforces it).
"""
