package io.understudy.failoverswitch.routing;

/** How the switch is connected to ZooKeeper, as far as routing is concerned. */
public enum ZkLink {
    /** Not connected yet: the view has never been read. */
    CONNECTING,
    /** Connected: the view follows ZooKeeper's watches. */
    CONNECTED,
    /** Connection lost but the session may still be alive: the view is the last one seen. */
    SUSPENDED,
    /** Session expired: the view may be arbitrarily stale until the watches resync. */
    LOST
}
