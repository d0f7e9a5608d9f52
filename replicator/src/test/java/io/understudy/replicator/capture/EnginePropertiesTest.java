package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.embedded.EmbeddedEngineConfig;
import io.debezium.embedded.async.AsyncEngineConfig;
import io.understudy.replicator.ReplicatorConfig;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.Resolution;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Debezium ignores a setting it does not know, so a renamed or removed one would silently stop doing what its
 * comment in {@link EngineProperties} says (the slot's retry would be 10 s again, the decoding thread would build
 * statistics again). Every key set must be one the engine or the PostgreSQL connector defines.
 */
class EnginePropertiesTest {

    @Test
    void everySettingIsOneTheEngineOrTheConnectorDefines() {
        ReplicatorConfig config = new ReplicatorConfig("s", "a@1", "127.0.0.1", 5432, "postgres", "u", "p",
                List.of("public.items"), Path.of("/tmp"), 2, 500);
        TableName items = TableName.parse("public.items");
        Properties p = EngineProperties.of(config, new Resolution.Replicable(List.of(items), List.of(), List.of()));

        Set<String> known = new TreeSet<>(PostgresConnectorConfig.ALL_FIELDS.allFieldNames());
        known.addAll(EmbeddedEngineConfig.ALL_FIELDS.allFieldNames());
        known.addAll(AsyncEngineConfig.ALL_FIELDS.allFieldNames());
        // Each converter the connector is given is named by a key of its own: "<name>.type".
        for (String converter : p.getProperty("converters").split(",")) {
            known.add(converter + ".type");
        }
        assertThat(new TreeSet<>(p.stringPropertyNames())).as("settings no part of Debezium %s defines",
                io.debezium.connector.postgresql.Module.version()).isSubsetOf(known);
    }
}
