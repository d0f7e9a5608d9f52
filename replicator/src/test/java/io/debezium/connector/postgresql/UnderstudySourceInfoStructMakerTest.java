package io.debezium.connector.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.AbstractSourceInfo;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.relational.TableId;
import java.time.Instant;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** The source block without its sequence: every other field as the connector's own maker fills it. */
class UnderstudySourceInfoStructMakerTest {

    private final PostgresConnectorConfig config = new PostgresConnectorConfig(Configuration.create()
            .with("topic.prefix", "understudy_b")
            .with("database.dbname", "app")
            .with("database.hostname", "127.0.0.1")
            .with("database.user", "postgres")
            .build());

    @Test
    void shouldFillEveryFieldButTheSequenceAsTheConnectorsMakerDoes() {
        PostgresSourceInfoStructMaker theirs = new PostgresSourceInfoStructMaker();
        theirs.init(Module.name(), Module.version(), config);
        UnderstudySourceInfoStructMaker ours = new UnderstudySourceInfoStructMaker();
        ours.init(Module.name(), Module.version(), config);

        SourceInfo streamed = new SourceInfo(config);
        streamed.updateLastCommit(Lsn.valueOf(4_000L));
        streamed.update(Lsn.valueOf(4_096L), Instant.parse("2026-12-03T22:18:36.123456789Z"), 771L, null,
                new TableId(null, "mediawiki", "page"), null);
        SourceInfo snapshot = new SourceInfo(config);
        snapshot.update(Instant.parse("2026-12-03T22:00:00Z"), new TableId(null, "public", "objects"));
        snapshot.setSnapshot(SnapshotRecord.LAST);

        for (SourceInfo source : new SourceInfo[] {streamed, snapshot}) {
            Struct expected = theirs.struct(source);
            Struct actual = ours.struct(source);
            assertThat(actual.schema()).isEqualTo(expected.schema());
            assertThat(actual.get(AbstractSourceInfo.SEQUENCE_KEY)).isNull();
            for (Field field : expected.schema().fields()) {
                if (!field.name().equals(AbstractSourceInfo.SEQUENCE_KEY)) {
                    assertThat(actual.get(field)).as(field.name()).isEqualTo(expected.get(field));
                }
            }
            actual.validate();
        }
        assertThat(theirs.struct(streamed).get(AbstractSourceInfo.SEQUENCE_KEY)).as("what is left out").isEqualTo("[\"4000\",\"4096\"]");
    }
}
