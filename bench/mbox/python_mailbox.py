"""The peer of mbox_bench: Python's mailbox module reading the same mbox the way an integrator's script would.

    python_mailbox.py MBOX

Iterates mailbox.mbox, reads each message's From, Subject, Date and Message-ID (RFC 2047 words decoded with
email.header) and its first text/plain (else text/html) body decoded to text. Prints one JSON line:
{"messages": N, "seconds": S, "peak_rss_mb": M}.
"""
import email.header
import email.utils
import json
import mailbox
import resource
import sys
import time


def header_text(value):
    if value is None:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(str(value))))
    except Exception:
        return str(value)


def body_text(msg):
    html = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True) or b""
        text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        if ctype == "text/plain":
            return text
        if html is None:
            html = text
    return html or ""


def main(path):
    start = time.perf_counter()
    n = 0
    chars = 0
    for msg in mailbox.mbox(path, create=False):
        fields = (header_text(msg["From"]), header_text(msg["Subject"]), msg["Date"], msg["Message-ID"])
        date = email.utils.parsedate_to_datetime(fields[2]) if fields[2] else None
        chars += len(fields[0]) + len(fields[1]) + len(body_text(msg)) + (1 if date else 0)
        n += 1
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"messages": n, "seconds": round(seconds, 3), "peak_rss_mb": round(rss_mb, 1), "chars": chars}))


if __name__ == "__main__":
    main(sys.argv[1])
