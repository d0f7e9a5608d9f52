package io.understudy.failoverswitch.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttemptStateTest {

    @ParameterizedTest(name = "{0} -> broken {1}, superseded {2}, reusable {3}, after a refusal {4}")
    @CsvSource(delimiter = '|', value = {
            // nothing reached a node yet: whatever happens, it was not sent
            "                                         | NOT_SENT       | NOT_SENT   | false | false",
            "pooled                                   | NOT_SENT       | NOT_SENT   | false | false",
            // the node may have seen it from here on
            "fresh handed                             | LOST_IN_FLIGHT | SUPERSEDED | false | false",
            "pooled handed sent                       | LOST_IN_FLIGHT | SUPERSEDED | false | true",
            // its answer flows to the client: no more failing over, and the connection is clean once all of it went
            "fresh handed sent relaying               | LOST_IN_FLIGHT |            | false | true",
            "fresh handed sent relaying answered      | LOST_IN_FLIGHT |            | true  | true",
            // an answer that came before the request was all written leaves the connection unusable
            "fresh handed relaying answered           | LOST_IN_FLIGHT |            | false | false",
            // an attempt that ended for another reason (timed out, abandoned) never pools its connection
            "fresh handed sent relaying answered over | LOST_IN_FLIGHT |            | false | true",
            "pooled handed over                       | LOST_IN_FLIGHT | SUPERSEDED | false | false",
    })
    void shouldTellWhatAnAttemptMayDoFromHowFarItGot(String steps, Failure broken, Failure superseded, boolean reusable,
            boolean reusableAfterRefusal) {
        AttemptState state = AttemptState.OPENING;
        for (String step : steps == null ? new String[0] : steps.trim().split("\\s+")) {
            state = switch (step) {
                case "fresh" -> state.connected(false);
                case "pooled" -> state.connected(true);
                case "handed" -> state.handedOver();
                case "sent" -> state.sent();
                case "relaying" -> state.relaying();
                case "answered" -> state.answered();
                case "over" -> state.ended();
                default -> throw new IllegalArgumentException(step);
            };
        }

        assertThat(state.broken()).isEqualTo(broken);
        assertThat(state.superseded()).isEqualTo(superseded);
        assertThat(state.reusable()).isEqualTo(reusable);
        assertThat(state.reusableAfterRefusal()).isEqualTo(reusableAfterRefusal);
    }
}
