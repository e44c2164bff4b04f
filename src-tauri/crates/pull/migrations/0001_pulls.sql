-- Sample pulls (owned by the zbs-pull crate, which opens its own connection
-- to this file). Tokens and secrets never reach these tables.

-- One row per pull: its options, state and totals across resumes.
-- state: running, completed, cancelled, failed, paused_quota, needs_reconnect.
CREATE TABLE pulls (
    id              INTEGER PRIMARY KEY,
    connection_id   TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    options         TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    state           TEXT NOT NULL,
    calls           INTEGER NOT NULL DEFAULT 0,
    http_429        INTEGER NOT NULL DEFAULT 0,
    seconds         REAL NOT NULL DEFAULT 0,
    resume_after    TEXT,
    error_code      TEXT,
    message         TEXT
) STRICT;
CREATE INDEX pulls_by_connection ON pulls (connection_id, id);

-- The checkpoint and counts of each entity of a pull, committed in the same
-- transaction as the page of records they describe.
CREATE TABLE pull_entities (
    pull_id   INTEGER NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
    entity    TEXT NOT NULL,
    next_page INTEGER NOT NULL DEFAULT 1,
    phase     TEXT NOT NULL DEFAULT 'list',
    records   INTEGER NOT NULL DEFAULT 0,
    calls     INTEGER NOT NULL DEFAULT 0,
    done      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pull_id, entity)
) STRICT;

-- Pulled records: raw JSON as Zoho sent it plus key columns for the preview.
-- One row per (connection, entity, Zoho id), upserted.
CREATE TABLE pull_records (
    id            INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL,
    entity        TEXT NOT NULL,
    zoho_id       TEXT NOT NULL,
    label         TEXT,
    date          TEXT,
    total         REAL,
    status        TEXT,
    counterparty  TEXT,
    last_modified TEXT,
    pulled_at     TEXT NOT NULL,
    pull_id       INTEGER NOT NULL,
    detail        INTEGER NOT NULL DEFAULT 0,
    raw           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX pull_records_key ON pull_records (connection_id, entity, zoho_id);
CREATE INDEX pull_records_by_pull ON pull_records (connection_id, entity, pull_id);

-- At most one process pulls an organization at a time. A row whose process
-- is gone or whose heartbeat is old is stale and may be taken over.
CREATE TABLE pull_locks (
    organization_id TEXT PRIMARY KEY NOT NULL,
    owner           TEXT NOT NULL,
    pid             INTEGER NOT NULL,
    heartbeat_ms    INTEGER NOT NULL
) STRICT;

-- When requests were sent, per organization (bounded), for the
-- requests-per-minute chart and to pace a new process after an old one.
CREATE TABLE request_log (
    organization_id TEXT NOT NULL,
    at_ms           INTEGER NOT NULL
) STRICT;
CREATE INDEX request_log_by_org ON request_log (organization_id, at_ms);

-- The X-Rate-Limit-* headers last seen per organization (daily quota).
CREATE TABLE org_quota (
    organization_id TEXT PRIMARY KEY NOT NULL,
    quota_limit     INTEGER,
    remaining       INTEGER,
    reset_at_ms     INTEGER,
    seen_at_ms      INTEGER NOT NULL
) STRICT;
