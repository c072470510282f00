"""Settings, read once in the entry point (environment and `.env`) and passed down as values."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    store_dir: Path = Path("data/store")
    knowledge_dir: Path = Path("knowledge/samples/documents")
    database_url: str = "sqlite:///data/tuyengiao.db"
    # SQLite's durability (WAL mode): NORMAL survives a crash of the process, FULL also a
    # power cut, at about twice the cost of each commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    # Best-effort writes (question log, last-seen times): the longest wait for the database,
    # and how long they are skipped after one failed (bot/storage/faults.py).
    db_best_effort_wait_seconds: float = Field(2.0, gt=0, le=60)
    db_fault_retry_seconds: float = Field(30.0, ge=0)
    log_level: str = "INFO"
    # The terminal chat (`tuyengiao run` with no platform token) writes its log lines here,
    # not between the messages (rotated at 5 MB, 5 kept); services log to stderr.
    log_file: Path = Path("data/logs/tuyengiao.log")
    # Where `tuyengiao admin backup` writes when no --to is given.
    backup_dir: Path = Path("data/backups")

    # --- reading documents (indexer) ---
    # "auto": PDF pages with no usable text layer (scans) are OCR'd with Tesseract when it and
    # its language data are installed (`make` installs them); "off": never (those pages are
    # reported as not read).
    ocr: Literal["auto", "off"] = "auto"
    ocr_languages: str = Field("vie", pattern=r"^[a-z_]+(\+[a-z_]+)*$")  # Tesseract codes
    ocr_dpi: int = Field(300, ge=72, le=600)  # page rendering for OCR; 300 is Tesseract's advice
    # A PDF with more pages is skipped with a reason: bounds time and memory per file.
    max_pages: int = Field(2000, ge=1)
    # Indexing reads files on this many threads while the model embeds the chunks of the files
    # before them (each thread runs its own Tesseract or LibreOffice when a file needs one);
    # 0 reads one file at a time in the indexing thread (indexer/pipeline.py).
    index_workers: int = Field(2, ge=0, le=64)
    # Chunk texts sorted by length together before embedding (less padding in a batch); 0
    # embeds only once every file is read, all sorted at once (the old sequential build).
    index_embed_window: int = Field(512, ge=0)

    embedding_model: str = ""  # empty: the bundled offline all-MiniLM-L6-v2
    embedding_query_prefix: str | None = None
    embedding_passage_prefix: str | None = None
    embedding_batch_size: int = Field(32, ge=1)
    embedding_device: str = "cpu"
    embedding_max_tokens: int | None = Field(None, ge=16)

    search_weight_lexical: float = Field(1.0, ge=0)
    # FAISS threads for a query: one query's scan is too small to share out, and on a
    # 2-core machine OpenMP threads fight the query encoder (measured: 3x slower with 2).
    faiss_threads: int = Field(1, ge=1)
    search_weight_dense: float = Field(0.2, ge=0)
    # Query expansion from the lexicon (knowledge/lexicon/*.tsv plus LEXICON_FILES): weight of
    # each alternative phrase's BM25 score against the question's own words (0: off).
    # Measured on held-out everyday questions and the ALQAC dev set (docs/developers.md).
    search_weight_abbreviations: float = Field(1.0, ge=0)
    search_weight_wording: float = Field(0.5, ge=0)
    # Officers' own lexicon files, comma-separated paths, read after the bundled ones; each
    # file's header row says whether it holds abbreviations or wording (docs/officers.md).
    lexicon_files: str = ""
    # The dense index of a new store version (knowledge/vector_index.py; docs/developers.md "Vector
    # index" has the measurements): "auto" = exact flat scan below VECTOR_INDEX_ANN_FROM
    # chunks, an inverted file (IVF) from there; "flat", "ivf" or "hnsw" force one.
    # IVF_NPROBE: lists scanned per query (0: one list in eight; recall against speed).
    # HNSW_M: graph neighbours per vector (memory ≈ 8·M bytes a vector);
    # HNSW_EF_CONSTRUCTION: build effort; HNSW_EF_SEARCH: candidates explored per query
    # (never below the 200 dense candidates a search asks for). Changing VECTOR_INDEX*,
    # HNSW_M or HNSW_EF_CONSTRUCTION republishes the store on the next `tuyengiao index`;
    # IVF_NPROBE and HNSW_EF_SEARCH apply when a version is loaded.
    vector_index: Literal["auto", "flat", "ivf", "hnsw"] = "auto"
    vector_index_ann_from: int = Field(50_000, ge=0)
    ivf_nprobe: int = Field(0, ge=0)
    hnsw_m: int = Field(32, ge=4, le=128)
    hnsw_ef_construction: int = Field(40, ge=8)
    hnsw_ef_search: int = Field(256, ge=8)
    answer_min_coverage: float = Field(0.55, ge=0, le=1)
    answer_max_passages: int = Field(3, ge=1, le=10)
    # Follow-ups ("còn gì nữa?", "nói rõ hơn", "còn chỉ thị 12 thì sao?") continue a person's
    # previous question in the same chat for this many minutes (bot/ask/followups.py).
    followup_minutes: float = Field(10.0, gt=0, le=1440)
    # Officers' official answers (/traloi, bot/ask/official.py) are written here as JSONL
    # and indexed with the documents (`tuyengiao index` always adds this file).
    official_answers_file: Path = Path("data/hoi-dap-chinh-thuc.jsonl")
    # An official answer reaches those who asked a similar unanswered question this many
    # days back.
    official_answer_days: int = Field(90, ge=1, le=3650)
    # Run the official answers' worker inside `tuyengiao run`: it sends the notices to those
    # who asked and retries joining answers to the store (off: another `tuyengiao run`
    # against the same database, with it on, does both).
    official_answer_worker: bool = True

    # Who is an admin: comma-separated "platform:user_id" (or a bare id for any platform).
    admin_ids: str = ""

    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""  # empty: long polling
    telegram_webhook_secret: str = ""
    webhook_listen_host: str = "0.0.0.0"
    webhook_listen_port: int = Field(8443, ge=1, le=65535)
    # Updates handled at once: enough for concurrent questions to share a query-embedding
    # call. Measured on 2 cores (bench/qa_load.py, no query cache): 16 answered 38 questions/s
    # in a burst, 8 answered 28; far more only queues inside the process.
    telegram_concurrent_updates: int = Field(16, ge=1)
    zalo_bot_token: str = ""
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_url: str = ""  # empty: long polling
    zalo_webhook_secret: str = ""
    # Its own port: Telegram's webhook server may listen on WEBHOOK_LISTEN_PORT at the same time.
    zalo_webhook_listen_port: int = Field(8444, ge=0, le=65535)
    zalo_concurrent_updates: int = Field(16, ge=1)
    # The platform publishes no rate limit: messages per second the client sends at most.
    zalo_sends_per_second: float = Field(30.0, ge=0)
    zalo_poll_timeout: int = Field(30, ge=1, le=60)
    # Serving: concurrent questions share one query-embedding call (at most this many
    # texts), and this many recent query embeddings are kept (0: no cache). See
    # knowledge/query_batching.py and bench/qa_load.py for what each does.
    query_batch_max: int = Field(32, ge=1)
    # Serving: where query embeddings run. "onnx": the model exported once (by `tuyengiao
    # index`, or by a child process at start) and run on ONNX Runtime with numpy pooling, so
    # a serving process never loads PyTorch (same vectors, ~1.8x faster per query, ~600 MB
    # less memory); a model that cannot be exported falls back to PyTorch with a warning.
    # "torch": PyTorch (sentence-transformers) in the serving process.
    embedding_query_backend: Literal["onnx", "torch"] = "onnx"
    # Where exported encoders are kept, one folder per model name and version (a content
    # hash of the model's files). Empty: `<STORE_DIR>/encoders`.
    encoder_cache_dir: Path | None = None
    query_cache_size: int = Field(2048, ge=0)
    # Threads of the query encoder while serving (ONNX Runtime, or PyTorch in the fallback):
    # one query at a time per thread beats two threads fighting over 2 cores between
    # concurrent questions (indexing keeps torch's default).
    serve_torch_threads: int = Field(1, ge=0)
    # Threads for the core's blocking work (database, search) while serving. Questions wait
    # in them for a shared query-embedding call, so there must be enough for batches to form
    # (Python's default is CPUs + 4).
    worker_threads: int = Field(16, ge=1)

    # --- update inbox and stopping (bot/inbox, bot/channels/intake.py) ---
    # Updates kept and not yet answered, per platform (every process on the database
    # together); beyond it a webhook answers 503 with Retry-After (the platform retries) and
    # polling stops fetching for a while.
    inbox_max_backlog: int = Field(1000, ge=1)
    # Answered updates' keys are kept this long to drop a redelivery (Telegram keeps an update
    # for 24 h; it restarts update ids at random after a week without updates: under 7 days).
    inbox_retention_hours: float = Field(48.0, gt=0, le=144)
    # A process that dies holding updates (and their chats): its next start takes them back at
    # once; another process (several on one PostgreSQL) after this lease.
    inbox_lease_seconds: float = Field(60.0, ge=5)
    # This process's name in the inbox, added to host, platform and webhook port: needed only
    # when several processes poll (no webhook) from one host; keep it across restarts.
    instance_name: str = Field("", max_length=32, pattern=r"^[A-Za-z0-9_.-]*$")
    # At a stop, replies in flight get this long, then are cancelled (kept in the inbox for the
    # next start); the whole stop finishes within 10 s whatever the platforms do.
    shutdown_grace_seconds: float = Field(5.0, ge=0, le=8)

    # --- codes: unit invites and account links (bot/services/invites, linking, code_guard) ---
    invite_days: int = Field(7, ge=1, le=365)  # /taoma codes are valid this many days
    # Uses of a member invite unless the officer gives a count (officer invites: one use).
    invite_member_uses: int = Field(50, ge=1, le=1000)
    # Wrong codes (/dangky, /lienket <mã>) a person, or a chat, may type within the window
    # before redeeming any code is locked for CODE_LOCKOUT_MINUTES (kept in the database).
    code_max_failures_per_person: int = Field(5, ge=1)
    code_max_failures_per_chat: int = Field(20, ge=1)
    code_failure_window_minutes: float = Field(15.0, gt=0)
    code_lockout_minutes: float = Field(60.0, gt=0)

    # --- guidance broadcasts (bot/broadcast) ---
    # Run the delivery worker inside `tuyengiao run` (off: run `tuyengiao broadcast work`
    # processes instead, e.g. several against PostgreSQL).
    broadcast_worker: bool = True
    broadcast_concurrency: int = Field(16, ge=1)  # sends in flight per platform and process
    broadcast_lease_seconds: float = Field(60.0, gt=0)  # a dead worker's rows come back after
    broadcast_poll_seconds: float = Field(1.0, gt=0)
    broadcast_progress_seconds: float = Field(3.0, gt=0)  # officer's progress message edits
    # Platforms that cannot edit a message (Zalo): a new progress message this often.
    broadcast_progress_no_edit_seconds: float = Field(60.0, gt=0)
    broadcast_max_attempts: int = Field(8, ge=1)
    broadcast_retry_base_seconds: float = Field(2.0, gt=0)  # doubled per failed attempt
    # The overall rate is shared by the live worker processes (heartbeats in the database).
    telegram_rate_per_second: float = Field(30.0, gt=0)
    telegram_rate_per_chat_per_second: float = Field(1.0, ge=0)
    telegram_rate_per_group_per_minute: float = Field(20.0, ge=0)
    # Zalo publishes no limits: conservative defaults (used by the Zalo transport).
    zalo_rate_per_second: float = Field(10.0, gt=0)
    zalo_rate_per_chat_per_second: float = Field(1.0, ge=0)
    zalo_rate_per_group_per_minute: float = Field(20.0, ge=0)

    # --- quick polls (bot/polls) ---
    # Run the poll runner inside `tuyengiao run`: posts polls, closes them at their deadline
    # (stopPoll on Telegram) and sends the officer the final results.
    poll_runner: bool = True
    poll_runner_seconds: float = Field(5.0, gt=0)  # how often it looks for due work
    poll_concurrency: int = Field(8, ge=1)  # polls posted at once per tick

    # --- study campaigns (bot/study) ---
    # Run the study runner inside `tuyengiao run`: announcements to late joiners, self-study
    # for absentees, reminders, closing at the deadline and the final report.
    study_runner: bool = True
    study_runner_seconds: float = Field(30.0, gt=0)
    # Reminders to absentees who have not studied yet, in hours before the deadline.
    study_reminder_hours: str = "72,24"
    # Check-in codes are accepted until this long after the session's start.
    study_checkin_hours: float = Field(4.0, gt=0, le=72)
    # A roll nobody closed closes itself this long after the session's start.
    study_roll_close_hours: float = Field(24.0, gt=0, le=24 * 30)

    @field_validator("study_reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: str) -> str:
        from bot.services.reminders import ReminderSchedule

        ReminderSchedule.parse(value)  # ValueError: the setting is refused at start
        return value
    # --- reports from units and opinion collaborators (bot/reports) ---
    # Run the report tracker inside `tuyengiao run`: opens each period of recurring requests,
    # sends reminders and escalations, closes periods, tells the requester at each deadline
    # (its messages go out through the broadcast outbox, so BROADCAST_WORKER delivers them).
    report_worker: bool = True
    report_tick_seconds: float = Field(60.0, gt=0)  # how often it looks for due work
    # Defaults of a new request: reminders this many days before the deadline (comma-
    # separated), then every N days once overdue (0: none), and the parent unit's officers
    # told after this many days overdue (0: never). Reminders go out at this local hour.
    report_reminder_days: str = Field("3,1", pattern=r"^[0-9, ]*$")
    report_overdue_every_days: int = Field(1, ge=0, le=60)
    report_escalate_after_days: int = Field(3, ge=0, le=60)
    report_reminder_hour: int = Field(8, ge=0, le=23)
    # Late reports are accepted (and marked late) this many days after a deadline.
    report_close_after_days: int = Field(30, ge=0, le=366)
    # Files and photos sent for reports: copies kept here, each at most this large.
    report_files_dir: Path = Path("data/report-files")
    report_max_file_mb: float = Field(10.0, gt=0, le=20)  # Telegram lets bots fetch ≤ 20 MB
    # Fetching an image link (Zalo): the whole fetch's time limit; private and loopback
    # addresses are refused unless this is true (tests with a local server only).
    report_fetch_timeout_seconds: float = Field(15.0, gt=0, le=120)
    report_fetch_allow_private: bool = False
    # A form left this long stops taking the chat's texts (they are questions again);
    # /nopbaocao resumes it where it was.
    report_form_idle_minutes: float = Field(60.0, gt=0)

    @field_validator("encoder_cache_dir", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def lexicon_paths(self) -> list[Path]:
        return [Path(p.strip()) for p in self.lexicon_files.split(",") if p.strip()]

    @property
    def admin_id_set(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.admin_ids.split(",") if part.strip())
