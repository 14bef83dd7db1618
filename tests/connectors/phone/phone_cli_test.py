#!/usr/bin/env python3
"""End-to-end tests of the phone connector through the crmsync command: an Asterisk Master.csv loaded into
SQLite with its calls linked to the callers' customers, incremental runs, a run killed halfway through a large
file that, run again, loses and duplicates nothing, and Twilio's Calls API (a loopback server) with the token
from the environment."""
import argparse
import base64
import http.server
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test_support"))
import run_progress  # noqa: E402
import urllib.parse

ARGS = None

# connector-formats.md's example row, verbatim: an outbound call from extension 2889.
DOC_ROW = ('"","2889","09243820431","pre-rec","""2889"" <2889>","SIP/2889-0000098e",'
           '"Local/09243820431@default-000005a6;1","Dial","Local/09243820431@default,30,t","2018-09-07 11:05:01",'
           '"2018-09-07 11:05:20","2018-09-07 11:05:20",19,0,"ANSWERED","DOCUMENTATION","1536293101.12458",""\n')


def crmsync(*args, cwd=None, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([ARGS.crmsync, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=600)


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


ACCOUNT = "AC0123456789abcdef0123456789abcdef"
TOKEN = "tw-cli-secret-51d2"


def rfc2822(gmt):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.strptime(gmt, "%Y-%m-%d %H:%M:%S"))


class FakeTwilio:
    """Twilio's Calls API on loopback: Basic auth or 401 with Twilio's error JSON, PageSize, StartTime>= by GMT
    day, relative next_page_uri with Page and PageToken, calls newest first."""

    def __init__(self):
        self.calls = {}
        self.queries = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def put(self, sid, frm, to, direction, status, start, duration, updated):
        self.calls[sid] = {"sid": sid, "account_sid": ACCOUNT, "parent_call_sid": None, "from": frm, "to": to,
                           "direction": direction, "status": status, "start_time": rfc2822(start),
                           "end_time": None, "date_created": rfc2822(start), "date_updated": rfc2822(updated),
                           "duration": duration, "price": None, "caller_name": None, "_start": start}

    def handle(self, req):
        url = urllib.parse.urlsplit(req.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        self.queries.append(url.query)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if req.headers.get("Authorization") != expected or url.path != f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json":
            return self.answer(req, 401, {"code": 20003, "message": "Authenticate",
                                          "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
        size = int(params.get("PageSize", 50))
        page = int(params.get("Page", 0))
        since = params.get("StartTime>", "")
        if page and params.get("PageToken") != f"PA{page}":
            return self.answer(req, 400, {"code": 20001, "message": "Invalid PageToken", "status": 400})
        rows = sorted((c for c in self.calls.values() if c["_start"][:10] >= since), key=lambda c: c["_start"],
                      reverse=True)
        chunk = [{k: v for k, v in c.items() if k != "_start"} for c in rows[page * size:(page + 1) * size]]
        base = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json?PageSize={size}" + (
            f"&StartTime%3E={since}" if since else "")
        nxt = f"{base}&Page={page + 1}&PageToken=PA{page + 1}" if (page + 1) * size < len(rows) else None
        self.answer(req, 200, {"calls": chunk, "next_page_uri": nxt, "page": page, "page_size": size,
                               "first_page_uri": base, "previous_page_uri": None, "uri": req.path})

    @staticmethod
    def answer(req, status, body):
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)


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

    def test_twilio_calls_through_the_cli_with_the_token_from_the_environment(self):
        twilio = FakeTwilio()
        self.addCleanup(twilio.close)
        twilio.put("CA" + "1" * 32, "+8613800138000", "+8675512345678", "inbound", "completed", "2024-05-01 01:00:00", "61", "2024-05-01 01:01:05")
        twilio.put("CA" + "2" * 32, "+8675512345678", "+8613900139000", "outbound-api", "busy", "2024-05-01 02:00:00", "0", "2024-05-01 02:00:30")
        twilio.put("CA" + "3" * 32, "+8613800138000", "+8675512345678", "inbound", "in-progress", "2024-05-02 03:00:00", None, "2024-05-02 03:00:10")
        path = os.path.join(self.dir, "twilio.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"""version: 1
name: twilio
store: {self.db}
sources:
  - name: twilio
    connector: phone
    config:
      format: twilio
      base_url: {twilio.base}
      account_sid: {ACCOUNT}
      auth_token: ${{env:PHONE_TEST_TWILIO_TOKEN}}
      page_size: 2
      internal: ["+8675512345678"]
stages:
  - type: normalize
    default_region: CN
    fields: {{phone: phone, party_phone: phone}}
  - type: load
""")
        wrong = crmsync("run", path, env={"PHONE_TEST_TWILIO_TOKEN": "not-it-0000"})
        self.assertNotEqual(wrong.returncode, 0)
        self.assertIn("refused the credentials of account " + ACCOUNT, wrong.stdout + wrong.stderr)
        self.assertNotIn("not-it-0000", wrong.stdout + wrong.stderr)

        r = crmsync("run", path, "--json", env={"PHONE_TEST_TWILIO_TOKEN": TOKEN})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn(TOKEN, r.stdout + r.stderr)
        rows = dict((k, rest) for k, *rest in query(self.db, "SELECT source_key, direction, outcome, duration_s, party_phone, customer_id FROM interaction"))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows["CA" + "3" * 32][:2], ["in", "in_progress"])
        self.assertEqual(rows["CA" + "2" * 32][:4], ["out", "busy", 0, "+8613900139000"])
        self.assertTrue(all(r[4] is not None for r in rows.values()), rows)
        self.assertEqual(twilio.queries[-1], "PageSize=2&Page=1&PageToken=PA1")

        # The call in progress completes; the next run re-reads two days before its start and updates it.
        twilio.put("CA" + "3" * 32, "+8613800138000", "+8675512345678", "inbound", "completed", "2024-05-02 03:00:00", "95", "2024-05-02 03:01:40")
        r = crmsync("run", path, "--json", env={"PHONE_TEST_TWILIO_TOKEN": TOKEN})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("PageSize=2&StartTime%3E=2024-04-30", twilio.queries)
        self.assertEqual(query(self.db, "SELECT count(*) FROM interaction")[0][0], 3)
        self.assertEqual(query(self.db, "SELECT outcome, duration_s FROM interaction WHERE source_key = 'CA" + "3" * 32 + "'"),
                         [("answered", 95)])
        summary = json.loads(r.stdout)["sources"][0]
        self.assertEqual((summary["updated"], summary["inserted"]), (1, 0), summary)

    def wait_until_writing(self, proc):
        run_progress.wait_until_writing(self, proc, self.db, 2_000_000, 120)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--crmsync", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])
