"""A plugin that raises at import: the harness must report it and carry on."""

raise RuntimeError("this plugin is broken on purpose")
