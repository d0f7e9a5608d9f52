-- The application's file directory (node key app.filesDir), captured on the primary so that its files travel
-- through the same ordered stream as the rows (see docs/file-replication.md). app_files and app_file_chunks are
-- replicated (ReplicationManager.REPLICATED_TABLES); app_files_local is this node's own account of its directory
-- and is never replicated.
CREATE SCHEMA IF NOT EXISTS understudy;

-- One row per path ever captured: its current version, or a tombstone (deleted) that tells secondaries to delete
-- it. A version becomes current only in the transaction that writes this row, after all its chunks are written.
-- version: epoch << 32 | sequence within the epoch (see FileVersions), unique across the cluster's history.
CREATE TABLE understudy.app_files (
    path           text    PRIMARY KEY,
    version        bigint  NOT NULL,
    deleted        boolean NOT NULL,
    size           bigint  NOT NULL,
    sha256         text,
    mtime_ms       bigint  NOT NULL,
    mode           integer,
    chunk_count    integer NOT NULL,
    captured_epoch bigint  NOT NULL,
    captured_at_ms bigint  NOT NULL
);
CREATE INDEX app_files_version ON understudy.app_files (version);

-- A version's content in fixed-size chunks, keyed by version (not path): a new version's chunks are written next
-- to the current version's, which stay readable until the row moves on. Chunks of a version no row names are
-- the remains of an interrupted capture; the next primary to capture deletes them.
CREATE TABLE understudy.app_file_chunks (
    version bigint  NOT NULL,
    seq     integer NOT NULL,
    data    bytea   NOT NULL,
    PRIMARY KEY (version, seq)
);

-- What this node's directory holds, as far as this node put it there (captured it as primary, or wrote it as
-- secondary): written only after the file is durable under its name. A file whose size or mtime differ from its
-- record was written by someone else and is quarantined, never silently overwritten.
CREATE TABLE understudy.app_files_local (
    path     text   PRIMARY KEY,
    version  bigint NOT NULL,
    size     bigint NOT NULL,
    mtime_ms bigint NOT NULL,
    sha256   text   NOT NULL
);
