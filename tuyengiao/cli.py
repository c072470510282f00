"""The `tuyengiao` command: index, search, ask, eval, run.

Settings are read once here and passed down as plain values. Output meant for other tools
(--json) goes to stdout; logs and progress bars go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Sequence

from tuyengiao import redaction
from tuyengiao.admin import add_admin_parser, run_admin
from tuyengiao.broadcast_cli import add_broadcast_parser, run_broadcast
from tuyengiao.poll_cli import add_poll_parser, run_poll
from tuyengiao.report_cli import add_report_parser, run_report
from tuyengiao.settings import Settings

logger = logging.getLogger("tuyengiao")

# Libraries that chat at INFO about loading weights and HTTP: keep them quiet. PTB's bots log
# every Bot API call with its parameters at DEBUG (chat ids = the members a poll went to, and
# message texts): never below INFO, even with LOG_LEVEL=DEBUG (anonymous polls).
LIBRARY_LOG_LEVELS: dict[str, int] = {
    **{name: logging.WARNING for name in ("sentence_transformers", "transformers", "httpx",
                                          "bm25s", "faiss")},
    "telegram.Bot": logging.INFO, "telegram.ext.ExtBot": logging.INFO,
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tuyengiao", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def store_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", type=Path, help="store folder (default: STORE_DIR)")

    sp = sub.add_parser("index", help="index files and folders into the store")
    sp.add_argument("paths", nargs="*", type=Path, help="files or folders (default: KNOWLEDGE_DIR)")
    store_arg(sp)
    sp.add_argument("--no-progress", action="store_true")
    sp.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                    help="if another run is indexing this store, wait this long for it "
                         "(default: refuse at once, exit code 75)")

    sp = sub.add_parser("search", help="search the store")
    sp.add_argument("query")
    store_arg(sp)
    sp.add_argument("-k", type=int, default=5)
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid")
    sp.add_argument("--type", dest="doc_type", help="document type, e.g. 'Chỉ thị'")
    sp.add_argument("--year", type=int)

    sp = sub.add_parser("ask", help="answer a question from the store, with citations")
    sp.add_argument("question")
    store_arg(sp)
    sp.add_argument("--json", action="store_true")

    sp = sub.add_parser("eval", help="index a JSONL corpus and measure retrieval on queries")
    sp.add_argument("--corpus", type=Path, required=True)
    sp.add_argument("--queries", type=Path, required=True)
    store_arg(sp)
    sp.add_argument("--out", type=Path, help="write each query's top-10 doc_ids as JSON")
    sp.add_argument("--mode", choices=["hybrid", "lexical", "dense", "all"], default="hybrid")

    sp = sub.add_parser("documents", help="list the documents of the published store and their metadata")
    store_arg(sp)
    sp.add_argument("--json", action="store_true")

    sp = sub.add_parser("lexicon", help="check lexicon files (abbreviations, everyday wording)")
    sp.add_argument("files", nargs="*", type=Path,
                    help="files to check (default: the bundled ones and LEXICON_FILES)")

    sp = sub.add_parser("run", help="start the assistant on every configured channel")
    store_arg(sp)
    add_admin_parser(sub)
    add_broadcast_parser(sub)
    add_poll_parser(sub)
    add_report_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name, level in LIBRARY_LOG_LEVELS.items():
        logging.getLogger(name).setLevel(level)
    install_redaction(settings)
    import faiss

    faiss.omp_set_num_threads(settings.faiss_threads)
    from tuyengiao import commands, serve

    store = getattr(args, "store", None) or settings.store_dir
    handlers = {
        "index": lambda: commands.index(
            settings, store, args.paths or [settings.knowledge_dir],
            progress=not args.no_progress, wait=args.wait,
        ),
        "search": lambda: commands.search(
            settings, store, args.query, k=args.k, as_json=args.json, mode=args.mode,
            doc_type=args.doc_type, year=args.year,
        ),
        "ask": lambda: commands.ask(settings, store, args.question, as_json=args.json),
        "eval": lambda: commands.evaluate(
            settings, args.store or settings.store_dir / "eval" / args.corpus.stem,
            args.corpus, args.queries, out=args.out, mode=args.mode,
        ),
        "documents": lambda: commands.documents(store, as_json=args.json),
        "lexicon": lambda: commands.lexicon(settings, args.files),
        "run": lambda: serve.run(settings, store),
        "admin": lambda: run_admin(args, settings),
        "broadcast": lambda: run_broadcast(args, settings),
        "poll": lambda: run_poll(args, settings),
        "report": lambda: run_report(args, settings),
    }
    try:
        return handlers[args.command]()
    except KeyboardInterrupt:
        return 130
    except Exception:  # through logging, so the traceback is redacted like every log line
        logger.critical("tuyengiao %s failed", args.command, exc_info=True)
        return 1


def install_redaction(settings: Settings) -> redaction.SecretRedactor:
    """Keep the bot tokens, webhook secrets and database password out of every log line."""
    from sqlalchemy.engine import make_url

    secrets = {
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
        "ZALO_BOT_TOKEN": settings.zalo_bot_token,
        "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
        "ZALO_WEBHOOK_SECRET": settings.zalo_webhook_secret,
        "DATABASE_PASSWORD": make_url(settings.database_url).password or "",
    }
    for name in ("TELEGRAM_WEBHOOK_SECRET",):
        if 0 < len(secrets[name]) < redaction.MIN_SECRET:
            logger.warning("%s is shorter than %d characters: too weak, and it cannot be kept "
                           "out of the logs; use a long random value", name, redaction.MIN_SECRET)
    return redaction.install(secrets)


if __name__ == "__main__":
    sys.exit(main())
