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

from knowledge.embedder import ModelNotFound
from tuyengiao import logs, redaction
from tuyengiao.adapt_cli import add_adapt_parser, run_adapt
from tuyengiao.admin import add_admin_parser, run_admin
from tuyengiao.broadcast_cli import add_broadcast_parser, run_broadcast
from tuyengiao.poll_cli import add_poll_parser, run_poll
from tuyengiao.logs import LIBRARY_LOG_LEVELS
from tuyengiao.study_cli import add_study_parser, run_study
from tuyengiao.report_cli import add_report_parser, run_report
from tuyengiao.settings import Settings

logger = logging.getLogger("tuyengiao")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tuyengiao", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def store_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", type=Path, help="store folder (default: STORE_DIR)")
        sp.add_argument("-v", "--verbose", action="store_true",
                        help="every log line and the libraries' progress bars on stderr")

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

    add_adapt_parser(sub)

    sp = sub.add_parser("run", help="start the assistant on every configured channel")
    store_arg(sp)
    sp.add_argument("--check", action="store_true",
                    help="check tokens, store, model and database, one line per problem; "
                         "start nothing")

    sp = sub.add_parser("init", help="first set-up: the root unit and an officer invite")
    sp.add_argument("--unit", help="the root unit's name (asked when missing)")
    sp.add_argument("--kind", choices=["tinh", "huyen", "xa", "chibo"],
                    help="the root unit's level (asked when missing)")
    sp.add_argument("--invite-days", type=int, default=None,
                    help="the officer invite's validity in days (default: INVITE_DAYS)")
    add_admin_parser(sub)
    add_broadcast_parser(sub)
    add_poll_parser(sub)
    add_study_parser(sub)
    add_report_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    terminal_chat = (args.command == "run" and not getattr(args, "check", False)
                     and not (settings.telegram_bot_token or settings.zalo_bot_token))
    log_file = logs.configure(settings.log_level, command=args.command,
                              terminal_chat=terminal_chat, log_file=settings.log_file,
                              verbose=getattr(args, "verbose", False))
    install_redaction(settings)
    import faiss

    faiss.omp_set_num_threads(settings.faiss_threads)
    from tuyengiao import check, commands, first_run, serve

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
        "adapt": lambda: run_adapt(args, settings, store),
        "run": lambda: (check.run_check(settings, store) if args.check
                        else serve.run(settings, store, log_file=log_file)),
        "init": lambda: first_run.init(settings, unit=args.unit, kind=args.kind,
                                       invite_days=args.invite_days),
        "admin": lambda: run_admin(args, settings),
        "broadcast": lambda: run_broadcast(args, settings),
        "poll": lambda: run_poll(args, settings),
        "study": lambda: run_study(args, settings),
        "report": lambda: run_report(args, settings),
    }
    try:
        return handlers[args.command]()
    except KeyboardInterrupt:
        return 130
    except ModelNotFound as exc:  # a setting, not a fault: one line, no traceback
        print(f"tuyengiao {args.command}: {exc}", file=sys.stderr)
        return 2
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
