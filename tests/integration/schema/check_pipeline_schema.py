#!/usr/bin/env python3
"""Checks that pipelines/pipeline.schema.json accepts every shipped pipeline and rejects broken ones.

Usage: check_pipeline_schema.py SOURCE_DIR. Prints one line per check and 'N passed, N failed'."""
import glob
import json
import os
import sys

import jsonschema
import yaml

root = sys.argv[1]
schema = json.load(open(os.path.join(root, "pipelines", "pipeline.schema.json"), encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail and not ok else ""))
    if ok:
        passed += 1
    else:
        failed += 1


shipped = sorted(glob.glob(os.path.join(root, "pipelines", "*.yaml")) +
                 glob.glob(os.path.join(root, "tests", "cases", "*", "pipeline.yaml")))
check("there are pipelines to check", len(shipped) > 0)
for path in shipped:
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    errors = [e.message for e in validator.iter_errors(doc)]
    check("accepts " + os.path.relpath(path, root), not errors, "; ".join(errors))

broken = {
    "unknown top-level key": {"name": "x", "sorces": [], "sources": [{"name": "a", "connector": "c"}]},
    "source without connector": {"name": "x", "sources": [{"name": "a"}]},
    "unknown stage type": {"name": "x", "sources": [{"name": "a", "connector": "c"}], "stages": [{"type": "mapp"}]},
    "unknown key in a map stage": {"name": "x", "sources": [{"name": "a", "connector": "c"}],
                                   "stages": [{"type": "map", "renam": {}}]},
    "unknown normalize operation": {"name": "x", "sources": [{"name": "a", "connector": "c"}],
                                    "stages": [{"type": "normalize", "fields": {"email": ["emial"]}}]},
    "unknown option of a normalize operation": {"name": "x", "sources": [{"name": "a", "connector": "c"}],
                                                "stages": [{"type": "normalize",
                                                            "fields": {"d": {"date": {"day_frist": True}}}}]},
    "normalize operation map with two names": {"name": "x", "sources": [{"name": "a", "connector": "c"}],
                                               "stages": [{"type": "normalize",
                                                           "fields": {"d": {"date": None, "trim": None}}}]},
    "version 2": {"version": 2, "name": "x", "sources": [{"name": "a", "connector": "c"}]},
}
for name, doc in broken.items():
    check("rejects " + name, not validator.is_valid(doc))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
