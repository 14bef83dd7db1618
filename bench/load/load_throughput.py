#!/usr/bin/env python3
"""Load throughput: `crmsync run` against `sqlite3 .import` on the same generated contact CSV.

Generates an N-row contact CSV with crmsync-gen-contacts, writes a pipeline (spreadsheet source -> map ->
normalize -> load into a fresh SQLite store), then in one benchmark run times, alternately and --repeat times each:

  sqlite3: sqlite3 -cmd '.mode csv' DB '.import FILE t'   (fresh DB each time)
  crmsync: <build>/bin/crmsync run PIPELINE --quiet       (fresh store each time)

and prints the medians, rows/s, the ratio crmsync/sqlite3 (target: at most 3), each child's peak RSS (ru_maxrss
from os.wait4), a check that the crmsync store holds N minus the quarantined rows, a PASS/FAIL line and, as the
last line, one JSON object with every figure.

Exit status: 0 target met and load verified; 1 target missed; 2 a run failed or the load did not verify.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_RATIO = 3.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="./build", help="build directory with bin/crmsync (default ./build)")
    p.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (default 1000000)")
    p.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    p.add_argument("--workdir", help="where the CSV, pipeline and databases go (default: a new temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the temp workdir (a given --workdir is always kept)")
    p.add_argument("--plugin-dir", help="passed to crmsync as --plugin-dir (default: crmsync finds ../plugins)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each tool, alternating (default 3)")
    p.add_argument("--target-ratio", type=float, default=TARGET_RATIO, help="PASS when crmsync/sqlite3 <= this")
    p.add_argument("--gen", help="generator binary (default <build>/bin/crmsync-gen-contacts)")
    p.add_argument("--crmsync", help="crmsync binary (default <build>/bin/crmsync)")
    p.add_argument("--runner", help="launcher that measures each child (default crmsync-bench-run beside the "
                   "generator or in <build>/bin; 'none' forks from Python, which inflates peak RSS)")
    p.add_argument("--sqlite3", default="sqlite3", help="sqlite3 CLI (default: from PATH)")
    p.add_argument("--json-out", help="also write the JSON figures to this file")
    a = p.parse_args()
    if a.rows <= 0 or a.repeat <= 0:
        p.error("--rows and --repeat must be positive")
    return a


def log(msg=""):
    print(msg, flush=True)


def remove_db(path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def run_child(argv, stdout_path, runner=None, cwd=None):
    """Runs argv to completion, output to stdout_path; returns (exit status, wall seconds, peak RSS in KiB).

    With runner (crmsync-bench-run) the child is forked from that small launcher, so its ru_maxrss is its own
    peak. Without it the child is forked from Python, and Linux carries the forking process's RSS across
    execve() into the child's high-water mark: the figure is then at least this driver's RSS (see rss_floor).
    """
    if runner:
        cmd = [runner, "--output", stdout_path] + (["--cwd", cwd] if cwd else []) + ["--"] + list(argv)
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        fields = dict(kv.split("=", 1) for kv in r.stdout.split()) if r.returncode == 0 else {}
        if "exit" not in fields:
            raise RuntimeError(f"{runner} failed: {r.stderr.strip() or r.stdout.strip()}")
        return int(fields["exit"]), float(fields["wall_s"]), int(fields["maxrss_kib"])
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    return proc.returncode, wall, rusage.ru_maxrss  # ru_maxrss is in KiB on Linux


def rss_floor(runner):
    """Peak RSS the measurement reports for /bin/true: the floor under every RSS figure."""
    try:
        with tempfile.NamedTemporaryFile() as f:
            return run_child(["true"], f.name, runner)[2]
    except (OSError, RuntimeError, ValueError):
        return None


def tail(path, lines=15):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join("    " + s for s in data[-lines:])
    except OSError:
        return "    (no output)"


def yaml_str(s):
    return json.dumps(s)  # a JSON string is a valid double-quoted YAML scalar


def write_pipeline(path, store, csv_path):
    text = f"""version: 1
name: bench_load
store: {yaml_str(store)}
sources:
  - name: contacts
    connector: spreadsheet
    config:
      path: {yaml_str(csv_path)}
      key: [customer_id]
stages:
  - type: map
    rename: {{first_name: given_name, last_name: family_name}}
  - type: normalize
    default_region: CN
    region_field: country
    fields:
      given_name: [trim, nfkc]
      family_name: [trim, nfkc]
      company: [trim, nfkc]
      email: [trim, email]
      phone: [phone]
      mobile: [phone]
  - type: load
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def table_columns(db, table):
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]


def verify_crmsync_store(path, rows):
    """Counts what the crmsync run left in its store. Returns a dict of figures and 'ok'."""
    v = {"ok": False}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        v["error"] = f"cannot open store: {e}"
        return v
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for t in ("source_record", "customer"):
            v[t] = db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] if t in tables else None
        # The run's own figures, from the run table (named run or runs, whichever the schema has).
        run_table = next((t for t in ("run", "runs", "pipeline_run") if t in tables), None)
        if run_table:
            cols = table_columns(db, run_table)
            wanted = [c for c in ("status", "records_read", "records_loaded", "records_quarantined") if c in cols]
            if wanted:
                row = db.execute(f'SELECT {", ".join(wanted)} FROM "{run_table}" ORDER BY rowid DESC LIMIT 1').fetchone()
                if row:
                    v.update({f"run_{c}": row[i] for i, c in enumerate(wanted)})
        q_table = next((t for t in ("quarantine", "quarantine_item", "quarantined_record") if t in tables), None)
        v["quarantine_rows"] = db.execute(f'SELECT count(*) FROM "{q_table}"').fetchone()[0] if q_table else None
    except sqlite3.Error as e:
        v["error"] = f"query failed: {e}"
        return v
    finally:
        db.close()
    quarantined = v.get("run_records_quarantined")
    if quarantined is None:
        quarantined = v.get("quarantine_rows") or 0
    v["quarantined"] = quarantined
    v["expected"] = rows - quarantined
    problems = []
    for t in ("source_record", "customer"):
        if v[t] is None:
            problems.append(f"no table {t}")
        elif v[t] != v["expected"]:
            problems.append(f"{t} has {v[t]} rows, expected {v['expected']}")
    if v.get("run_status") not in (None, "succeeded"):
        problems.append(f"run status {v['run_status']}")
    v["ok"] = not problems
    if problems:
        v["error"] = "; ".join(problems)
    return v


def verify_sqlite3_db(path, rows):
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        n = db.execute("SELECT count(*) FROM t").fetchone()[0]
        db.close()
    except sqlite3.Error as e:
        return {"ok": False, "error": str(e), "rows": None}
    return {"ok": n == rows, "rows": n, **({} if n == rows else {"error": f"t has {n} rows, expected {rows}"})}


def schema_floor(crmsync_store, workdir, runner, sqlite3_cli, chunk=1000):
    """Times sqlite3 itself writing the rows a crmsync run wrote: a fresh database with the same page size,
    journal mode, schema and indexes, filled by INSERT ... SELECT from the finished store, 1000 customers at a time
    in the order crmsync writes them, contact points at the end in key order. What this costs is SQLite's own work
    for the canonical schema; what crmsync takes beyond it is crmsync's. Returns (seconds, peak RSS KiB) or None when it cannot be measured."""
    floor_db = os.path.join(workdir, "floor.db")
    remove_db(floor_db)
    src = sqlite3.connect(f"file:{crmsync_store}?mode=ro", uri=True)
    try:
        page_size = src.execute("PRAGMA page_size").fetchone()[0]
        ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
                                         "'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid")]
        max_customer = src.execute("SELECT COALESCE(MAX(id), 0) FROM customer").fetchone()[0]
        migrations = src.execute("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").fetchone()
    finally:
        src.close()
    dst = sqlite3.connect(floor_db)
    dst.execute(f"PRAGMA page_size = {page_size}")
    dst.execute("PRAGMA journal_mode = WAL")
    for stmt in ddl:
        dst.execute(stmt)
    dst.commit()
    dst.close()
    script = os.path.join(workdir, "floor.sql")
    with open(script, "w", encoding="utf-8") as f:
        f.write("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;\n")
        f.write(f"ATTACH {json.dumps(crmsync_store)} AS src;\nBEGIN;\n")
        if migrations:
            f.write("INSERT INTO schema_migrations SELECT * FROM src.schema_migrations;\n")
        f.write("INSERT INTO run SELECT * FROM src.run;\n")
        for lo in range(0, max_customer, chunk):
            hi = lo + chunk
            f.write(f"INSERT INTO customer SELECT * FROM src.customer WHERE id > {lo} AND id <= {hi} ORDER BY id;\n")
            f.write(f"INSERT INTO source_record SELECT * FROM src.source_record WHERE customer_id > {lo} AND "
                    f"customer_id <= {hi} ORDER BY id;\n")
        # crmsync writes contact points in key order when the run commits; so does this.
        f.write("INSERT INTO contact_point SELECT * FROM src.contact_point ORDER BY kind, value_norm, customer_id;\n")
        f.write("COMMIT;\n")
    rc, secs, rss = run_child([sqlite3_cli, floor_db, f".read {script}"], os.path.join(workdir, "floor.log"), runner)
    remove_db(floor_db)
    return (secs, rss) if rc == 0 else None


def fmt_rate(rows, secs):
    return f"{rows / secs:,.0f} rows/s" if secs > 0 else "n/a"


def mib(kib):
    return kib / 1024.0


def version_of(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    a = parse_args()
    build = os.path.abspath(a.build)
    gen = os.path.abspath(a.gen) if a.gen else os.path.join(build, "bin", "crmsync-gen-contacts")
    crmsync = os.path.abspath(a.crmsync) if a.crmsync else os.path.join(build, "bin", "crmsync")
    sqlite3_cli = shutil.which(a.sqlite3) or a.sqlite3
    if a.runner == "none":
        runner = None
    elif a.runner:
        runner = os.path.abspath(a.runner)
    else:
        candidates = [os.path.join(os.path.dirname(gen), "crmsync-bench-run"),
                      os.path.join(build, "bin", "crmsync-bench-run")]
        runner = next((c for c in candidates if os.access(c, os.X_OK)), None)
    for what, path in (("generator", gen), ("crmsync", crmsync), ("sqlite3", sqlite3_cli)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            log(f"error: {what} not found or not executable: {path}")
            return 2
    if runner is not None and not os.access(runner, os.X_OK):
        log(f"error: runner not found or not executable: {runner}")
        return 2

    temp = a.workdir is None
    workdir = os.path.abspath(a.workdir) if a.workdir else tempfile.mkdtemp(prefix="crmsync-bench-load-")
    os.makedirs(workdir, exist_ok=True)
    csv_path = os.path.join(workdir, "contacts.csv")
    pipeline = os.path.join(workdir, "bench_load.yaml")
    store = os.path.join(workdir, "bench.db")
    plain_db = os.path.join(workdir, "sqlite3.db")

    figures = {"benchmark": "load_throughput", "rows": a.rows, "seed": a.seed, "repeat": a.repeat,
               "target_ratio": a.target_ratio, "workdir": workdir}
    try:
        log("== crmsync load throughput benchmark ==")
        env = {"cpu": cpu_model(), "cpus": os.cpu_count(), "python": platform.python_version(),
               "sqlite3": version_of([sqlite3_cli, "--version"]).split(" ")[0],
               "crmsync": version_of([crmsync, "--version"])}
        figures["env"] = env
        log(f"host:     {env['cpu']}, {env['cpus']} CPUs; sqlite3 {env['sqlite3']}; crmsync: {env['crmsync'] or '?'}")
        log(f"workdir:  {workdir}")
        floor = rss_floor(runner)
        figures["measurement"] = {"runner": runner or "python os.wait4", "rss_floor_kib": floor}
        log(f"measure:  {runner or 'forked from Python (peak RSS includes the driver: use crmsync-bench-run)'}; "
            f"peak RSS of /bin/true reads {mib(floor or 0):.1f} MiB")

        # 1. The input file.
        rc, gen_secs, _ = run_child([gen, "--rows", str(a.rows), "--seed", str(a.seed), "--out", csv_path,
                                     "--quiet"], os.path.join(workdir, "gen.log"), runner)
        if rc != 0:
            log(f"error: generator failed with status {rc}\n{tail(os.path.join(workdir, 'gen.log'))}")
            return 2
        size = os.path.getsize(csv_path)
        figures.update({"csv_bytes": size, "gen_seconds": round(gen_secs, 3)})
        log(f"input:    {csv_path}: {a.rows:,} rows, {size / 1e6:,.1f} MB, generated in {gen_secs:.2f} s")
        write_pipeline(pipeline, store, csv_path)
        log(f"pipeline: {pipeline}")
        # Read the file once so that neither tool's first run pays for a cold page cache.
        with open(csv_path, "rb") as f:
            while f.read(1 << 24):
                pass

        sqlite_cmd = [sqlite3_cli, "-cmd", ".mode csv", plain_db, f".import {csv_path} t"]
        crmsync_cmd = [crmsync, "run", pipeline, "--quiet"]
        if a.plugin_dir:
            crmsync_cmd += ["--plugin-dir", os.path.abspath(a.plugin_dir)]
        log(f"sqlite3:  {' '.join(sqlite_cmd[:2])} '{sqlite_cmd[2]}' {sqlite_cmd[3]} '{sqlite_cmd[4]}'")
        log(f"crmsync:  {' '.join(crmsync_cmd)}")
        log()

        # 2. Timed runs, alternating, each into a fresh database.
        runs = {"sqlite3": [], "crmsync": []}
        verify = {"sqlite3": None, "crmsync": None}
        failed = False
        for i in range(1, a.repeat + 1):
            for tool, argv, db in (("sqlite3", sqlite_cmd, plain_db), ("crmsync", crmsync_cmd, store)):
                remove_db(db)
                out = os.path.join(workdir, f"{tool}-{i}.log")
                rc, secs, rss = run_child(argv, out, runner, cwd=workdir)
                line = f"run {i}/{a.repeat} {tool:8s} {secs:8.3f} s  {fmt_rate(a.rows, secs):>20s}  peak RSS {mib(rss):8.1f} MiB"
                if rc != 0:
                    log(f"{line}  FAILED (exit status {rc}); output:\n{tail(out)}")
                    failed = True
                    break
                v = verify_sqlite3_db(db, a.rows) if tool == "sqlite3" else verify_crmsync_store(db, a.rows)
                verify[tool] = v
                runs[tool].append({"seconds": round(secs, 4), "peak_rss_kib": rss, "verified": v["ok"]})
                log(f"{line}  {'ok' if v['ok'] else 'NOT VERIFIED: ' + v.get('error', '?')}")
            if failed:
                break
        if failed:
            figures["error"] = "a run failed"
            return 2

        # 3. Figures.
        med = {t: statistics.median(r["seconds"] for r in runs[t]) for t in runs}
        rss = {t: max(r["peak_rss_kib"] for r in runs[t]) for t in runs}
        ratio = med["crmsync"] / med["sqlite3"] if med["sqlite3"] > 0 else float("inf")
        passed = ratio <= a.target_ratio
        vc = verify["crmsync"]
        verified = all(r["verified"] for t in runs for r in runs[t])

        log()
        log(f"{'':10s} {'median s':>10s} {'rows/s':>14s} {'MB/s':>8s} {'peak RSS MiB':>13s}   runs (s)")
        for t in ("sqlite3", "crmsync"):
            log(f"{t:10s} {med[t]:10.3f} {a.rows / med[t]:14,.0f} {size / 1e6 / med[t]:8.1f} {mib(rss[t]):13.1f}   "
                + " ".join(f"{r['seconds']:.3f}" for r in runs[t]))
        log()
        log(f"crmsync store: source_record={vc.get('source_record')} customer={vc.get('customer')} "
            f"quarantined={vc.get('quarantined')} (run table: read={vc.get('run_records_read')} "
            f"loaded={vc.get('run_records_loaded')} quarantined={vc.get('run_records_quarantined')}; "
            f"quarantine rows={vc.get('quarantine_rows')}) expected={vc.get('expected')}")
        log(f"sqlite3 table t: {verify['sqlite3'].get('rows')} rows")
        log(f"VERIFY: {'OK' if verified else 'FAIL (' + (vc.get('error') or verify['sqlite3'].get('error') or '?') + ')'}")
        log(f"ratio crmsync/sqlite3 = {ratio:.2f} (target <= {a.target_ratio:g})")
        floor = schema_floor(store, workdir, runner, sqlite3_cli) if verified else None
        if floor:
            log(f"schema floor: sqlite3 writing crmsync's own rows (same schema and indexes, INSERT ... SELECT from "
                f"the finished store) {floor[0]:.3f} s = {floor[0] / med['sqlite3']:.2f} x .import; crmsync = "
                f"{med['crmsync'] / floor[0]:.2f} x that floor")
            figures["schema_floor"] = {"seconds": round(floor[0], 4), "peak_rss_kib": floor[1],
                                       "ratio_to_import": round(floor[0] / med["sqlite3"], 3),
                                       "crmsync_over_floor": round(med["crmsync"] / floor[0], 3)}
        log(f"RESULT: {'PASS' if passed else 'FAIL'} ratio {ratio:.2f} {'<=' if passed else '>'} {a.target_ratio:g}; "
            f"crmsync {a.rows / med['crmsync']:,.0f} rows/s, peak RSS {mib(rss['crmsync']):.1f} MiB; "
            f"sqlite3 {a.rows / med['sqlite3']:,.0f} rows/s, peak RSS {mib(rss['sqlite3']):.1f} MiB")

        figures.update({
            "sqlite3": {"median_seconds": round(med["sqlite3"], 4), "rows_per_second": round(a.rows / med["sqlite3"]),
                        "peak_rss_kib": rss["sqlite3"], "runs": runs["sqlite3"]},
            "crmsync": {"median_seconds": round(med["crmsync"], 4), "rows_per_second": round(a.rows / med["crmsync"]),
                        "peak_rss_kib": rss["crmsync"], "runs": runs["crmsync"],
                        "store": {k: vc.get(k) for k in ("source_record", "customer", "quarantined", "expected",
                                                         "quarantine_rows", "run_records_read", "run_records_loaded",
                                                         "run_records_quarantined")}},
            "ratio": round(ratio, 3), "pass": passed, "verified": verified})
        return 0 if passed and verified else (1 if verified else 2)
    finally:
        line = json.dumps(figures, ensure_ascii=False, sort_keys=False)
        if a.json_out:
            with open(a.json_out, "w", encoding="utf-8") as f:
                f.write(line + "\n")
        if temp and not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif temp:
            log(f"kept {workdir}")
        print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
