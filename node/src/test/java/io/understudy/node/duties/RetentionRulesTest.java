package io.understudy.node.duties;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetentionRulesTest {

    @ParameterizedTest(name = "{0} keep {1} -> delete {2}")
    @CsvSource(delimiter = '|', value = {
            "                                                              | 2 | ",
            "event-0000000001,event-0000000002                             | 2 | ",
            "event-0000000001,event-0000000002,event-0000000003            | 2 | event-0000000001",
            // by sequence number, whatever order ZooKeeper lists the children in
            "event-0000000010,event-0000000002,event-0000000009,event-0000000001 | 2 | event-0000000001,event-0000000002",
            // children that are not history entries are neither counted nor deleted
            "lock,event-0000000001,event-0000000002,other                  | 1 | event-0000000001",
    })
    void shouldDeleteTheOldestEntriesBeyondTheBound(String children, int keep, String expected) {
        List<String> listed = children == null ? List.of() : List.of(children.split(","));
        List<String> doomed = expected == null ? List.of() : List.of(expected.split(","));

        assertThat(RetentionRules.historyToDelete(listed, keep)).isEqualTo(doomed);
    }
}
