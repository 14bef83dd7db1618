#!/usr/bin/env python3
"""End-to-end tests of the crmsync command: what an admin types and what a scheduler relies on (exit codes,
summaries, refusal to run a broken pipeline, and a killed run that leaves the database as it was)."""
import argparse
import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test_support"))
import run_progress  # noqa: E402

ARGS = None


def crmsync(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([ARGS.crmsync, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300)


def count(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def write_contacts(path, rows, start=0):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "email", "phone"])
        for i in range(start, start + rows):
            w.writerow([f"C{i:07d}", f"Person {i}", f"Person.{i}@Example.com", f"+86 138 {i % 10000:04d} {i % 9000 + 1000}"])


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "crm.db")

    def tearDown(self):
        self.tmp.cleanup()

    def pipeline(self, body, name="p.yaml"):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        return path

    def contacts_pipeline(self):
        return self.pipeline(f"""version: 1
name: contacts
store: {self.db}
sources:
  - name: contacts
    connector: spreadsheet
    config:
      path: contacts.csv
      key: [id]
stages:
  - type: normalize
    default_region: CN
    fields: {{email: email, phone: phone}}
""")

    def test_version_names_the_abi(self):
        r = crmsync("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"plugin ABI \d+\.\d+")

    def test_plugins_lists_the_spreadsheet_connector_with_its_keys(self):
        r = crmsync("plugins")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("spreadsheet", r.stdout)
        self.assertIn("source, ABI 1.", r.stdout)
        self.assertRegex(r.stdout, r"\n\s+path\s+path\s+required")
        j = json.loads(crmsync("plugins", "--json").stdout)
        names = [p["name"] for p in j["plugins"]]
        self.assertIn("spreadsheet", names)

    def test_validate_reports_every_problem_and_run_refuses_to_start(self):
        path = self.pipeline(f"""name: broken
store: {self.db}
sorces: []
sources:
  - name: a
    connector: spredsheet
  - name: b
    connector: spreadsheet
    config:
      path: x.csv
      batch_size: lots
stages:
  - type: normalise
""")
        r = crmsync("validate", path)
        self.assertEqual(r.returncode, 2)
        errors = [l for l in r.stderr.splitlines() if ": error: " in l]
        self.assertEqual(len(errors), 4, r.stderr)
        for line in errors:
            self.assertRegex(line, r"^.*p\.yaml:\d+:\d+: error: ")
        self.assertIn("did you mean 'sources'?", r.stderr)
        self.assertIn("did you mean 'spreadsheet'?", r.stderr)
        self.assertIn("did you mean 'normalize'?", r.stderr)
        run = crmsync("run", path)
        self.assertEqual(run.returncode, 2)
        self.assertIn("the run did not start", run.stderr)
        self.assertFalse(os.path.exists(self.db))

    def test_validate_asks_each_connector_to_check_its_configuration(self):
        # Only the connector knows its time zones, formats and encodings: validate opens each source (reading
        # nothing) and points at the key the connector names.
        path = self.pipeline(f"""version: 1
name: connectors
store: {self.db}
sources:
  - name: pbx
    connector: phone
    config:
      path: Master.csv
      timezone: Mars/Olympus
  - name: mail
    connector: email
    config:
      path: inbox.mbox
      format: pst
  - name: sheet
    connector: spreadsheet
    config:
      path: x.csv
      encoding: ebcdic
stages:
  - type: load
""")
        r = crmsync("validate", path)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        errors = [l for l in r.stderr.splitlines() if ": error: " in l]
        self.assertEqual(len(errors), 3, r.stderr)
        self.assertRegex(r.stderr, r"p\.yaml:9:17: error: source 'pbx' \(connector 'phone'\): .*Mars/Olympus")
        self.assertRegex(r.stderr, r"p\.yaml:14:15: error: source 'mail' \(connector 'email'\): .*pst")
        self.assertRegex(r.stderr, r"p\.yaml:19:17: error: source 'sheet' \(connector 'spreadsheet'\): .*ebcdic")
        self.assertEqual(crmsync("run", path).returncode, 2)
        self.assertFalse(os.path.exists(self.db))

    def test_validate_never_prints_secret_values(self):
        path = self.pipeline(f"""name: secrets
store: postgresql://crm:${{env:CRMSYNC_CLI_TEST_SECRET}}@127.0.0.1:1/crm
sources:
  - name: a
    connector: spreadsheet
    config:
      path: ${{env:CRMSYNC_CLI_TEST_UNSET}}
""")
        env = {"CRMSYNC_CLI_TEST_SECRET": "correct-horse-battery"}
        os.environ.pop("CRMSYNC_CLI_TEST_UNSET", None)
        r = crmsync("validate", path, env=env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("CRMSYNC_CLI_TEST_UNSET", r.stderr)
        self.assertNotIn("correct-horse-battery", r.stdout + r.stderr)

    def test_demo_runs_then_skips_unchanged_files(self):
        demo = os.path.join(ARGS.source_dir, "pipelines", "demo.yaml")
        r = crmsync("run", demo, "--store", self.db)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"run \d+ of pipeline demo succeeded")
        for source in ("contacts_cn", "contacts_en", "customers_xlsx"):
            self.assertIn(source, r.stdout)
        self.assertGreater(count(self.db, "SELECT count(*) FROM customer"), 30)
        self.assertGreater(count(self.db, "SELECT count(*) FROM quarantine"), 0)
        again = json.loads(crmsync("run", demo, "--store", self.db, "--json").stdout)
        self.assertEqual(again["status"], "succeeded")
        self.assertEqual(sum(s["read"] for s in again["sources"]), 0)
        self.assertEqual(sum(s["loaded"] for s in again["sources"]), 0)
        status = crmsync("status", "--store", self.db)
        self.assertEqual(status.returncode, 0)
        self.assertEqual(len(re.findall(r"\bsucceeded\b", status.stdout)), 2, status.stdout)

    def test_demo_mailbox_is_what_its_script_writes(self):
        samples = os.path.join(ARGS.source_dir, "pipelines", "samples")
        written = os.path.join(self.dir, "mailbox.mbox")
        subprocess.run([sys.executable, os.path.join(samples, "make_mailbox.py"), written], check=True)
        with open(written, "rb") as a, open(os.path.join(samples, "mailbox.mbox"), "rb") as b:
            self.assertEqual(a.read(), b.read(), "regenerate pipelines/samples/mailbox.mbox with make_mailbox.py")

    def test_demo_links_mail_and_calls_to_the_customers_of_the_spreadsheets(self):
        demo = os.path.join(ARGS.source_dir, "pipelines", "demo.yaml")
        r = crmsync("run", demo, "--store", self.db, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        summary = json.loads(r.stdout)
        by_source = {s["source"]: s for s in summary["sources"]}
        self.assertEqual(by_source["sales_mailbox"]["interactions"], 6)
        self.assertEqual(by_source["office_pbx"]["interactions"], 4)  # the internal call is skipped
        self.assertEqual(by_source["office_pbx"]["quarantined"], 1)   # the row cut short
        golden = "SELECT g.name FROM golden_interaction i JOIN customer g ON g.id = i.golden_customer_id "
        # 张伟 wrote (GB2312-encoded name) and was answered; he called from the mobile of the GBK spreadsheet.
        self.assertEqual(count(self.db, "SELECT count(*) FROM golden_interaction i JOIN golden_customer g ON "
                                        "g.id = i.golden_customer_id WHERE g.email = 'zhangwei@xingchen-tech.cn'"), 3)
        with sqlite3.connect(self.db) as db:
            rows = db.execute(golden + "WHERE i.source = 'office_pbx' AND i.party_phone = '+493012345678'").fetchall()
            self.assertEqual(rows, [("Jürgen Müller",)])
            directions = dict(db.execute("SELECT direction, count(*) FROM interaction GROUP BY direction").fetchall())
            self.assertEqual(directions, {"in": 6, "out": 4})
            # The stranger who called is a new customer known only by the number.
            self.assertEqual(db.execute("SELECT count(*) FROM golden_interaction i JOIN customer c ON "
                                        "c.id = i.golden_customer_id WHERE c.phone = '+8613912345678'").fetchone(), (1,))
        self.assertEqual(count(self.db, "SELECT count(*) FROM interaction WHERE customer_id IS NULL"), 0)

    def test_demo_merges_explains_and_unmerges_for_good(self):
        demo = os.path.join(ARGS.source_dir, "pipelines", "demo.yaml")
        r = crmsync("run", demo, "--store", self.db)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"dedupe: \d+ new or changed records matched")
        golden = count(self.db, "SELECT count(*) FROM customer WHERE merged_into IS NULL")
        self.assertLess(golden, count(self.db, "SELECT count(*) FROM customer"))
        # 张伟 in the Chinese export and Wei Zhang in the English one share their e-mail address.
        e = crmsync("explain", demo, "contacts_cn:CN0001", "contacts_en:EN1001", "--store", self.db)
        self.assertEqual(e.returncode, 0, e.stderr)
        self.assertIn("ONE customer", e.stdout)
        self.assertIn("email", e.stdout)
        j = json.loads(crmsync("explain", demo, "contacts_cn:CN0001", "contacts_en:EN1001", "--store", self.db,
                               "--json").stdout)
        self.assertTrue(j["one_customer"])
        self.assertTrue(j["pair_matches"])
        self.assertTrue(any(k["key"] == "email" for k in j["shared_blocking_keys"]))
        u = crmsync("unmerge", demo, "contacts_en:EN1001", "--reason", "two people", "--store", self.db)
        self.assertEqual(u.returncode, 0, u.stdout + u.stderr)
        after = json.loads(crmsync("explain", demo, "contacts_cn:CN0001", "contacts_en:EN1001", "--store", self.db,
                                   "--json").stdout)
        self.assertFalse(after["one_customer"])
        self.assertEqual(after["decisions"][0]["reason"], "two people")
        self.assertEqual(count(self.db, "SELECT count(*) FROM customer WHERE merged_into IS NULL"), golden + 1)
        # A later run keeps them apart (DedupeTest covers changed records and full re-matches).
        self.assertEqual(crmsync("run", demo, "--store", self.db).returncode, 0)
        again = json.loads(crmsync("explain", demo, "contacts_cn:CN0001", "contacts_en:EN1001", "--store", self.db,
                                   "--json").stdout)
        self.assertFalse(again["one_customer"])
        missing = crmsync("explain", demo, "contacts_cn:NOPE", "contacts_en:EN1001", "--store", self.db)
        self.assertEqual(missing.returncode, 2)
        self.assertIn("no customer record contacts_cn:NOPE", missing.stderr)

    def test_json_logs_are_one_object_per_line(self):
        write_contacts(os.path.join(self.dir, "contacts.csv"), 10)
        r = crmsync("--log-format", "json", "run", self.contacts_pipeline())
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            obj = json.loads(line)
            self.assertIn("level", obj)
            self.assertIn("message", obj)

    def test_global_options_may_follow_the_subcommand(self):
        write_contacts(os.path.join(self.dir, "contacts.csv"), 10)
        r = crmsync("run", self.contacts_pipeline(), "--log-format", "json", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        for line in r.stderr.splitlines():
            self.assertIn(json.loads(line)["level"], ("warning", "error"))
        self.assertEqual(count(self.db, "SELECT count(*) FROM customer"), 10)

    def test_sigterm_cancels_and_commits_nothing(self):
        write_contacts(os.path.join(self.dir, "contacts.csv"), 300000)
        path = self.contacts_pipeline()
        proc = subprocess.Popen([ARGS.crmsync, "--quiet", "run", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.wait_until_running(proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        if proc.returncode == 0:
            self.skipTest("the run finished before the signal arrived")
        self.assertEqual(proc.returncode, 3, out + err)
        self.assertEqual(count(self.db, "SELECT count(*) FROM source_record"), 0)
        self.assertEqual(count(self.db, "SELECT count(*) FROM source_state"), 0)
        self.assertEqual(count(self.db, "SELECT count(*) FROM run WHERE status = 'failed'"), 1)

    def test_killed_run_changes_nothing_and_the_next_run_loads_exactly_once(self):
        contacts = os.path.join(self.dir, "contacts.csv")
        write_contacts(contacts, 1000)
        path = self.contacts_pipeline()
        self.assertEqual(crmsync("run", path).returncode, 0)
        cursor_before = count(self.db, "SELECT cursor FROM source_state")
        write_contacts(contacts, 300000)
        proc = subprocess.Popen([ARGS.crmsync, "--quiet", "run", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.wait_until_running(proc)
        proc.kill()
        proc.wait()
        if proc.returncode == 0:
            self.skipTest("the run finished before the kill")
        self.assertEqual(count(self.db, "SELECT count(*) FROM source_record"), 1000)
        self.assertEqual(count(self.db, "SELECT cursor FROM source_state"), cursor_before)
        self.assertEqual(count(self.db, "SELECT count(*) FROM run WHERE status = 'succeeded'"), 1)
        r = crmsync("run", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = json.loads(r.stdout)
        self.assertEqual(summary["sources"][0]["inserted"], 299000)
        # The file only grew since the committed run: only the appended rows are read.
        self.assertEqual(summary["sources"][0]["read"], 299000)
        self.assertEqual(count(self.db, "SELECT count(*) FROM source_record"), 300000)
        self.assertEqual(count(self.db, "SELECT count(DISTINCT source_key) FROM source_record"), 300000)

    def wait_until_running(self, proc):
        run_progress.wait_until_writing(self, proc, self.db, 1_000_000, 60)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--crmsync", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])
