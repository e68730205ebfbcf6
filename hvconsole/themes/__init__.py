"""Theme files shipped with hvconsole (package data, read with importlib.resources by hvconsole.ui.themes)."""
