package io.understudy.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.app.GatewayRules.Admission;
import io.understudy.node.app.GatewayRules.Keyed;
import io.understudy.node.app.GatewayRules.Relay;
import io.understudy.node.role.WriteGate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayRulesTest {

    /** {@code open:5} is a gate open in epoch 5 with a live lease; {@code closed} one that is shut or whose lease ran out. */
    private static WriteGate.Verdict gate(String verdict) {
        return verdict.startsWith("open:") ? new WriteGate.Verdict.Open(Long.parseLong(verdict.substring(5)))
                : new WriteGate.Verdict.Closed("ZooKeeper lease expired 900 ms ago");
    }

    private static String outcome(Admission a) {
        return a instanceof Admission.Admit admit ? "admit " + admit.epoch()
                : ((Admission.Refuse) a).status() + " " + ((Admission.Refuse) a).error();
    }

    private static String outcome(Relay r) {
        return r instanceof Relay.Withhold w ? w.status() + " " + w.error() : "send";
    }

    @ParameterizedTest(name = "stamped={0} gate epoch={1} verdict={2} -> {3}")
    @CsvSource({
            // the primary of the stamped epoch with a live lease: forwarded in that epoch
            "5,    5, open:5, admit 5",
            // sent straight to the gateway, not through the switch: forwarded while the gate is open
            "   ,  5, open:5, admit 5",
            // stamped for another epoch: not this node's request, the switch sends it to the right one
            "4,    5, open:5, 421 epoch_mismatch",
            "6,    5, open:5, 421 epoch_mismatch",
            "5,    0, closed, 421 epoch_mismatch",
            // the gate reopened in another epoch between the two reads
            "5,    5, open:6, 421 epoch_mismatch",
            // the right epoch but the lease ran out (a frozen node that woke up) or the gate is shut: nothing forwarded
            "5,    5, closed, 503 not_primary",
            "   ,  5, closed, 503 not_primary",
            "   ,  0, closed, 503 not_primary",
            // a stamp that is not a number
            "five, 5, open:5, 400 bad_epoch",
    })
    void shouldAdmitOnlyThePrimaryOfTheStampedEpochWithALiveLease(String stamped, long gateEpoch, String verdict,
            String expected) {
        assertThat(outcome(GatewayRules.admit(stamped, gateEpoch, gate(verdict)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "admitted in {0}, gate now {1}, barrier says {2} -> {3}")
    @CsvSource({
            // still the primary of the epoch the request was admitted in: the answer goes out
            "5, open:5, ,                       send",
            // the lease ran out or the gate shut while the application worked (frozen, cut off, switched over)
            "5, closed, ,                       503 not_acknowledged",
            // another epoch now, even on this very node: the answer belongs to a superseded epoch
            "5, open:6, ,                       503 not_acknowledged",
            // the write barrier did not pass: not replicated in time while still primary, or no longer primary
            "5, open:5, no secondary confirmed, 503 not_replicated",
            "5, closed, no secondary confirmed, 503 not_acknowledged",
            "5, open:6, no secondary confirmed, 503 not_acknowledged",
    })
    void shouldRelayOnlyWhileStillThePrimaryOfTheAdmittedEpoch(long admitted, String now, String notDurable,
            String expected) {
        assertThat(outcome(GatewayRules.relay(admitted, gate(now), notDurable))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "stored hash={0} answered={1} in flight here={2} -> {3}")
    @CsvSource({
            // never seen: recorded as in flight, then forwarded
            "  , false, false, FORWARD",
            // answered before: the application's answer is replayed, the application sees nothing
            "h1, true,  false, REPLAY",
            // a different request under the same key, answered or not
            "h2, true,  false, REUSED",
            "h2, false, false, REUSED",
            "h2, false, true,  REUSED",
            // the same request is being forwarded by this node now: wait for its answer
            "h1, false, true,  WAIT",
            // an attempt that never got its answer recorded (crash, failover, lost connection): never forwarded again
            "h1, false, false, IN_DOUBT",
    })
    void shouldForwardAKeyedRequestAtMostOnce(String storedHash, boolean answered, boolean inFlightHere, Keyed expected) {
        assertThat(GatewayRules.keyed("h1", storedHash, answered, inFlightHere)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"GET,false", "HEAD,false", "OPTIONS,false", "get,false", "POST,true", "PUT,true", "DELETE,true",
            "PATCH,true", "PROPFIND,true", "TRACE,true"})
    void shouldHoldEverythingButReadsForTheWriteBarrier(String method, boolean mayWrite) {
        assertThat(GatewayRules.mayWrite(method)).isEqualTo(mayWrite);
    }
}
