"""Writes test mailboxes with Python's standard mailbox module, the way real tools and integrators write them.

    write_mailbox.py mbox TARGET [--from-line TEXT] MESSAGE_FILE...
    write_mailbox.py maildir TARGET MESSAGE_FILE...

Each MESSAGE_FILE holds one RFC 5322 message; it is appended to the mbox (created when missing) or delivered to
the Maildir's new/. --from-line sets the text after "From " of the separator line of the messages added
(Google Takeout's or Thunderbird's style); by default Python writes "From MAILER-DAEMON <asctime>".
"""
import mailbox
import sys


def main(argv):
    kind, target = argv[1], argv[2]
    rest = argv[3:]
    from_line = None
    if rest[:1] == ["--from-line"]:
        from_line, rest = rest[1], rest[2:]
    box = mailbox.mbox(target) if kind == "mbox" else mailbox.Maildir(target, create=True)
    box.lock()
    try:
        for path in rest:
            with open(path, "rb") as f:
                raw = f.read()
            if kind == "mbox":
                msg = mailbox.mboxMessage(raw)
                if from_line is not None:
                    msg.set_from(from_line)
            else:
                msg = mailbox.MaildirMessage(raw)
            box.add(msg)
        box.flush()
    finally:
        box.unlock()
        box.close()


if __name__ == "__main__":
    main(sys.argv)
