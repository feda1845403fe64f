"""User-facing errors: one line, names the culprit and a fix, never a traceback."""


class HarnessError(Exception):
    """A mistake in user input (config, data, names, plugins) rather than a bug.

    The CLI prints ``error: <message>`` and exits with status 2. Messages should name
    the file/field at fault and say how to fix it.
    """
