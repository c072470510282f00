"""Metadata accuracy on real documents: what `tuyengiao documents --json` says about each file
against `expected_meta.jsonl` (number, type, date, issuer, title), with every mismatch.

By default the folder (../shared/realdocs) is indexed into a temporary store with the
deterministic hashing embedder: metadata does not depend on the model, and this takes
seconds instead of minutes. `--store DIR` reads an existing store instead (one built with
`tuyengiao index`), `--rows FILE` the saved output of `tuyengiao documents --json`.

    .venv/bin/python bench/metadata_accuracy.py [--folder ../shared/realdocs] [--store DIR | --rows FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _corpus import REPO

from indexer.build import build_store
from indexer.metadata_eval import CORE_FIELDS, FIELDS, compare, load_expected
from knowledge.catalog import catalog_rows
from knowledge.embedder import HashingEmbedder
from knowledge.store import load_current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=REPO.parent / "shared" / "realdocs")
    parser.add_argument("--expected", type=Path, help="default: FOLDER/expected_meta.jsonl")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--store", type=Path, help="read this store instead of indexing FOLDER")
    source.add_argument("--rows", type=Path, help="read saved `tuyengiao documents --json` output")
    args = parser.parse_args()
    expected = load_expected(args.expected or args.folder / "expected_meta.jsonl")

    skipped: list[tuple[str, str]] = []
    if args.rows:
        rows = json.loads(args.rows.read_text(encoding="utf-8"))
    elif args.store:
        version = load_current(args.store)
        if version is None:
            raise SystemExit(f"no store at {args.store}")
        rows = catalog_rows(version)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = build_store([args.folder], Path(tmp) / "store", HashingEmbedder())
            skipped = report.skipped
            version = load_current(Path(tmp) / "store")
            assert version is not None
            rows = catalog_rows(version)

    result = compare(rows, expected)
    print(f"{result.total} documents expected, {result.total - len(result.absent)} in the store")
    for name in FIELDS:
        print(f"  {name:7s} {result.matched[name]:3d} / {result.total}")
    print(f"  {'+'.join(CORE_FIELDS)} all right: {result.all_core} / {result.total} "
          f"({100 * result.core_share:.0f}%)")
    if result.mismatches:
        print("mismatches (file, field: got | expected, alternatives):")
        for file, name, got, want in result.mismatches:
            print(f"  {file} — {name}: {got!r} | {want!r}")
    reasons = {Path(path).name: why for path, why in skipped}
    for file in result.absent:
        print(f"not in the store: {file} ({reasons.get(file, 'not indexed')})")


if __name__ == "__main__":
    main()
