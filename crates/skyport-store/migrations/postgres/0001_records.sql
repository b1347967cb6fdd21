-- Records: key-value app state and the typed records (see src/records/mod.rs).
-- Times are Unix ms; money is integer cents; JSON is stored as text.
-- PostgreSQL: BIGINT (not INTEGER, which the driver-neutral pool reads as i32);
-- kv keys sort bytewise ("C"), as in SQLite.

CREATE TABLE kv (
    ns         TEXT    COLLATE "C" NOT NULL,
    key        TEXT    COLLATE "C" NOT NULL,
    value      TEXT    NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (ns, key)
);

CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    profile       TEXT    NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE carts (
    id          TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL,
    version     BIGINT NOT NULL,
    checked_out BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX carts_owner ON carts (owner);

CREATE TABLE cart_lines (
    cart_id          TEXT    NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    sku              TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    quantity         BIGINT NOT NULL,
    position         BIGINT NOT NULL,
    PRIMARY KEY (cart_id, sku)
);

CREATE TABLE orders (
    id              TEXT    PRIMARY KEY,
    user_id         TEXT    NOT NULL,
    cart_id         TEXT    NOT NULL,
    lines           TEXT    NOT NULL,
    subtotal_cents  BIGINT NOT NULL,
    tax_cents       BIGINT NOT NULL,
    shipping_cents  BIGINT NOT NULL,
    total_cents     BIGINT NOT NULL,
    details         TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX orders_user ON orders (user_id, created_at);

CREATE TABLE memberships (
    user_id    TEXT    PRIMARY KEY,
    tier       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE task_counters (
    backlog TEXT    PRIMARY KEY,
    next    BIGINT NOT NULL
);

CREATE TABLE tasks (
    backlog    TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    seq        BIGINT NOT NULL,
    title      TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    priority   TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    epic       TEXT,
    sprint     TEXT,
    assignee   TEXT,
    tags       TEXT    NOT NULL,
    extra      TEXT    NOT NULL,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (backlog, id)
);
CREATE INDEX tasks_status ON tasks (backlog, status);
CREATE INDEX tasks_created ON tasks (backlog, created_at, seq);
CREATE INDEX tasks_updated ON tasks (backlog, updated_at);

CREATE TABLE task_keys (
    backlog         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    PRIMARY KEY (backlog, idempotency_key)
);
