-- Settings are small JSON values by key (client id, regions, switch, ...).
-- Secrets are never stored here: the OS keyring holds them.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Checklist items the person ticks: `step` or `step.substep`.
CREATE TABLE checklist (
    item       TEXT PRIMARY KEY NOT NULL,
    done       INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Failures a person saw, newest last, for "Copy diagnostics".
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    message TEXT NOT NULL
) STRICT;

-- Connected Zoho Books organizations. The refresh token is in the keyring
-- under `refresh-token:<id>`.
CREATE TABLE connections (
    id                TEXT PRIMARY KEY NOT NULL,
    organization_id   TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    label             TEXT,
    region            TEXT NOT NULL,
    accounts_server   TEXT NOT NULL,
    api_domain        TEXT NOT NULL,
    plan              TEXT,
    currency          TEXT,
    state             TEXT NOT NULL DEFAULT 'ok',
    connected_at      TEXT NOT NULL
) STRICT;

-- How many times each organization was connected with this client: Zoho
-- keeps 20 sign-ins per user and client and silently drops the oldest.
CREATE TABLE org_connects (
    organization_id TEXT PRIMARY KEY NOT NULL,
    times           INTEGER NOT NULL
) STRICT;
