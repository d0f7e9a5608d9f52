package io.understudy.node.role;

import io.understudy.cluster.Role;
import java.util.List;

/** A transition to {@code next}, the actions that make it happen, and why (logged verbatim). */
public record Decision(Role next, List<Action> actions, String reason) {

    public static Decision to(Role next, String reason, Action... actions) {
        return new Decision(next, List.of(actions), reason);
    }
}
