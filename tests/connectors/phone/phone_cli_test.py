#!/usr/bin/env python3
"""End-to-end tests of the phone connector through the crmsync command: an Asterisk Master.csv loaded into
SQLite with its calls linked to the callers' customers, incremental runs, and a run killed halfway through a
large file that, run again, loses and duplicates nothing."""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None

# connector-formats.md's example row, verbatim: an outbound call from extension 2889.
DOC_ROW = ('"","2889","09243820431","pre-rec","""2889"" <2889>","SIP/2889-0000098e",'
           '"Local/09243820431@default-000005a6;1","Dial","Local/09243820431@default,30,t","2018-09-07 11:05:01",'
           '"2018-09-07 11:05:20","2018-09-07 11:05:20",19,0,"ANSWERED","DOCUMENTATION","1536293101.12458",""\n')


def crmsync(*args, cwd=None):
    return subprocess.run([ARGS.crmsync, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def q(s):
    return '"' + s.replace('"', '""') + '"'


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def leg(src, dst, clid, start, end, answered, disposition, uniqueid, linkedid, context="from-trunk", seq=0):
    answer = q(stamp(start + 2)) if answered else ""
    billsec = end - start - 2 if answered else 0
    return ",".join([q(""), q(src), q(dst), q(context), q(clid), q("SIP/trunk-%08x" % seq), q("SIP/%s-%08x" % (dst, seq)),
                     q("Dial"), q("SIP/%s,30,tT" % dst), q(stamp(start)), answer, q(stamp(end)), str(end - start),
                     str(billsec), q(disposition), q("DOCUMENTATION"), q(uniqueid), q(""), q(""), q(linkedid),
                     str(seq)]) + "\n"


def generated_calls(first, count, base=1714521600):
    """count inbound calls, each a queue leg and an agent leg (legs of a call adjacent), callers 138xxxx, every
    tenth one with a caller-ID name. Returns the text and the linkedids."""
    lines, keys = [], []
    for i in range(first, first + count):
        start = base + i * 7
        number = "138%08d" % (i % 5000)
        clid = ('"Caller %d" <%s>' % (i % 5000, number)) if i % 10 == 0 else '"%s" <%s>' % (number, number)
        linked = "%d.%d" % (start, 2 * i)
        lines.append(leg(number, "2%03d" % (i % 200), clid, start + 1, start + 60, True, "ANSWERED", "%d.%d" % (start, 2 * i + 1), linked, "from-queue", 2 * i + 1))
        lines.append(leg(number, "600", clid, start, start + 60, True, "ANSWERED", linked, linked, "from-trunk", 2 * i))
        keys.append(linked)
    return "".join(lines), keys


class PhoneCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "crm.db")
        self.cdr = os.path.join(self.dir, "Master.csv")
        self.yaml = os.path.join(self.dir, "phone.yaml")
        with open(self.yaml, "w", encoding="utf-8") as f:
            f.write(f"""version: 1
name: calls
store: {self.db}
sources:
  - name: pbx
    connector: phone
    config:
      format: asterisk
      path: Master.csv
      timezone: Asia/Shanghai
      internal: ["_2XXX", "600"]
stages:
  - type: normalize
    default_region: CN
    fields:
      phone: phone
      party_phone: phone
  - type: load
""")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text, mode="w"):
        with open(self.cdr, mode, encoding="utf-8") as f:
            f.write(text)

    def run_json(self):
        r = crmsync("run", self.yaml, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return json.loads(r.stdout)

    def test_calls_load_linked_to_the_customers_of_their_callers(self):
        calls, keys = generated_calls(0, 20)
        internal = leg("2001", "2002", '"Reception" <2001>', 1714600000, 1714600030, True, "ANSWERED", "1714600000.9",
                       "1714600000.9", "from-internal", 99)
        unanswered = leg("+8613900001111", "600", '"Li Na" <+8613900001111>', 1714600100, 1714600120, False, "NO ANSWER",
                         "1714600100.1", "1714600100.1", "from-trunk", 100)
        bad = '"","2001","13800000000","from-internal","x","y","z","Dial","a,b","not a time",,"2024-05-01 09:00:00",1,0,"ANSWERED","DOCUMENTATION","u1","","","u1",0\n'
        self.write(DOC_ROW + calls + internal + bad + unanswered)
        self.run_json()

        rows = query(self.db, "SELECT source_key, customer_id, channel, direction, occurred_at, duration_s, party_phone, "
                              "outcome FROM interaction ORDER BY occurred_at")
        self.assertEqual(len(rows), 22, rows)  # 20 calls of 2 legs, the example row, the unanswered one
        self.assertEqual(sorted(r[0] for r in rows), sorted(keys + ["1536293101.12458", "1714600100.1"]))
        for key, customer, channel, direction, occurred, duration, phone, outcome in rows:
            self.assertIsNotNone(customer, key)
            self.assertEqual(channel, "phone")
            if key != "1536293101.12458":
                self.assertTrue(phone.startswith("+86"), phone)  # normalized to E.164 like the customers' phones
        doc = [r for r in rows if r[0] == "1536293101.12458"][0]
        # 09243820431 is no valid Chinese number: normalize keeps it as it is, on both sides of the link.
        self.assertEqual(doc[3:8], ("out", "2018-09-07T03:05:01Z", 0, "09243820431", "answered"))
        first = [r for r in rows if r[0] == keys[0]][0]
        self.assertEqual(first[3], "in")
        self.assertEqual(first[5], 57)  # the agent leg's billsec
        missed = [r for r in rows if r[0] == "1714600100.1"][0]
        self.assertEqual((missed[3], missed[5], missed[7]), ("in", 20, "no_answer"))

        # Each interaction belongs to the customer that holds its caller's number.
        linked = query(self.db, "SELECT count(*) FROM interaction i JOIN contact_point p ON p.customer_id = i.customer_id "
                                "AND p.kind = 'phone' AND p.value_norm = i.party_phone")
        self.assertEqual(linked[0][0], 22)
        named = query(self.db, "SELECT count(*) FROM customer WHERE name = 'Caller 0'")
        self.assertEqual(named[0][0], 1)
        self.assertEqual(query(self.db, "SELECT count(*) FROM quarantine")[0][0], 1)

        # Nothing new: nothing read. Appended calls: only they are read.
        summary = self.run_json()
        self.assertEqual(summary["sources"][0]["read"], 0, summary)
        # (dated before the rows at the end of the file: the connector goes by file order, not by the clock)
        more, more_keys = generated_calls(20, 5)
        self.write(more, "a")
        summary = self.run_json()
        # five calls and their five new callers, nothing else touched
        self.assertEqual(summary["sources"][0]["inserted"], 2 * len(more_keys), summary)
        self.assertEqual(summary["sources"][0]["updated"], 0, summary)
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 27)
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction WHERE customer_id IS NULL")[0][0], 0)

    def test_killed_run_loses_and_duplicates_nothing(self):
        head, head_keys = generated_calls(0, 500)
        self.write(head)
        self.run_json()
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 500)
        cursor_before = query(self.db, "SELECT cursor FROM source_state")[0][0]
        rest, rest_keys = generated_calls(500, 150000)
        self.write(rest, "a")
        proc = subprocess.Popen([ARGS.crmsync, "--quiet", "run", self.yaml], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.wait_until_writing(proc)
        proc.kill()
        proc.wait()
        if proc.returncode == 0:
            self.skipTest("the run finished before the kill")
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 500)
        self.assertEqual(query(self.db, "SELECT cursor FROM source_state")[0][0], cursor_before)

        self.run_json()
        total = len(head_keys) + len(rest_keys)
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], total)
        self.assertEqual(query(self.db, "SELECT count(DISTINCT source_key) FROM interaction")[0][0], total)
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction WHERE customer_id IS NULL")[0][0], 0)
        self.assertEqual(query(self.db, "SELECT count(*) FROM quarantine")[0][0], 0)
        # Each call has both legs: a lost or doubled leg would show in the billsec-based duration.
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction WHERE duration_s <> 57")[0][0], 0)
        self.assertEqual(self.run_json()["sources"][0]["read"], 0)

    def wait_until_writing(self, proc):
        # The run is under way once its transaction has written to the WAL (or journal) beside the database.
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                return
            wal = self.db + "-wal"
            if os.path.exists(wal) and os.path.getsize(wal) > 2_000_000:
                return
            time.sleep(0.02)
        self.fail("the run did not start writing within 120 s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--crmsync", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])
