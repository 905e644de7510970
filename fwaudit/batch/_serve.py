"""A batch worker process: `python -m fwaudit.batch._serve FD PARENT` audits the tasks that
arrive on socket FD, one at a time, and answers each with a `JobOutput`, until the batch hangs
up. It is SIGKILLed when the batch (pid PARENT) dies, and its extractors with it."""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection

from .._lifeline import die_with_parent
from .worker import audit_task


def serve(conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(audit_task(task))


if __name__ == "__main__":
    die_with_parent(int(sys.argv[2]))
    serve(Connection(int(sys.argv[1])))
