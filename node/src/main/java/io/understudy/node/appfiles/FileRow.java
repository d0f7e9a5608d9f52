package io.understudy.node.appfiles;

/** A row of {@code understudy.app_files}: the current version of a path, or its tombstone. */
record FileRow(String path, long version, boolean deleted, long size, String sha256, long mtimeMs, Integer mode,
               int chunkCount, long capturedAtMs) {

    MaterialiseRules.Row rule() {
        return new MaterialiseRules.Row(version, deleted, size, mtimeMs, sha256);
    }
}
