package io.understudy.failoverswitch.proxy;

import static io.understudy.failoverswitch.proxy.RetryPolicy.Failure.EPOCH_MISMATCH;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Failure.LOST_IN_FLIGHT;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Failure.NOT_PRIMARY;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Failure.NOT_SENT;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Verdict.BODY_GONE;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Verdict.RETRY;
import static io.understudy.failoverswitch.proxy.RetryPolicy.Verdict.UNSAFE;
import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.client.ClientResponse;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import io.undertow.util.Methods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

    @ParameterizedTest(name = "{0} {1} key={2} replayable={3} -> {4}")
    @CsvSource({
            // never reached a node, or refused before doing anything: always retried
            "NOT_SENT,       POST,   false, true,  RETRY",
            "EPOCH_MISMATCH, POST,   false, true,  RETRY",
            "NOT_PRIMARY,    PATCH,  false, true,  RETRY",
            // may have been applied: only when doing it twice is harmless
            "LOST_IN_FLIGHT, GET,    false, true,  RETRY",
            "LOST_IN_FLIGHT, HEAD,   false, true,  RETRY",
            "LOST_IN_FLIGHT, PUT,    false, true,  RETRY",
            "LOST_IN_FLIGHT, DELETE, false, true,  RETRY",
            "LOST_IN_FLIGHT, POST,   true,  true,  RETRY",
            "LOST_IN_FLIGHT, PATCH,  true,  true,  RETRY",
            "LOST_IN_FLIGHT, POST,   false, true,  UNSAFE",
            "LOST_IN_FLIGHT, PATCH,  false, true,  UNSAFE",
            "NOT_CONFIRMED,  PUT,    false, true,  RETRY",
            "NOT_CONFIRMED,  POST,   true,  true,  RETRY",
            "NOT_CONFIRMED,  POST,   false, true,  UNSAFE",
            // abandoned at a primary a newer epoch superseded before it answered: as if lost in flight
            "SUPERSEDED,     GET,    false, true,  RETRY",
            "SUPERSEDED,     PUT,    false, true,  RETRY",
            "SUPERSEDED,     DELETE, false, true,  RETRY",
            "SUPERSEDED,     POST,   true,  true,  RETRY",
            // and when it is not safe to send again, the client is told the outcome is unknown
            "SUPERSEDED,     POST,   false, true,  OUTCOME_UNKNOWN",
            "SUPERSEDED,     PATCH,  false, true,  OUTCOME_UNKNOWN",
            "SUPERSEDED,     PUT,    true,  false, OUTCOME_UNKNOWN",
            // a streamed body that already flowed cannot be sent again, whatever the failure
            "NOT_SENT,       PUT,    true,  false, BODY_GONE",
            "NOT_PRIMARY,    PUT,    true,  false, BODY_GONE",
            "LOST_IN_FLIGHT, GET,    false, false, BODY_GONE",
    })
    void shouldRetryOnlyWhatIsSafeToSendAgain(RetryPolicy.Failure failure, String method, boolean key, boolean replayable,
            RetryPolicy.Verdict expected) {
        assertThat(RetryPolicy.decide(failure, HttpString.tryFromString(method), key, replayable)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "handed over={0} response started={1} -> {2}")
    @CsvSource({
            // still connecting, or the request not yet handed to the connection: the node never saw it
            "false, false, NOT_SENT",
            // the node may have seen it and has not answered: abandoned, it may have been applied
            "true,  false, SUPERSEDED",
            // the node's answer already flows to the client: left alone
            "true,  true,  ",
    })
    void shouldAbandonOnlyAttemptsWhoseAnswerHasNotStarted(boolean handedOver, boolean responseStarted,
            RetryPolicy.Failure expected) {
        assertThat(RetryPolicy.superseded(handedOver, responseStarted)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1} after {2} attempts, pooled={3} route moved={4} hand-over={5} -> {6}")
    @CsvSource({
            // the route moved on while the attempt ran: straight to the new primary
            "RETRY,           NOT_PRIMARY,    1,  false, true,  false, SEND_TO_CURRENT",
            "RETRY,           LOST_IN_FLIGHT, 1,  true,  true,  false, SEND_TO_CURRENT",
            "RETRY,           SUPERSEDED,     3,  false, true,  true,  SEND_TO_CURRENT",
            // a kept-alive connection the node had closed: one new connection to the same node decides
            "RETRY,           NOT_SENT,       1,  true,  false, false, RECONNECT",
            "RETRY,           LOST_IN_FLIGHT, 1,  true,  false, false, RECONNECT",
            // a node that is gone (or was abandoned) is left to the route change
            "RETRY,           NOT_SENT,       2,  false, false, false, HOLD",
            "RETRY,           LOST_IN_FLIGHT, 2,  false, false, false, HOLD",
            "RETRY,           SUPERSEDED,     1,  true,  false, false, HOLD",
            // a node that said 'not now' may reopen its gate in the same epoch ...
            "RETRY,           NOT_PRIMARY,    1,  false, false, false, HOLD_AND_RETRY_SAME",
            "RETRY,           EPOCH_MISMATCH, 1,  true,  false, false, HOLD_AND_RETRY_SAME",
            "RETRY,           NOT_CONFIRMED,  1,  false, false, false, HOLD_AND_RETRY_SAME",
            // ... unless it is handing its role over: then the request waits for the new epoch
            "RETRY,           NOT_PRIMARY,    1,  false, false, true,  HOLD",
            "RETRY,           EPOCH_MISMATCH, 1,  false, false, true,  HOLD",
            "RETRY,           NOT_CONFIRMED,  1,  false, false, true,  HOLD",
            "RETRY,           NOT_SENT,       1,  true,  false, true,  RECONNECT",
            // the attempt cap, whatever the route does (paced retries do not count; see the test below)
            "RETRY,           NOT_PRIMARY,    11, false, true,  false, SEND_TO_CURRENT",
            "RETRY,           NOT_PRIMARY,    12, false, true,  false, GIVE_UP",
            "RETRY,           NOT_SENT,       12, true,  false, false, GIVE_UP",
            "RETRY,           NOT_CONFIRMED,  40, false, false, true,  GIVE_UP",
            // not safe to send again: the client is told, even on the first attempt
            "UNSAFE,          LOST_IN_FLIGHT, 1,  true,  true,  false, ANSWER",
            "BODY_GONE,       NOT_PRIMARY,    1,  false, true,  false, ANSWER",
            "OUTCOME_UNKNOWN, SUPERSEDED,     1,  false, true,  false, ANSWER",
            "UNSAFE,          NOT_CONFIRMED,  12, false, false, false, ANSWER",
    })
    void shouldChooseWhereAFailedRequestGoesNext(RetryPolicy.Verdict verdict, RetryPolicy.Failure failure, int attempts,
            boolean pooled, boolean routeMoved, boolean handOver, RetryPolicy.Move expected) {
        assertThat(RetryPolicy.next(verdict, failure, attempts, 0, pooled, routeMoved, handOver)).isEqualTo(expected);
    }

    @Test
    void shouldStopAFlappingRouteAfterTheAttemptCap() {
        // every attempt is refused and every time another primary is routed already
        int attempts = 0;
        RetryPolicy.Move move;
        do {
            attempts++;
            move = RetryPolicy.next(RETRY, NOT_PRIMARY, attempts, 0, false, true, false);
        } while (move == RetryPolicy.Move.SEND_TO_CURRENT);

        assertThat(move).isEqualTo(RetryPolicy.Move.GIVE_UP);
        assertThat(attempts).isEqualTo(RetryPolicy.MAX_ATTEMPTS);
    }

    @Test
    void shouldKeepOfferingARefusingPrimaryOnTheBackOffAndThenFollowTheRoute() {
        // the primary's gate stays shut for a while (a ZooKeeper quorum electing a leader): each refusal is paced
        int attempts = 0;
        int paced = 0;
        for (int i = 0; i < 3 * RetryPolicy.MAX_ATTEMPTS; i++) {
            attempts++;
            assertThat(RetryPolicy.next(RETRY, NOT_PRIMARY, attempts, paced, false, false, false))
                    .isEqualTo(RetryPolicy.Move.HOLD_AND_RETRY_SAME);
            paced++;
        }
        // then another primary is routed, and route flapping meets the cap as before
        RetryPolicy.Move move;
        int unpaced = 0;
        do {
            attempts++;
            unpaced++;
            move = RetryPolicy.next(RETRY, NOT_PRIMARY, attempts, paced, false, true, false);
        } while (move == RetryPolicy.Move.SEND_TO_CURRENT);

        assertThat(move).isEqualTo(RetryPolicy.Move.GIVE_UP);
        assertThat(unpaced).isEqualTo(RetryPolicy.MAX_ATTEMPTS);
    }

    @ParameterizedTest
    @CsvSource({"GET,true", "HEAD,true", "PUT,true", "DELETE,true", "OPTIONS,true", "POST,false", "PATCH,false"})
    void shouldKnowTheIdempotentMethods(String method, boolean idempotent) {
        assertThat(RetryPolicy.isIdempotent(Methods.fromString(method))).isEqualTo(idempotent);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "421|{\"error\":\"epoch_mismatch\",\"message\":\"m\"}|EPOCH_MISMATCH",
            "503|{\"error\":\"not_primary\",\"message\":\"m\"}|NOT_PRIMARY",
            "503|{\"error\":\"not_acknowledged\"}|NOT_CONFIRMED",
            "503|{\"error\":\"not_replicated\"}|",
            "421|{\"error\":\"not_primary\"}|",
            "503|not json|",
            "503|''|NOT_SENT",
            "503|[1]|",
    })
    void shouldRecogniseOnlyANodesOwnRefusals(int status, String body, RetryPolicy.Failure expected) {
        assertThat(Refusal.classify(status, body.getBytes())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} length={1} relayed from an application={2} -> {3}")
    @CsvSource({
            "503, 60,    false, true",
            "421, 60,    false, true",
            "503, 60,    true,  false",
            "421, 60,    true,  false",
            "200, 60,    false, false",
            "503, 99999, false, false",
    })
    void shouldNeverReadAnApplicationsOwnAnswerAsANodesRefusal(int status, int length, boolean relayed, boolean expected) {
        ClientResponse response = new ClientResponse(status, "x", Protocols.HTTP_1_1);
        response.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, length);
        if (relayed) {
            response.getResponseHeaders().put(HttpString.tryFromString(io.understudy.cluster.Headers.APPLICATION), "relayed");
        }
        assertThat(Refusal.mayBeRefusal(response)).isEqualTo(expected);
    }
}
