-- The primary deletes remembered Idempotency-Key responses older than the cluster's
-- idempotencyKeyMaxAgeMs in batches; without this index each batch would scan the table.
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
