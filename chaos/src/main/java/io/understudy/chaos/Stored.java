package io.understudy.chaos;

/** An object as one node's list endpoint reports it. */
public record Stored(String etag, long version) {
}
