package io.debezium.connector.postgresql.pipeline.txmetadata;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.function.BlockingConsumer;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.pipeline.txmetadata.TransactionMonitor;
import io.debezium.schema.SchemaNameAdjuster;
import java.time.Instant;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Understudy's replacement of Debezium 3.6.1's class of this name (the replicator's classes come first on the class
 * path, and the launcher's shaded jar leaves Debezium's copy out). It gives every transaction block, BEGIN and END
 * event the same id as Debezium's, {@code <transaction id>:<last seen LSN>}, which {@code RecordDecoder} reads back.
 * The one difference is how the id is made: Debezium 3.6.1 runs {@code String.format} for it, four times per
 * single-row transaction on the connector's single decoding thread (about 6 % of that thread in the replication
 * benchmark's profile); a concatenation gives the same text. {@code DebeziumClassReplacementTest} fails once Debezium
 * is upgraded, so that the replacement is reconsidered.
 */
public class PostgresTransactionMonitor extends TransactionMonitor {

    public PostgresTransactionMonitor(CommonConnectorConfig connectorConfig, EventMetadataProvider eventMetadataProvider,
                                      SchemaNameAdjuster schemaNameAdjuster, BlockingConsumer<SourceRecord> sender,
                                      String topicName) {
        super(connectorConfig, eventMetadataProvider, schemaNameAdjuster, sender, topicName);
    }

    @Override
    protected Struct prepareTxKey(OffsetContext offsetContext) {
        return withId(new Struct(transactionKeySchema), offsetContext);
    }

    @Override
    protected Struct prepareTxBeginValue(OffsetContext offsetContext, Instant timestamp) {
        return withId(super.prepareTxBeginValue(offsetContext, timestamp), offsetContext);
    }

    @Override
    protected Struct prepareTxEndValue(OffsetContext offsetContext, Instant timestamp) {
        return withId(super.prepareTxEndValue(offsetContext, timestamp), offsetContext);
    }

    @Override
    protected Struct prepareTxStruct(OffsetContext offsetContext, long dataCollectionEventOrder, Struct value) {
        return withId(super.prepareTxStruct(offsetContext, dataCollectionEventOrder, value), offsetContext);
    }

    /** The id Debezium's copy gives: the transaction's id, a colon and the last LSN seen, in decimal. */
    static String transactionId(String txId, long lastSeenLsn) {
        return txId + ":" + lastSeenLsn;
    }

    private Struct withId(Struct txStruct, OffsetContext offsetContext) {
        long lsn = ((PostgresOffsetContext) offsetContext).asOffsetState().lastSeenLsn().asLong();
        txStruct.put(DEBEZIUM_TRANSACTION_ID_KEY, transactionId(offsetContext.getTransactionContext().getTransactionId(), lsn));
        return txStruct;
    }
}
