package io.understudy.node.role;

/** The node's link to ZooKeeper, as far as role decisions care. */
public enum ZkLink {
    /** Connected with a live session: decisions may be taken and acted on. */
    CONNECTED,
    /**
     * Connection lost, session maybe still alive. The write gate is closed (we cannot prove our
     * lease) but the role is kept: if the same session reconnects nobody can have promoted.
     */
    SUSPENDED,
    /** The session expired: every ephemeral znode and the election latch of this node are gone. */
    LOST
}
