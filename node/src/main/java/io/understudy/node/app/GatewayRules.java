package io.understudy.node.app;

import io.understudy.node.role.WriteGate;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the application gateway does with a request and with the application's answer, as pure functions of plain
 * values. The gateway holds the application to the same rule as the built-in API: nothing is answered by a node
 * that is not the primary of the request's epoch with a live lease.
 *
 * <p>Why it is safe: a request reaches the application only when the write gate is open (this node is primary and its
 * ZooKeeper lease, two thirds of the session, is younger than the session's end could be) and, when the switch stamped
 * an epoch, only in exactly that epoch. The answer is checked again once the application has given it and, for a
 * request that may write, once more after the write barrier: a node that lost its lease or its epoch in the meantime
 * (frozen past its session, cut off, demoted by a switchover) withholds the answer and says
 * {@code not_acknowledged}, so no client is told "done" by a primary another node has already replaced. The refusals
 * use the built-in API's words (421 {@code epoch_mismatch}, 503 {@code not_primary}, 503 {@code not_acknowledged}),
 * so the switch holds and retries exactly as it does for the API.
 */
public final class GatewayRules {

    /** Methods that do not change the application's state by HTTP's rules; everything else goes through the barrier. */
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private GatewayRules() {
    }

    /** Whether a request is let through to the application. */
    public sealed interface Admission {
        /** Forward it: it is served in {@code epoch}, and its answer only while the gate is still open in it. */
        record Admit(long epoch) implements Admission {
        }

        /** Answer this instead; the application never sees the request. */
        record Refuse(int status, String error, String message) implements Admission {
        }
    }

    /** What becomes of the application's answer. */
    public sealed interface Relay {
        /** Relay it to the client. */
        record Send() implements Relay {
        }

        /** Answer this instead; the application's answer is dropped. */
        record Withhold(int status, String error, String message) implements Relay {
        }
    }

    /** What to do with a request carrying an {@code Idempotency-Key}, given what the key store holds for it. */
    public enum Keyed {
        /** Nothing under this key: record it as in flight, then forward. */
        FORWARD,
        /** The application answered this key before: replay that answer, the application sees nothing. */
        REPLAY,
        /** The key was used for a different request: 422, nothing forwarded. */
        REUSED,
        /** This node is forwarding the same key right now: wait for that answer, then decide again. */
        WAIT,
        /**
         * An earlier attempt reached (or may have reached) the application and its answer was never recorded: the
         * attempt was cut off by a crash, a failover or a broken connection. Forwarding again could apply it twice,
         * so the client is told the outcome is unknown.
         */
        IN_DOUBT
    }

    /** The epoch a request is stamped for, when it carries a well-formed one ({@link #admit} refuses any other). */
    public static OptionalLong stampedEpoch(String stampedEpoch) {
        if (stampedEpoch == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(stampedEpoch.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @param stampedEpoch {@code X-Understudy-Epoch} as the switch sent it, or null for a request sent straight to the
     *                     gateway
     * @param gateEpoch    the epoch the write gate was opened for, 0 while it is shut ({@link WriteGate#epoch()})
     * @param gate         the gate's verdict now, lease included ({@link WriteGate#admit()})
     */
    public static Admission admit(String stampedEpoch, long gateEpoch, WriteGate.Verdict gate) {
        long stamped = 0;
        if (stampedEpoch != null) {
            try {
                stamped = Long.parseLong(stampedEpoch.trim());
            } catch (NumberFormatException e) {
                return new Admission.Refuse(400, "bad_epoch", "X-Understudy-Epoch must be a number, got '" + stampedEpoch + "'");
            }
            if (gateEpoch == 0 || stamped != gateEpoch) {
                return new Admission.Refuse(421, "epoch_mismatch", "not the primary of epoch " + stamped);
            }
        }
        if (gate instanceof WriteGate.Verdict.Closed closed) {
            return new Admission.Refuse(503, "not_primary", closed.reason());
        }
        long open = ((WriteGate.Verdict.Open) gate).epoch();
        if (stampedEpoch != null && open != stamped) {
            // the gate reopened in another epoch between the two reads
            return new Admission.Refuse(421, "epoch_mismatch", "not the primary of epoch " + stamped);
        }
        return new Admission.Admit(open);
    }

    /**
     * Whether the application's answer to a request admitted in {@code admittedEpoch} may reach the client. Asked when
     * the answer begins and, for a request that may write, again after the write barrier.
     *
     * @param now        the write gate's verdict at this moment
     * @param notDurable why the write barrier refused to acknowledge the write, or null when it passed (or did not run)
     */
    public static Relay relay(long admittedEpoch, WriteGate.Verdict now, String notDurable) {
        boolean stillPrimary = now instanceof WriteGate.Verdict.Open open && open.epoch() == admittedEpoch;
        if (notDurable != null) {
            // As the built-in API: still primary means the write may be retried by the client later (not replicated in
            // time); no longer primary means the next primary may or may not have it.
            return stillPrimary
                    ? new Relay.Withhold(503, "not_replicated", "the application's write is not acknowledged: " + notDurable)
                    : new Relay.Withhold(503, "not_acknowledged", "the application's write is not acknowledged: " + notDurable);
        }
        if (!stillPrimary) {
            String why = now instanceof WriteGate.Verdict.Closed closed ? closed.reason()
                    : "now primary of epoch " + ((WriteGate.Verdict.Open) now).epoch();
            return new Relay.Withhold(503, "not_acknowledged", "this node stopped being the primary of epoch " + admittedEpoch
                    + " while the application answered (" + why + "); the answer is withheld and may or may not have been applied");
        }
        return new Relay.Send();
    }

    /**
     * @param storedHash   the request hash recorded under the key, or null when there is no record
     * @param answered     the record holds the application's answer (false: an attempt was recorded as in flight)
     * @param inFlightHere this node is forwarding a request with this key right now
     */
    public static Keyed keyed(String requestHash, String storedHash, boolean answered, boolean inFlightHere) {
        if (storedHash == null) {
            return Keyed.FORWARD;
        }
        if (!storedHash.equals(requestHash)) {
            return Keyed.REUSED;
        }
        if (answered) {
            return Keyed.REPLAY;
        }
        return inFlightHere ? Keyed.WAIT : Keyed.IN_DOUBT;
    }

    /** Anything but GET, HEAD and OPTIONS may write, and is held until the write barrier has passed. */
    public static boolean mayWrite(String method) {
        return !READS.contains(method.toUpperCase(Locale.ROOT));
    }
}
