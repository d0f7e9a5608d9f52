package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClusterJsonTest {

    /** Written but not readable back: no creator Jackson can use. */
    static final class WriteOnly {
        private final String name;

        WriteOnly(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }
    }

    @Test
    void preparingATypeThatCannotBeReadBackFailsAndNamesIt() {
        assertThatThrownBy(() -> ClusterJson.prepare(new WriteOnly("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WriteOnly");
    }

    @Test
    void theHandOverRecordsSamplesAreValidAndRoundTrip() {
        // the switch and every node run this when they start: a sample a record's checks reject, or a record that no
        // longer reads back, fails here rather than as a warning at start-up
        assertThatCode(ClusterJson::prepareHandOverRecords).doesNotThrowAnyException();
    }
}
