#!/usr/bin/env python3
"""Writes mailbox.mbox, the demo's sales mailbox, with Python's standard mailbox module.

The messages are the shapes real mail has: a GB2312-encoded sender name, a UTF-8 name split across two encoded
words, a reply thread (In-Reply-To, References, 回复: subject), an HTML-only message, a message without a
Message-ID, outbound mail from the sales team, a group address and a body line starting with "From " (quoted
by mbox as ">From "). The senders are customers of the demo's spreadsheets, so their mail links to them, plus one
stranger, who becomes a new customer. The content is fixed: running the script again writes the same file.
"""
import base64
import email.charset
import mailbox
import os
import sys
from email.header import Header
from email.mime.text import MIMEText
from datetime import timezone
from email.utils import parsedate_to_datetime

HERE = os.path.dirname(os.path.abspath(__file__))


def message(headers, body, subtype="plain", charset="utf-8"):
    m = MIMEText(body, subtype, charset)
    for name, value in headers:
        m[name] = value
    return m


def gb2312_word(text):
    # As Chinese mail clients label it; Python's Header would write the codec name eucgb2312_cn instead.
    return "=?GB2312?B?" + base64.b64encode(text.encode("gb2312")).decode() + "?="


def gb2312_name(name, address):
    return gb2312_word(name) + " <" + address + ">"


# Text bodies in quoted-printable, as most mail clients send UTF-8 text: a body line "From ..." stays visible
# in the file, where mbox quotes it as ">From ...".
email.charset.add_charset("utf-8", email.charset.SHORTEST, email.charset.QP, "utf-8")


def main(path):
    messages = [
        message([
            ("From", gb2312_name("张伟", "zhangwei@xingchen-tech.cn")),
            ("To", "Sales <sales@crmsync-demo.example>"),
            ("Subject", gb2312_word("报价请求：服务器机柜")),
            ("Date", "Mon, 6 May 2024 09:15:02 +0800"),
            ("Message-ID", "<20240506091502.8812@xingchen-tech.cn>"),
        ], "您好，\n\n请发一份 20 台服务器机柜的报价。\n\n张伟\n北京星辰科技有限公司\n", charset="gb2312"),
        message([
            ("From", "Sales <sales@crmsync-demo.example>"),
            ("To", gb2312_name("张伟", "zhangwei@xingchen-tech.cn")),
            ("Subject", Header("回复: 报价请求：服务器机柜", "utf-8").encode()),
            ("Date", "Mon, 6 May 2024 11:02:40 +0800"),
            ("Message-ID", "<reply-1@crmsync-demo.example>"),
            ("In-Reply-To", "<20240506091502.8812@xingchen-tech.cn>"),
            ("References", "<20240506091502.8812@xingchen-tech.cn>"),
        ], "张先生您好，\n\n报价见附件，有效期 30 天。\n\n> 请发一份 20 台服务器机柜的报价。\n"),
        message([
            # One name in two encoded words that split the UTF-8 bytes of ü, as some senders write it.
            ("From", "=?UTF-8?B?SsO8cmdlbiBNw7w=?= =?UTF-8?B?bGxlcg==?= <j.mueller@strasse-soehne.de>"),
            ("To", "sales@crmsync-demo.example"),
            ("Cc", "undisclosed-recipients:;"),
            ("Subject", "Lieferung KW 21"),
            ("Date", "Tue, 14 May 2024 16:45:00 +0200"),
            ("Message-ID", "<lieferung-kw21@strasse-soehne.de>"),
        ], "Guten Tag,\n\nwann kommt die Lieferung?\nFrom our side everything is ready.\n\nJürgen Müller\n"),
        message([
            ("From", "Sarah Johnson <Sarah.Johnson@AcmeCorp.com>"),
            ("To", "Sales <sales@crmsync-demo.example>"),
            ("Subject", "Renewal"),
            ("Date", "Wed, 15 May 2024 08:01:12 -0700"),
            ("Message-ID", "<renewal-2024@acmecorp.com>"),
        ], "<html><body><p>Hi team,</p><p>We'd like to <b>renew</b> for another year.</p>"
           "<p>Sarah</p></body></html>\n", subtype="html"),
        message([
            # No Message-ID: the connector keys it by a stable hash of its content.
            ("From", "Olivia Brown <olivia.brown@example.org>"),
            ("To", "sales@crmsync-demo.example"),
            ("Subject", "Question about your products"),
            ("Date", "16 May 2024 10:30:00 -0500"),
        ], "Hello,\n\ndo you ship to Canada?\n\nOlivia\n"),
        message([
            ("From", "Sales <sales@crmsync-demo.example>"),
            ("To", "Olivia Brown <olivia.brown@example.org>"),
            ("Subject", "Re: Question about your products"),
            ("Date", "Thu, 16 May 2024 17:05:09 +0000"),
            ("Message-ID", "<reply-2@crmsync-demo.example>"),
        ], "Hi Olivia,\n\nyes, we do.\n"),
    ]
    if os.path.exists(path):
        os.remove(path)
    box = mailbox.mbox(path, create=True)
    box.lock()
    try:
        for m in messages:
            entry = mailbox.mboxMessage(m)
            sent = parsedate_to_datetime(m["Date"]).astimezone(timezone.utc)
            entry.set_from("MAILER-DAEMON", sent.timetuple())
            box.add(entry)
        box.flush()
    finally:
        box.unlock()
        box.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "mailbox.mbox"))
