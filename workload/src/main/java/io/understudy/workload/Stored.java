package io.understudy.workload;

/** An object as one node's list endpoint reports it: its content tag and how many times it was written. */
public record Stored(String etag, long version) {
}
