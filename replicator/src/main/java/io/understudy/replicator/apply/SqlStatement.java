package io.understudy.replicator.apply;

import java.util.Collections;
import java.util.List;
import java.util.ArrayList;

/**
 * A statement ready to prepare and bind; parameters are {@link String}, {@code byte[]} or {@code null}.
 *
 * @param mustTouchOneRow true when exactly one row must be affected (an update that keeps unchanged TOAST
 *                        values cannot insert the row, so a missing row is an error, not a silent skip)
 */
public record SqlStatement(String sql, List<Object> params, boolean mustTouchOneRow) {

    public SqlStatement {
        params = Collections.unmodifiableList(new ArrayList<>(params));
    }
}
