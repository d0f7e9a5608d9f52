package io.understudy.cluster;

/** The role a node plays. A node is in exactly one role at a time; see docs/architecture.md for the state machine. */
public enum Role {
    /** Started, not yet registered or not yet decided what it is. Refuses writes. */
    STARTING,
    /** Streams the primary's changes into its own database; serves reads, refuses writes. */
    SECONDARY,
    /** Holds the current epoch and the only open write gate in the cluster. */
    PRIMARY,
    /** Was primary and gave it up (lost session, newer epoch, switchover); write gate closed. */
    DEMOTED,
    /** Discarding its copy and taking a fresh snapshot from the primary. Refuses writes. */
    RESYNCING
}
