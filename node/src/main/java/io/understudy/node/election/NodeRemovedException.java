package io.understudy.node.election;

import io.understudy.cluster.RosterEntry;

/** The node was removed from its cluster: it may not start (or serve) until an operator readmits it. */
public final class NodeRemovedException extends Exception {

    private static final long serialVersionUID = 1L;

    public NodeRemovedException(String nodeId, String cluster, RosterEntry entry) {
        super("node " + nodeId + " was removed from cluster '" + cluster + "' (" + entry.reason() + "); it does not rejoin"
                + " until readmitted: POST /_understudy/members/" + nodeId + "/readmit on a switch (the local appliance's"
                + " 'understudy local add-node --id " + nodeId + "' does it), then start it again: it takes a fresh copy");
    }
}
