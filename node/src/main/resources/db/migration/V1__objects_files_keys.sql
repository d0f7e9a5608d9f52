-- The node's application data. Every table here is replicated to secondaries (see
-- Node.REPLICATED_TABLES); each has a primary key, which replication needs to apply
-- updates and deletes. written_epoch records which primary epoch wrote a row: evidence for
-- divergence checks when an old primary rejoins.

-- Metadata objects (reports, dashboards, datasets, users ...): the JSON document exactly as PUT.
CREATE TABLE objects (
    id            text PRIMARY KEY,
    body          bytea       NOT NULL,
    etag          text        NOT NULL,
    version       bigint      NOT NULL,
    written_epoch bigint      NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The data repository: one row per file, its content in fixed-size chunks so that one
-- replication path covers metadata and files and no single value grows unbounded.
CREATE TABLE files (
    path          text PRIMARY KEY,
    size          bigint      NOT NULL,
    content_type  text        NOT NULL,
    sha256        text        NOT NULL,
    chunk_count   integer     NOT NULL,
    etag          text        NOT NULL,
    written_epoch bigint      NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE file_chunks (
    path text    NOT NULL,
    seq  integer NOT NULL,
    data bytea   NOT NULL,
    PRIMARY KEY (path, seq)
);

-- Responses to writes that carried an Idempotency-Key, so that a retry (possibly on a new
-- primary, after a failover) gets the original answer instead of applying the write twice.
CREATE TABLE idempotency_keys (
    key           text PRIMARY KEY,
    request_hash  text        NOT NULL,
    status        integer     NOT NULL,
    etag          text,
    response_body bytea       NOT NULL,
    written_epoch bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
