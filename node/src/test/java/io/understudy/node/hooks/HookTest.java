package io.understudy.node.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HookTest {

    /** Every pair of roles: a hook fires when the side (none, primary, standby) changes, once. */
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "STARTING,   STARTING,   ",
            "STARTING,   SECONDARY,  ON_SECONDARY",
            "STARTING,   PRIMARY,    ON_PRIMARY",
            "STARTING,   DEMOTED,    ON_SECONDARY",
            "STARTING,   RESYNCING,  ON_SECONDARY",
            "SECONDARY,  STARTING,   ",
            "SECONDARY,  SECONDARY,  ",
            "SECONDARY,  PRIMARY,    ON_PRIMARY",
            "SECONDARY,  DEMOTED,    ",
            "SECONDARY,  RESYNCING,  ",
            "PRIMARY,    STARTING,   ",
            "PRIMARY,    SECONDARY,  ON_SECONDARY",
            "PRIMARY,    PRIMARY,    ",
            "PRIMARY,    DEMOTED,    ON_SECONDARY",
            "PRIMARY,    RESYNCING,  ON_SECONDARY",
            "DEMOTED,    STARTING,   ",
            "DEMOTED,    SECONDARY,  ",
            "DEMOTED,    PRIMARY,    ON_PRIMARY",
            "DEMOTED,    DEMOTED,    ",
            "DEMOTED,    RESYNCING,  ",
            "RESYNCING,  STARTING,   ",
            "RESYNCING,  SECONDARY,  ",
            "RESYNCING,  PRIMARY,    ON_PRIMARY",
            "RESYNCING,  DEMOTED,    ",
            "RESYNCING,  RESYNCING,  ",
    })
    void shouldFireAHookOnlyWhenTheSideChanges(Role from, Role to, Hook expected) {
        assertThat(Hook.firedBy(from, to).orElse(null)).isEqualTo(expected);
    }
}
