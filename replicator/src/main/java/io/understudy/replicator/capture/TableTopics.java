package io.understudy.replicator.capture;

import io.debezium.schema.SchemaTopicNamingStrategy;
import io.debezium.spi.schema.DataCollectionId;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connector's topic names, as Debezium's default strategy makes them ({@code <prefix>.<schema>.<table>}), kept in
 * a plain concurrent map. The connector asks for a change's topic once per change, on its single decoding thread;
 * Debezium's strategy answers from a map with LRU eviction whose every hit is recorded, about 5 % of that thread in
 * the replication benchmark's profile. Only {@link RecordDecoder} reads the names, and the replicated tables are few,
 * so nothing needs evicting; the map is emptied if it ever holds {@value #MOST} names.
 */
public final class TableTopics extends SchemaTopicNamingStrategy {

    private static final int MOST = 10_000;
    private final Map<DataCollectionId, String> names = new ConcurrentHashMap<>();

    public TableTopics(Properties props) {
        super(props);
    }

    @Override
    public String dataChangeTopic(DataCollectionId id) {
        String name = names.get(id);
        if (name == null) {
            name = super.dataChangeTopic(id);
            if (names.size() >= MOST) {
                names.clear();
            }
            names.put(id, name);
        }
        return name;
    }
}
