-- Coordination in the database (see src/coordination/mod.rs). Expiry is by
-- expires_at (Unix ms), checked on every read; the sweep deletes old rows.

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE session_fields (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      BLOB NOT NULL,
    PRIMARY KEY (session_id, name)
);

CREATE TABLE rate_windows (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX rate_windows_expiry ON rate_windows (expires_at);

CREATE TABLE event_streams (
    stream     TEXT    PRIMARY KEY,
    finished   INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
);
CREATE INDEX event_streams_expiry ON event_streams (expires_at);

CREATE TABLE events (
    stream TEXT    NOT NULL REFERENCES event_streams (stream) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (stream, seq)
);
