"""Headless commands and the console launcher, each behind one function the CLI calls."""
