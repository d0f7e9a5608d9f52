-- Understudy's own tables that are not the reference application's: the replicated log of captured
-- schema changes and the primary's sequence marks (created, with the capture trigger, by the
-- replicator's CaptureSchema), and whatever else Understudy keeps apart from the application.
CREATE SCHEMA IF NOT EXISTS understudy;
