"""hvconsole: build and run a Hyper-V failover cluster from one keyboard-driven terminal."""

__version__ = "0.1.0"
