#!/usr/bin/env python3
"""What the generated CRM data allows: the recall and customer-count error a perfect matcher reaches with the
evidence the records hold, for the dedupe benchmark (crm_bench.py).

    python3 bench/dedupe/crm_bench.py --build build --records 100000
    python3 bench/dedupe/crm_ceiling.py /tmp/crmsync-crm-bench/100000 --records 100000

Reads the normalized records of a crm_bench run (source_record payloads, so e-mails, phones and names are
compared as the pipeline compares them) and truth.csv, and takes the first --records records (the benchmark's
incremental run appends 1% more). For each true customer it joins the records that share an identifier: an
e-mail, a phone number or a social handle. The pieces a customer then still falls into can only be joined by
weaker evidence, and each scenario below says which evidence it allows:

* identifiers: e-mail, phone, handle only;
* a name (Damerau-Levenshtein similarity of the Latin-letter name keys at least 0.8, one typo in five letters)
  together with the same company, address or postcode;
* the same, or a name that only one customer in the data holds (of the two spellings, the commoner counts);
* a name with the same city, company, address or postcode, or a name held by at most three customers;
* any name match, however many customers hold the name (no matcher can tell which 张伟 a bare 张伟 is);
* every piece (perfect).

The truth is used to score what each scenario allows, never to configure the pipeline.
"""
import argparse
import collections
import json
import sqlite3

IDENTIFIERS = ("email", "phone", "handle")
CONTEXT = ("company_key", "address", "postcode")


def similarity(a, b):
    """1 - Damerau-Levenshtein distance / longer length, as the engine's damerau_levenshtein comparator."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    d = [[0] * (lb + 1) for _ in range(la + 1)]
    for i in range(la + 1):
        d[i][0] = i
    for j in range(lb + 1):
        d[0][j] = j
    for i in range(1, la + 1):
        for j in range(1, lb + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return 1 - d[la][lb] / max(la, lb)


def pairs(n):
    return n * (n - 1) // 2


def load(workdir, limit):
    truth = {}
    with open(f"{workdir}/truth.csv", encoding="utf-8") as f:
        next(f)
        for i, line in enumerate(f):
            if i >= limit:
                break
            src, key, ent = line.rstrip("\n").split(",")
            truth[(src, key)] = int(ent)
    con = sqlite3.connect(f"{workdir}/crm.db")
    by_entity = collections.defaultdict(list)
    for src, key, payload in con.execute(
            "SELECT source, source_key, payload FROM source_record WHERE entity = 'customer'"):
        if (src, key) in truth:
            r = {k: v for k, v in json.loads(payload).items() if v not in (None, "")}
            by_entity[truth[(src, key)]].append(r)
    con.close()
    return by_entity


def pieces(records):
    """The customer's records joined by shared identifiers, largest piece first."""
    parent = list(range(len(records)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first = {}
    for i, r in enumerate(records):
        for f in IDENTIFIERS:
            if f in r:
                j = first.setdefault((f, r[f]), i)
                parent[find(i)] = find(j)
    groups = collections.defaultdict(list)
    for i, r in enumerate(records):
        groups[find(i)].append(r)
    return sorted(groups.values(), key=len, reverse=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workdir", help="a crm_bench size directory (truth.csv and crm.db)")
    ap.add_argument("--records", type=int, required=True, help="the size the benchmark ran, before its +1%%")
    args = ap.parse_args()
    by_entity = load(args.workdir, args.records)
    holders = collections.defaultdict(set)
    for e, records in by_entity.items():
        for r in records:
            if "name_latin" in r:
                holders[r["name_latin"]].add(e)
    scenarios = {
        "identifiers (e-mail, phone, handle)": lambda p: False,
        "+ name with company, address or postcode": lambda p: p["name"] and p["context"],
        "+ or a name one customer holds": lambda p: p["name"] and (p["context"] or p["holders"] == 1),
        "+ or name with city, or a name of at most 3 customers": lambda p: p["name"] and (
            p["context"] or p["city"] or p["holders"] <= 3),
        "+ any name match": lambda p: p["name"],
        "every piece (perfect)": lambda p: True,
    }
    joined = {k: 0 for k in scenarios}
    extra = {k: 0 for k in scenarios}
    kinds = collections.Counter()
    true_pairs = 0
    for e, records in by_entity.items():
        true_pairs += pairs(len(records))
        ps = pieces(records)
        main_piece, rest = ps[0], ps[1:]
        main_names = {r["name_latin"] for r in main_piece if "name_latin" in r}
        facts = []
        for p in rest:
            names = {r["name_latin"] for r in p if "name_latin" in r}
            similar = [(a, b) for a in names for b in main_names if similarity(a, b) >= 0.8]
            name = bool(similar)
            shared = {f for a in p for b in main_piece for f in CONTEXT + ("city",) if f in a and a.get(f) == b.get(f)}
            facts.append({"name": name, "context": bool(shared - {"city"}), "city": "city" in shared,
                          # a typo's spelling may be unique; the name it is a typo of is the evidence
                          "holders": min((max(len(holders[a]), len(holders[b])) for a, b in similar), default=0)})
            kind = ("no name" if not names else "name differs" if not name else
                    "name with company/address/postcode" if shared - {"city"} else
                    "name with city" if shared else "name only")
            if kind == "name only":
                n = facts[-1]["holders"]
                kind += " (held by " + ("1 customer)" if n == 1 else "2-3 customers)" if n <= 3 else
                                        "4-10 customers)" if n <= 10 else "more than 10 customers)")
            kinds[kind] += 1
        for k, allowed in scenarios.items():
            size, apart = len(main_piece), []
            for p, f in zip(rest, facts):
                if allowed(f):
                    size += len(p)
                else:
                    apart.append(len(p))
            joined[k] += pairs(size) + sum(pairs(n) for n in apart)
            extra[k] += len(apart)
    customers = len(by_entity)
    records = sum(len(v) for v in by_entity.values())
    print(f"{records} records of {customers} customers, {true_pairs} true pairs; "
          f"{sum(kinds.values())} pieces no identifier joins to the customer's largest piece:")
    for k, v in kinds.most_common():
        print(f"  {v:8d}  {k}")
    result = {"records": records, "customers": customers, "true_pairs": true_pairs, "pieces": dict(kinds),
              "scenarios": {}}
    for k in scenarios:
        recall = joined[k] / true_pairs
        f1 = 2 * recall / (1 + recall)
        print(f"{k:58s} recall {recall:.4f}  F1 at precision 1 {f1:.4f}  count error {100 * extra[k] / customers:.2f}%")
        result["scenarios"][k] = {"recall": recall, "f1": f1, "count_error": extra[k] / customers}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
