package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.relational.TableId;
import io.debezium.schema.SchemaTopicNamingStrategy;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TableTopicsTest {

    private static Properties settings() {
        Properties p = new Properties();
        p.setProperty("topic.prefix", "understudy_b");
        return p;
    }

    @Test
    void shouldNameEveryTableAsDebeziumsDefaultStrategyDoesEveryTime() {
        TableTopics ours = new TableTopics(settings());
        SchemaTopicNamingStrategy theirs = new SchemaTopicNamingStrategy(settings());
        List<TableId> tables = List.of(new TableId(null, "public", "objects"), new TableId(null, "mediawiki", "page"),
                new TableId(null, "app", "Order Lines"), new TableId(null, "app", "zähler"), new TableId("db", "s", "t"));
        for (int round = 0; round < 3; round++) {
            for (TableId table : tables) {
                assertThat(ours.dataChangeTopic(table)).as("%s, round %d", table, round).isEqualTo(theirs.dataChangeTopic(table));
            }
        }
        assertThat(ours.transactionTopic()).isEqualTo(theirs.transactionTopic());
        assertThat(ours.heartbeatTopic()).isEqualTo(theirs.heartbeatTopic());
    }
}
