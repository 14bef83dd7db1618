#!/usr/bin/env python3
"""Dedupe benchmark on generated multi-source CRM data with ground truth (crmsync-gen-crm).

For each size: generates the five sources, runs the real pipeline (spreadsheet sources, map, normalize, load,
dedupe) into a fresh SQLite file with `crmsync run`, and scores the golden records against the truth: pairwise
precision, recall and F1, the error of the customer count, the recall of blocking, wall time and peak RSS. Then
the incremental run: 1% more records appended to every file (the generator keeps the earlier rows
byte-identical), the same pipeline run again on the same database, its time against the full run's.

    python3 bench/dedupe/crm_bench.py --build build                      # 100k and 1M records
    python3 bench/dedupe/crm_bench.py --build build --records 100000     # one size

Thresholds and levels are chosen from what they mean, never fitted to the truth (see bench/README.md).
Prints figures as it goes and, as its last line, one JSON object with all of them.
"""
import argparse
import collections
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

SOURCES = ["contacts", "erp_customers", "email_senders", "phone_callers", "social_accounts"]

PIPELINE = """version: 1
name: crm_bench
store: {db}
sources:
{sources}
stages:
  - type: map
    sources: [contacts]
    rename: {{mobile: phone}}
    template: {{name: "{{family_name}}, {{given_name}}"}}
  - type: normalize
    default_region: CN
    region_field: country
    fields:
      name: name
      email: email
      phone: phone
      company: company
      handle: [trim, lower]
      postcode: [trim, nfkc]
  - type: load
  - type: dedupe
    comparisons:
      - {{field: name_latin, name: name, comparator: damerau_levenshtein, levels: [1.0, 0.8]}}
      - {{field: email, comparator: exact}}
      - {{field: phone, comparator: exact}}
      - {{field: handle, comparator: exact}}
      - {{field: postcode, comparator: exact}}
      - {{field: company_key, name: company, comparator: jaro_winkler, levels: [1.0, 0.9]}}
    blocking:
      max_block_size: 20
      keys:
        - {{name: email, fields: [email]}}
        - {{name: phone, fields: [phone]}}
        - {{name: handle, fields: [handle]}}
        - {{name: postcode, fields: [postcode]}}
        - {{name: name, fields: [{{field: name_latin, transform: sorted_tokens}}]}}
        - {{name: name_company, fields: [{{field: name_dm, transform: each_token}}, company_key]}}
    model:
      type: fellegi_sunter
      threshold: {{probability: 0.95}}
      term_frequency: [name, phone]
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed_run(crmsync, pipeline):
    """Runs the pipeline; returns (wall seconds, peak RSS MiB, run summary JSON)."""
    time_bin = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    cmd = [crmsync, "run", pipeline, "--json", "-q"]
    t = time.perf_counter()
    if time_bin:
        p = subprocess.run([time_bin, "-v", *cmd], capture_output=True, text=True)
    else:
        p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"crmsync run failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    rss = None
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.split(":")[1]) / 1024
    return wall, rss, json.loads(p.stdout)


def pairs(n):
    return n * (n - 1) // 2


def evaluate(db, truth_csv, cap):
    truth = {}
    with open(truth_csv, encoding="utf-8") as f:
        next(f)
        for line in f:
            src, key, ent = line.rstrip("\n").split(",")
            truth[(src, key)] = int(ent)
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT sr.source, sr.source_key, COALESCE(c.merged_into, c.id), c.id FROM source_record sr "
        "JOIN customer c ON c.id = sr.customer_id WHERE sr.entity = 'customer'").fetchall()
    golden = collections.Counter()
    entity = collections.Counter()
    both = collections.Counter()
    entity_of_customer = {}
    for src, key, g, cid in rows:
        e = truth[(src, key)]
        golden[g] += 1
        entity[e] += 1
        both[(g, e)] += 1
        entity_of_customer[cid] = e
    predicted = sum(pairs(n) for n in golden.values())
    true_pairs = sum(pairs(n) for n in entity.values())
    tp = sum(pairs(n) for n in both.values())
    precision = tp / predicted if predicted else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # Blocking recall: true pairs that share a key value held by at most `cap` records.
    blocks = collections.defaultdict(list)
    for name, value, cid in con.execute("SELECT key_name, key_value, customer_id FROM match_key"):
        blocks[(name, value)].append(cid)
    found = set()
    for ids in blocks.values():
        if cap and len(ids) > cap:
            continue
        by_entity = collections.defaultdict(list)
        for cid in ids:
            by_entity[entity_of_customer[cid]].append(cid)
        for members in by_entity.values():
            members.sort()
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    found.add((members[i], members[j]))
    con.close()
    return {
        "records": len(rows), "true_customers": len(entity), "golden_records": len(golden),
        "count_error": abs(len(golden) - len(entity)) / len(entity),
        "true_pairs": true_pairs, "predicted_pairs": predicted, "true_positives": tp,
        "precision": precision, "recall": recall, "f1": f1,
        "blocking_recall": len(found) / true_pairs if true_pairs else 1.0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--increment", type=float, default=0.01, help="share of records the incremental run adds")
    ap.add_argument("--workdir", default="/tmp/crmsync-crm-bench")
    args = ap.parse_args()
    crmsync = os.path.abspath(os.path.join(args.build, "bin", "crmsync"))
    gen = os.path.abspath(os.path.join(args.build, "bin", "crmsync-gen-crm"))
    results = []
    for n in args.records:
        d = os.path.join(args.workdir, str(n))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        run([gen, "--records", str(n), "--seed", str(args.seed), "--out", d])
        db = os.path.join(d, "crm.db")
        sources = "".join(f"  - {{name: {s}, connector: spreadsheet, config: {{path: {s}.csv, key: [id]}}}}\n"
                          for s in SOURCES)
        pipeline = os.path.join(d, "pipeline.yaml")
        with open(pipeline, "w", encoding="utf-8") as f:
            f.write(PIPELINE.format(db=db, sources=sources))
        wall, rss, summary = timed_run(crmsync, pipeline)
        figures = evaluate(db, os.path.join(d, "truth.csv"), 20)
        dedupe = summary.get("stage_figures", {}).get("dedupe", {})
        r = {"records": n, "wall_seconds": wall, "peak_rss_mib": rss, "stage_seconds": summary["stages"],
             "dedupe": dedupe, **figures}
        print(f"{n:>9} records: F1 {figures['f1']:.4f} (P {figures['precision']:.4f}, R {figures['recall']:.4f}), "
              f"blocking recall {figures['blocking_recall']:.4f}, {figures['golden_records']} golden records for "
              f"{figures['true_customers']} customers (count error {100 * figures['count_error']:.2f}%), "
              f"{wall:.1f} s wall (dedupe {summary['stages'].get('dedupe', 0):.1f} s), peak RSS {rss or 0:.0f} MiB",
              flush=True)
        # Incremental: append args.increment more records to every file and run again on the same database.
        grown = int(n * (1 + args.increment))
        run([gen, "--records", str(grown), "--seed", str(args.seed), "--out", d])
        inc_wall, inc_rss, inc_summary = timed_run(crmsync, pipeline)
        inc_figures = evaluate(db, os.path.join(d, "truth.csv"), 20)
        inc_dedupe = inc_summary.get("stage_figures", {}).get("dedupe", {})
        r["incremental"] = {"records_added": grown - n, "wall_seconds": inc_wall, "peak_rss_mib": inc_rss,
                            "ratio_to_full": inc_wall / wall, "stage_seconds": inc_summary["stages"],
                            "dedupe": inc_dedupe, "f1": inc_figures["f1"],
                            "count_error": inc_figures["count_error"]}
        print(f"{'':>9} +{grown - n} records incremental: {inc_wall:.2f} s wall = {100 * inc_wall / wall:.1f}% of the "
              f"full run (dedupe {inc_summary['stages'].get('dedupe', 0):.2f} s, "
              f"{inc_dedupe.get('affected', '?')} records re-clustered), F1 after {inc_figures['f1']:.4f}", flush=True)
        results.append(r)
    print(json.dumps({"benchmark": "crm_dedupe", "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
