"""`tuyengiao adapt`: fine-tune the embedding model on the published store's own text
(knowledge/adaptation.py), into a new folder the operator then names in EMBEDDING_MODEL."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from knowledge.adaptation import (
    AdaptationError,
    AdaptationOptions,
    adapt,
    check_enough,
    claim_folder,
    release_folder,
    training_pairs,
)
from knowledge.store import StoreError, StoreReader
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
                         "<store>/models/adapted-<date-time>)")
    sp.add_argument("--epochs", type=int, default=AdaptationOptions.epochs)
    sp.add_argument("-v", "--verbose", action="store_true",
                    help="every log line and the libraries' progress bars on stderr")


def default_out(store: Path) -> Path:
    """<store>/models/adapted-<date-time>: the model travels with the store folder, as its
    exported query encoder does (<store>/encoders)."""
    return store / "models" / f"adapted-{time.strftime('%Y%m%d-%H%M%S')}"


FEW_PAIRS = 300  # below this an adapted model rarely searches better (measured: 2,410 pairs)


def _claim(out: Path | None, store: Path) -> Path:
    """Claim --out, or the first free default name (two runs in the same second get -2, -3…)."""
    if out is not None:
        claim_folder(out)
        return out
    base = default_out(store)
    for attempt in range(1, 100):
        candidate = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        if candidate.exists():
            continue
        try:
            claim_folder(candidate)
        except AdaptationError:
            continue  # another run took it a moment ago
        return candidate
    raise AdaptationError(f"no free folder name under {base.parent}")


def run_adapt(args: argparse.Namespace, settings: Settings, store: Path) -> int:
    """Exit 0 with the model saved; 2 when the store is missing or too small, or --out is in
    use; the reason on stderr. Every check that needs no model runs before it is loaded."""
    from tuyengiao.commands import make_embedder

    if args.epochs < 1:
        print("--epochs must be at least 1", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    try:
        version = StoreReader(store).current() if store.is_dir() else None
    except StoreError as exc:
        print(f"store {store} cannot be read: {exc}", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    if version is None:
        print(f"no published store at {store}: run `tuyengiao index` first", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    pairs = training_pairs(version.chunks)
    options = AdaptationOptions(epochs=args.epochs)
    try:
        check_enough(len(pairs), options)
        out = _claim(args.out, store)
    except AdaptationError as exc:
        print(f"cannot adapt: {exc}", file=sys.stderr)
        return EXIT_CANNOT_ADAPT
    try:
        embedder = make_embedder(settings)
    except BaseException:
        release_folder(out)
        raise
    print(f"{len(pairs)} heading/passage pairs from {len(version.chunks)} passages of "
          f"{version.name}; training {embedder.name} for {args.epochs} epoch(s) into {out}",
          file=sys.stderr)
    if len(pairs) < FEW_PAIRS:
        print(f"note: {len(pairs)} pairs is few (the figures in docs/developers.md came from "
              "2,410): compare `tuyengiao search` before and after switching", file=sys.stderr)

    def progress(step: int, steps: int, loss: float) -> None:
        if step == steps or step % 10 == 0:
            print(f"  step {step}/{steps}  loss {loss:.3f}", file=sys.stderr, flush=True)

    report = adapt(embedder.model, pairs, out, base_name=embedder.name,
                   query_prefix=embedder.query_prefix, passage_prefix=embedder.passage_prefix,
                   options=options, progress=progress, claimed=True,
                   record={"store": str(store.resolve()), "store_version": version.name})
    print(f"adapted model saved to {out} ({report.steps} steps in {report.seconds:.0f} s; mean "
          f"loss of the first and last tenth of the steps {report.first_loss:.3f} -> "
          f"{report.last_loss:.3f})")
    print(f"next: set EMBEDDING_MODEL={out.resolve()} in .env, then index this store again with "
          f"the paths it was built from: `tuyengiao index PATH... --store {store}` (an eval "
          f"store: `tuyengiao eval ... --store {store}`); every passage is embedded again")
    return 0
