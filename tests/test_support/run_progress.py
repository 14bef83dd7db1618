"""Helpers for tests that drive the built crmsync command: knowing when a run is under way, to kill it there."""
import os
import time


def wait_until_writing(test, proc, db, min_wal_bytes, timeout_s):
    """Returns once the run has written min_wal_bytes to the WAL beside db (its transaction is under way) or has
    ended; fails the test after timeout_s."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            return
        wal = db + "-wal"
        if os.path.exists(wal) and os.path.getsize(wal) > min_wal_bytes:
            return
        time.sleep(0.02)
    test.fail(f"the run did not start writing within {timeout_s} s")
