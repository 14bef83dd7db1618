#!/usr/bin/env python3
"""The same IMAP read with Python's imaplib, as peers for imap_bench (same server, same run).

  imaplib_peer.py PORT USER PASSWORD

Prints one JSON object: the seconds for
  per_message   EXAMINE, then UID FETCH n BODY.PEEK[] one command per message (what a client without
                pipelining does: one round trip each, like a libcurl URL per message)
  one_command   EXAMINE, then a single UID FETCH 1:* BODY.PEEK[] answering every message in one stream (the
                floor: no round trip per message; libcurl loses the literals of such an answer)
"""
import imaplib
import json
import sys
import time


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    out = {}

    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    start = time.perf_counter()
    m.select("INBOX", readonly=True)
    typ, data = m.uid("SEARCH", "UID 1:*")
    uids = data[0].split()
    size = 0
    for uid in uids:
        typ, parts = m.uid("FETCH", uid, "(BODY.PEEK[])")
        size += len(parts[0][1])
    out["per_message"] = {"messages": len(uids), "seconds": time.perf_counter() - start, "bytes": size}
    m.logout()

    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    start = time.perf_counter()
    m.select("INBOX", readonly=True)
    typ, parts = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
    messages = [p for p in parts if isinstance(p, tuple)]
    out["one_command"] = {"messages": len(messages), "seconds": time.perf_counter() - start,
                          "bytes": sum(len(p[1]) for p in messages)}
    m.logout()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
