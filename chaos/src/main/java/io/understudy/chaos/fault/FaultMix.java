package io.understudy.chaos.fault;

import io.understudy.launcher.FaultProxy;
import io.understudy.workload.History;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The faults a run picks from, and the seeded order it picks them in: the first cycles go
 * through every fault once in a shuffled order, later ones pick at random. The same seed gives
 * the same sequence.
 */
public final class FaultMix {

    /**
     * Faults left out of {@code default}: none now. The database crash was, until a primary stepped down on losing
     * its database and the replicator restarted from its state row after a source crash.
     */
    public static final List<String> OPT_IN = List.of();

    private final Map<String, Supplier<Fault>> faults;

    private FaultMix(Map<String, Supplier<Fault>> faults) {
        this.faults = faults;
    }

    /** Every fault the suite knows. */
    public static Map<String, Supplier<Fault>> all(History history) {
        Map<String, Supplier<Fault>> all = new LinkedHashMap<>();
        all.put("kill-primary", KillPrimary::new);
        all.put("pause-primary-long", () -> new PausePrimary(true));
        all.put("pause-primary-short", () -> new PausePrimary(false));
        all.put("stop-zk-follower", () -> new StopZooKeeperServer(false));
        all.put("stop-zk-leader", () -> new StopZooKeeperServer(true));
        all.put("cut-zk-refuse", () -> new CutPrimaryFromZooKeeper(FaultProxy.Mode.REFUSE));
        all.put("cut-zk-blackhole", () -> new CutPrimaryFromZooKeeper(FaultProxy.Mode.BLACKHOLE));
        all.put("restart-switch", () -> new RestartSwitch(history));
        all.put("crash-primary-postgres", CrashPrimaryPostgres::new);
        return all;
    }

    /**
     * @param names fault names, {@code default} (all but {@link #OPT_IN}) or {@code all}
     * @throws IllegalArgumentException naming an unknown fault
     */
    public static FaultMix of(List<String> names, History history) {
        Map<String, Supplier<Fault>> all = all(history);
        Map<String, Supplier<Fault>> chosen = new LinkedHashMap<>();
        for (String name : names) {
            if (name.equals("all")) {
                chosen.putAll(all);
            } else if (name.equals("default")) {
                all.forEach((n, f) -> {
                    if (!OPT_IN.contains(n)) {
                        chosen.put(n, f);
                    }
                });
            } else if (all.containsKey(name)) {
                chosen.put(name, all.get(name));
            } else {
                throw new IllegalArgumentException("unknown fault '" + name + "'; known: default, all, " + all.keySet());
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no faults chosen");
        }
        return new FaultMix(chosen);
    }

    public List<String> names() {
        return List.copyOf(faults.keySet());
    }

    /** The fault names for {@code cycles} cycles: every fault once (shuffled) first, then at random. */
    public List<String> sequence(int cycles, long seed) {
        Random random = new Random(seed);
        List<String> firstRound = new ArrayList<>(faults.keySet());
        Collections.shuffle(firstRound, random);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cycles; i++) {
            out.add(i < firstRound.size() ? firstRound.get(i) : firstRound.get(random.nextInt(firstRound.size())));
        }
        return out;
    }

    public Fault create(String name) {
        return faults.get(name).get();
    }
}
