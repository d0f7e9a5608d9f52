package io.understudy.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void shouldSizeColumnsToTheirWidestCellAndSetTheTitleIntoTheTopBorder() {
        String text = new Table("Cluster: local", "Node", "Role", "Lag ms").row("a *", "PRIMARY", "-").row("b", "SECONDARY", 12)
                .render();

        assertThat(text).isEqualTo("""
                + Cluster: local --+--------+
                | Node | Role      | Lag ms |
                +------+-----------+--------+
                | a *  | PRIMARY   | -      |
                | b    | SECONDARY | 12     |
                +------+-----------+--------+
                """);
    }

    @Test
    void shouldPrintMissingAndNullCellsEmptyAndRefuseTooManyCells() {
        assertThat(new Table(null, "a", "b").row((Object) null).render()).contains("|   |   |");
        assertThatThrownBy(() -> new Table("t", "a").row(1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepATitleLongerThanTheTable() {
        assertThat(new Table("a very long title indeed", "x").row("1").render()).startsWith("+ a very long title indeed +\n");
    }
}
