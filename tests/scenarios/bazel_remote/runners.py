#!/usr/bin/env python3
"""What ran where, from a Bazel execution log (`--execution_log_json_file`):
one line per action, `RUNNER: PROGRESS MESSAGE`, sorted; with `--count`,
how many actions of each kind (the message's first two words) each
runner ran.

usage: runners.py [--count] EXECUTION_LOG.json
"""
import collections
import json
import sys


def spawns(path):
    """The log's records: concatenated JSON objects."""
    text = open(path).read()
    decoder, at = json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        record, at = decoder.raw_decode(text, at)
        yield record


def main():
    count = sys.argv[1] == "--count"
    records = list(spawns(sys.argv[-1]))
    if count:
        kinds = collections.Counter((" ".join(r["progressMessage"].split()[:2]), r["runner"]) for r in records)
        for (kind, runner), n in sorted(kinds.items()):
            print(f"{n} {kind}: {runner}")
    else:
        for line in sorted(f"{r['runner']}: {r['progressMessage']}" for r in records):
            print(line)


if __name__ == "__main__":
    main()
