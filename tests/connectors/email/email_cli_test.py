#!/usr/bin/env python3
"""End-to-end tests of the email source through the built crmsync command: a pipeline reads an mbox written
by Python's mailbox module into SQLite, the interaction rows are linked to the customers of their parties, a
second run loads only what was appended, and a run killed halfway through a large mbox loses and duplicates
nothing once run again."""
import argparse
import json
import mailbox
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test_support"))
import run_progress  # noqa: E402
from email.message import EmailMessage

ARGS = None


def crmsync(*args):
    return subprocess.run([ARGS.crmsync, "--plugin-dir", ARGS.plugin_dir, *args], capture_output=True, text=True,
                          timeout=600)


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def message(i, sender, to="Sales <sales@example.com>", subject=None, msgid=True, **headers):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject or f"order {i}"
    m["Date"] = f"Tue, 11 Mar 2025 09:{i % 60:02d}:{(i * 7) % 60:02d} +0800"
    if msgid:
        m["Message-ID"] = f"<m{i}@client.example.cn>"
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(f"Hello, this is message {i}.\nFrom the warehouse: shipped.\n")
    return m


def add_to_mbox(path, messages):
    box = mailbox.mbox(path)
    box.lock()
    try:
        for m in messages:
            box.add(m)
        box.flush()
    finally:
        box.unlock()
        box.close()


class EmailCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "crm.db")
        self.mbox = os.path.join(self.dir, "sales.mbox")

    def tearDown(self):
        self.tmp.cleanup()

    def pipeline(self, extra_config=""):
        path = os.path.join(self.dir, "mail.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"""version: 1
name: mail
store: {self.db}
sources:
  - name: sales_mailbox
    connector: email
    config:
      path: sales.mbox
      own_domains: [example.com]
{extra_config}
stages:
  - type: normalize
    default_region: CN
    fields:
      email: email
      party_email: email
  - type: load
""")
        return path

    def run_json(self, path):
        r = crmsync("run", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        return json.loads(r.stdout)

    def test_interactions_are_stored_and_linked_to_their_customers(self):
        add_to_mbox(self.mbox, [
            message(1, "Bo Li <Bo.Li@Client.example.cn>"),
            message(2, "=?GB2312?B?1cXI/Q==?= <zhang@client.example.cn>"),
            message(3, "Sales <sales@example.com>", to="Bo Li <bo.li@client.example.cn>", subject="Re: order 1",
                    In_Reply_To="<m1@client.example.cn>", References="<m1@client.example.cn>"),
            message(4, "Cy <cy@other.example.net>", msgid=False),
        ])
        path = self.pipeline()
        self.assertEqual(crmsync("validate", path).returncode, 0)
        self.run_json(path)
        rows = query(self.db, "SELECT i.source_key, i.direction, i.party_email, i.thread_key, c.id, i.channel "
                              "FROM interaction i LEFT JOIN customer c ON c.id = i.customer_id ORDER BY i.id")
        self.assertEqual(len(rows), 4)
        by_key = {r[0]: r for r in rows}
        self.assertEqual(by_key["m1@client.example.cn"][1], "in")
        self.assertEqual(by_key["m3@client.example.cn"][1], "out")
        self.assertEqual(by_key["m3@client.example.cn"][3], "m1@client.example.cn")
        self.assertTrue(all(r[4] is not None for r in rows), rows)  # every interaction has its customer
        self.assertTrue(all(r[5] == "email" for r in rows))
        # Bo's inbound mail and our reply to him link to the same customer.
        self.assertEqual(by_key["m1@client.example.cn"][4], by_key["m3@client.example.cn"][4])
        hashed = [r for r in rows if r[0].startswith("hash:")]
        self.assertEqual(len(hashed), 1)
        names = dict(query(self.db, "SELECT source_key, json_extract(payload, '$.name') FROM source_record "
                                    "WHERE entity = 'customer'"))
        self.assertEqual(names.get("email:zhang@client.example.cn"), "张三")
        self.assertEqual(len(names), 3)  # Bo, 张三, Cy: each once, sales@example.com is us

    def test_a_second_run_loads_only_the_appended_message(self):
        add_to_mbox(self.mbox, [message(i, f"P{i} <p{i}@client.example.cn>") for i in range(3)])
        path = self.pipeline()
        self.run_json(path)
        again = self.run_json(path)
        self.assertEqual(again["sources"][0]["read"], 0, again)
        add_to_mbox(self.mbox, [message(9, "P9 <p9@client.example.cn>")])
        third = self.run_json(path)
        self.assertEqual(third["sources"][0]["read"], 2, third)  # its customer and its interaction
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 4)

    def test_a_killed_run_loses_and_duplicates_nothing(self):
        add_to_mbox(self.mbox, [message(i, f"P{i} <p{i}@client.example.cn>") for i in range(10)])
        path = self.pipeline("      batch_size: 256")
        self.run_json(path)
        cursor_before = query(self.db, "SELECT cursor FROM source_state")[0][0]
        total = 10 + self.append_large(self.mbox, 10, 120000)
        proc = subprocess.Popen([ARGS.crmsync, "--plugin-dir", ARGS.plugin_dir, "--quiet", "run", path],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_until_writing(proc)
        proc.kill()
        proc.wait()
        if proc.returncode == 0:
            self.skipTest("the run finished before the kill")
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 10)
        self.assertEqual(query(self.db, "SELECT cursor FROM source_state")[0][0], cursor_before)
        self.run_json(path)
        self.assertEqual(query(self.db, "SELECT count(*), count(DISTINCT source_key) FROM interaction")[0], (total, total))
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction WHERE customer_id IS NULL")[0][0], 0)
        self.assertEqual(query(self.db, "SELECT count(*) FROM quarantine")[0][0], 0)
        final = self.run_json(path)
        self.assertEqual(final["sources"][0]["read"], 0, final)

    @staticmethod
    def append_large(path, start, count):
        # Written directly in mbox form (what mailbox.mbox would write, much faster for 100k messages).
        with open(path, "a", encoding="utf-8") as f:
            for i in range(start, start + count):
                f.write(f"From p{i % 5000}@client.example.cn Tue Mar 11 01:31:25 2025\n"
                        f"From: P{i % 5000} <p{i % 5000}@client.example.cn>\nTo: sales@example.com\n"
                        f"Subject: order {i}\nDate: Tue, 11 Mar 2025 09:31:25 +0800\n"
                        f"Message-ID: <m{i}@client.example.cn>\nContent-Type: text/plain; charset=utf-8\n\n"
                        f"Please ship order {i}.\n>From the warehouse.\n\n")
        return count

    def wait_until_writing(self, proc):
        run_progress.wait_until_writing(self, proc, self.db, 2_000_000, 120)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--crmsync", required=True)
    parser.add_argument("--plugin-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])
