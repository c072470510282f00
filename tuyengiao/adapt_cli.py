"""`tuyengiao adapt`: fine-tune the embedding model on the published store's own text
(knowledge/adaptation.py), into a new folder the operator then names in EMBEDDING_MODEL."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from knowledge.adaptation import AdaptationError, AdaptationOptions, adapt, training_pairs
from knowledge.store import StoreReader
from tuyengiao.settings import Settings

EXIT_CANNOT_ADAPT = 2


def add_adapt_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sp = sub.add_parser(
        "adapt",
        help="fine-tune the embedding model on the store's own headings and passages",
        description="Trains a copy of EMBEDDING_MODEL (default: the bundled all-MiniLM-L6-v2) "
                    "on (heading, passage) pairs of the published store and saves it in a new "
                    "folder. Then set EMBEDDING_MODEL to that folder and run `tuyengiao index` "
                    "(every passage is embedded again).",
    )
    sp.add_argument("--store", type=Path, help="store folder (default: STORE_DIR)")
    sp.add_argument("--out", type=Path,
                    help="new folder for the adapted model (default: "
                         "<store>/../models/adapted-<date-time>)")
    sp.add_argument("--epochs", type=int, default=AdaptationOptions.epochs)
    sp.add_argument("-v", "--verbose", action="store_true",
                    help="every log line and the libraries' progress bars on stderr")


def default_out(store: Path) -> Path:
    return store.parent / "models" / f"adapted-{time.strftime('%Y%m%d-%H%M%S')}"


def run_adapt(args: argparse.Namespace, settings: Settings, store: Path) -> int:
    """Exit 0 with the model saved; 2 when the store is missing or too small, or --out is in
    use; the reason on stderr."""
    from tuyengiao.commands import make_embedder

    if args.epochs < 1:
        print("--epochs must be at least 1", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    version = StoreReader(store).current()
    if version is None:
        print(f"no published store at {store}: run `tuyengiao index` first", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    pairs = training_pairs(version.chunks)
    out = args.out or default_out(store)
    embedder = make_embedder(settings)
    options = AdaptationOptions(epochs=args.epochs)
    print(f"{len(pairs)} heading/passage pairs from {len(version.chunks)} passages of "
          f"{version.name}; training {embedder.name} for {args.epochs} epoch(s)",
          file=sys.stderr)

    def progress(step: int, steps: int, loss: float) -> None:
        if step == steps or step % 10 == 0:
            print(f"  step {step}/{steps}  loss {loss:.3f}", file=sys.stderr, flush=True)

    try:
        report = adapt(embedder.model, pairs, out, base_name=embedder.name,
                       query_prefix=embedder.query_prefix,
                       passage_prefix=embedder.passage_prefix, options=options,
                       progress=progress)
    except AdaptationError as exc:
        print(f"cannot adapt: {exc}", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    print(f"adapted model saved to {out} ({report.steps} steps in {report.seconds:.0f} s, "
          f"loss {report.first_loss:.3f} -> {report.last_loss:.3f})")
    print(f"next: set EMBEDDING_MODEL={out} in .env, then run `tuyengiao index` "
          "(every passage is embedded again with the adapted model)")
    return 0
