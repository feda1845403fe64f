"""SIGTERM (schedulers pre-empting a job) and SIGINT (Ctrl-C) stop a run cleanly.

Lightning turns a SIGTERM into an exception that exits with status 0 and a Ctrl-C during
``fit`` into ``sys.exit(1)``, so a pre-empted run looked successful and Ctrl-C lost its
message. ``stop_on_signals`` makes both raise ``Interrupted`` in the main thread: the run
records status ``interrupted`` and the command exits with 128 + the signal number.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(SystemExit):
    """A run stopped by a signal; exits with status 128 + signal number (143, 130).

    A ``SystemExit`` so that code catching ``Exception`` lets it through, and so that a
    script using the API exits with that status too. Not a ``KeyboardInterrupt``:
    Lightning would turn that into ``sys.exit(1)``.
    """

    def __init__(self, signum: int, run_id: str | None = None):
        super().__init__(128 + int(signum))
        self.signal_name = signal.Signals(signum).name
        self.run_id = run_id

    def __str__(self) -> str:
        if self.run_id is None:
            return f"interrupted ({self.signal_name}) before the run started"
        return (
            f"interrupted ({self.signal_name}); results written so far are kept; "
            f"re-run with --run-id {self.run_id} to resume"
        )


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise ``Interrupted`` (once) in the main thread.

    Lightning chains its own SIGTERM handler to this one during ``fit`` (it stops DDP
    workers, then calls ours). Processes forked from this one (DataLoader workers) keep
    the default behaviour; their parent stops them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()
    fired = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        if os.getpid() != owner:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if fired:  # a second signal: the user insists (or the first was swallowed somewhere)
            for each in SIGNALS:
                signal.signal(each, signal.default_int_handler if each == signal.SIGINT
                              else signal.SIG_DFL)  # fmt: skip
            os.kill(os.getpid(), signum)
            return
        fired = True
        if signum == signal.SIGINT:
            # Ctrl-C stays a KeyboardInterrupt: datasets cleans its temporary files on it and
            # Lightning stops DDP workers on it; the runner records the run as interrupted
            raise KeyboardInterrupt
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
