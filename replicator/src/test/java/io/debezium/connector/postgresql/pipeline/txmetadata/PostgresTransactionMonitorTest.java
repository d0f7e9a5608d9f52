package io.debezium.connector.postgresql.pipeline.txmetadata;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replacement gives transactions the id Debezium's copy gives them; {@code RecordDecoder} reads it back. */
class PostgresTransactionMonitorTest {

    @Test
    void shouldMakeTheIdDebeziumsCopyMakes() {
        for (String txId : new String[] {"771", "4294967295", null}) {
            for (long lsn : new long[] {0L, 23_456_789L, Long.MAX_VALUE}) {
                assertThat(PostgresTransactionMonitor.transactionId(txId, lsn))
                        .isEqualTo(String.format("%s:%s", txId, Long.toString(lsn)));
            }
        }
    }
}
