-- The node's own note that its database took writes as primary of an epoch that no rejoin has
-- checked for divergence yet (see RejoinMarker). Local to each node: never replicated, and not
-- touched by a fresh sync. IF NOT EXISTS: nodes that ran before this migration created the
-- table themselves.
CREATE TABLE IF NOT EXISTS understudy_primary_epoch (
    id         integer PRIMARY KEY CHECK (id = 1),
    epoch      bigint NOT NULL,
    resolved   boolean NOT NULL,
    updated_at timestamptz NOT NULL
);
