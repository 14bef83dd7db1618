#!/usr/bin/env python3
"""CDR benchmark: an Asterisk Master.csv of N rows (crmsync-gen-cdr: 21 columns, linkedid legs, Asia/Shanghai
local time) through the phone connector, at 250k, 500k and 1M rows (--sizes).

For each size, in fresh processes, measured with os.wait4 (wall time, ru_maxrss):

  parse: crmsync-bench-cdr-parse --file FILE      the connector alone: read, split, zone, group, build records
  full:  crmsync --quiet run PIPELINE --json      phone source -> normalize (phone, party_phone to E.164) ->
                                                  load into a fresh SQLite store (interactions linked to customers)

and checks the store: one interaction per call with an outside party, every one linked to its caller's customer,
one customer per outside number, nothing quarantined. Prints a table (rows/s, peak RSS per size: it must stay
flat as the file grows) and, as the last line, one JSON object with every figure.

Exit status: 0 figures measured and the store verified; 2 a run failed or the store did not verify.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

PIPELINE = """version: 1
name: cdr_bench
store: {db}
sources:
  - name: pbx
    connector: phone
    config:
      format: asterisk
      path: {cdr}
      columns: "21"
      timezone: Asia/Shanghai
      internal: ["_2XXX", "600"]
stages:
  - type: normalize
    default_region: CN
    fields:
      name: name
      phone: phone
      party_phone: phone
  - type: load
"""


def run_one(cmd, work):
    """Runs cmd; returns (wall s, peak RSS MiB of that process, stdout). Exits 2 when it fails."""
    out_path = os.path.join(work, "out.txt")
    err_path = os.path.join(work, "err.txt")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        with open(err_path, encoding="utf-8", errors="replace") as f:
            sys.stderr.write(f"{' '.join(cmd)} failed ({proc.returncode}):\n{f.read()[-4000:]}\n")
        sys.exit(2)
    with open(out_path, encoding="utf-8", errors="replace") as f:
        return wall, usage.ru_maxrss / 1024, f.read()


def scalar(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="./build", help="build directory with bin/crmsync (default ./build)")
    p.add_argument("--sizes", default="250000,500000,1000000", help="row counts (default 250000,500000,1000000)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workdir", help="where files and stores go (default: a new directory under /tmp)")
    p.add_argument("--keep", action="store_true", help="keep the temp workdir")
    p.add_argument("--skip-full", action="store_true", help="measure the parse path only")
    args = p.parse_args()

    bin_dir = os.path.join(os.path.abspath(args.build), "bin")
    gen = os.path.join(bin_dir, "crmsync-gen-cdr")
    parse = os.path.join(bin_dir, "crmsync-bench-cdr-parse")
    crmsync = os.path.join(bin_dir, "crmsync")
    work = args.workdir or tempfile.mkdtemp(prefix="crmsync-cdr-bench-", dir="/tmp")
    os.makedirs(work, exist_ok=True)
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            cdr = os.path.join(work, f"Master-{size}.csv")
            expected = json.loads(subprocess.run([gen, "--rows", str(size), "--seed", str(args.seed), "--out", cdr],
                                                 check=True, capture_output=True, text=True).stdout)
            os.sync()  # the file's writeback must not compete with the timed reads
            rows = expected["rows"]
            entry = {"rows": rows, "bytes": os.path.getsize(cdr), "calls": expected["calls"],
                     "expected_interactions": expected["interactions"]}
            wall, rss, out = run_one([parse, "--file", cdr], work)
            parsed = json.loads(out.strip().splitlines()[-1])
            entry.update({"parse_s": round(wall, 3), "parse_rows_per_s": round(rows / wall),
                          "parse_peak_rss_mb": round(rss, 1), "parse_interactions": parsed["interactions"]})
            if parsed["interactions"] != expected["interactions"] or parsed["rejected"] != 0:
                sys.stderr.write(f"parse path: {parsed} but expected {expected}\n")
                sys.exit(2)
            if not args.skip_full:
                db = os.path.join(work, f"cdr-{size}.db")
                for suffix in ("", "-wal", "-shm", "-journal"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                pipeline = os.path.join(work, f"cdr-{size}.yaml")
                with open(pipeline, "w", encoding="utf-8") as f:
                    f.write(PIPELINE.format(db=db, cdr=cdr))
                wall, rss, out = run_one([crmsync, "--quiet", "run", pipeline, "--json"], work)
                summary = json.loads(out)
                stages = {k: round(v, 2) for k, v in summary.get("stages", {}).items()}
                source_s = round(summary["sources"][0]["seconds"], 2)
                interactions = scalar(db, "SELECT count(*) FROM interaction")
                linked = scalar(db, "SELECT count(*) FROM interaction WHERE customer_id IS NOT NULL")
                customers = scalar(db, "SELECT count(*) FROM customer")
                quarantined = scalar(db, "SELECT count(*) FROM quarantine")
                entry.update({"full_s": round(wall, 3), "full_rows_per_s": round(rows / wall),
                              "source_s": source_s, "stage_s": stages,
                              "full_peak_rss_mb": round(rss, 1), "interactions": interactions, "linked": linked,
                              "customers": customers, "quarantined": quarantined})
                ok = (interactions == expected["interactions"] and linked == interactions and
                      customers == expected["outside_numbers"] and quarantined == 0)
                if not ok:
                    sys.stderr.write(f"store did not verify: {entry} against {expected}\n")
                    sys.exit(2)
            results.append(entry)
            print(json.dumps(entry), file=sys.stderr)
            os.remove(cdr)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    print(f"{'rows':>9} {'MB':>6} {'parse rows/s':>13} {'parse RSS':>10} {'full s':>7} {'full rows/s':>12} "
          f"{'full RSS':>9} {'interactions':>13} {'linked':>8}")
    for e in results:
        print(f"{e['rows']:>9} {e['bytes'] / 1e6:>6.0f} {e['parse_rows_per_s']:>13,} {e['parse_peak_rss_mb']:>8.1f}MB "
              f"{e.get('full_s', 0):>7.2f} {e.get('full_rows_per_s', 0):>12,} {e.get('full_peak_rss_mb', 0):>7.1f}MB "
              f"{e.get('interactions', 0):>13,} {e.get('linked', 0):>8,}")
    print(json.dumps({"benchmark": "cdr", "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
