package io.understudy.node.replication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sync mode's rule with any number of secondaries, as pure values: which secondaries a primary's acknowledged writes
 * are on. The primary acknowledges a write only once every <em>synchronous standby</em> has applied it; the standbys
 * are published in {@code /sync}, and while that record names any, only they may take over automatically (a secondary
 * outside it may lack acknowledged writes). Safety rests on two orders of events:
 * <ul>
 *   <li>joining: a secondary first <em>catches up</em> (it reaches the WAL position read when it was first seen; writes
 *       do not wait for it meanwhile), then is <em>confirming</em> (writes wait for it, and it must reach the WAL
 *       position read once writes began to wait for it), and only then is it published: by then it holds every write
 *       acknowledged before it was waited for, and every later one waited for it;</li>
 *   <li>leaving: a standby that lags (a write timed out on it, or it stopped reporting) is taken out of the published
 *       record before any write is acknowledged without it; the last standby stays in the record when the fallback is
 *       {@code refuse} (it alone may hold the latest acknowledged writes, so it alone may take over).</li>
 * </ul>
 *
 * @param published  the standbys in {@code /sync} (sorted)
 * @param catchingUp secondaries seen streaming, with the WAL position each must reach before writes wait for it
 * @param confirming secondaries writes wait for, with the WAL position each must reach to be published
 */
record SyncSet(List<String> published, Map<String, Long> catchingUp, Map<String, Long> confirming) {

    static final SyncSet EMPTY = new SyncSet(List.of(), Map.of(), Map.of());

    SyncSet {
        published = published.stream().sorted().distinct().toList();
        catchingUp = Map.copyOf(catchingUp);
        confirming = Map.copyOf(confirming);
    }

    /** Whom a write waits for: the published standbys and the confirming secondaries. */
    Set<String> waitFor() {
        Set<String> out = new TreeSet<>(published);
        out.addAll(confirming.keySet());
        return out;
    }

    boolean knows(String node) {
        return published.contains(node) || catchingUp.containsKey(node) || confirming.containsKey(node);
    }

    /**
     * Whether a write whose commit lies at or before {@code target} may be acknowledged: there is a published standby
     * and everyone written waits for has reported {@code target} or further.
     *
     * @param positions the furthest position each secondary reported (absent: none)
     */
    boolean confirms(long target, Map<String, Long> positions) {
        return !published.isEmpty() && waitFor().stream().allMatch(n -> positions.getOrDefault(n, -1L) >= target);
    }

    /** Of those written waits for, the ones that have not reported {@code target}. */
    List<String> lagging(long target, Map<String, Long> positions) {
        return waitFor().stream().filter(n -> positions.getOrDefault(n, -1L) < target).toList();
    }

    /** {@code node} was seen streaming: it must reach {@code walNow} before writes wait for it. */
    SyncSet catchUp(String node, long walNow) {
        return knows(node) ? this : new SyncSet(published, with(catchingUp, node, walNow), confirming);
    }

    /** Secondaries that caught up: writes should wait for them from now on. */
    List<String> caughtUp(Map<String, Long> positions) {
        return catchingUp.entrySet().stream().filter(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue())
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** Writes wait for {@code node} from now on; it is published once it reached {@code walNow}. */
    SyncSet confirm(String node, long walNow) {
        return new SyncSet(published, without(catchingUp, List.of(node)), with(confirming, node, walNow));
    }

    /** Confirming secondaries that reached their point: publish them. */
    List<String> confirmed(Map<String, Long> positions) {
        return confirming.entrySet().stream().filter(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue())
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The published list with {@code nodes} added. */
    List<String> publishedWith(Collection<String> nodes) {
        Set<String> out = new TreeSet<>(published);
        out.addAll(nodes);
        return List.copyOf(out);
    }

    /** After {@code /sync} was written with {@code nowPublished}: they are standbys, no longer confirming. */
    SyncSet published(List<String> nowPublished) {
        return new SyncSet(nowPublished, without(catchingUp, nowPublished), without(confirming, nowPublished));
    }

    /**
     * The published list once {@code nodes} leave, as it must be written before writes stop waiting for them; the
     * last standbys stay unless {@code mayEmpty} (fallback {@code async}: acknowledging without a secondary is allowed).
     */
    List<String> publishedWithout(Collection<String> nodes, boolean mayEmpty) {
        List<String> rest = published.stream().filter(n -> !nodes.contains(n)).toList();
        return rest.isEmpty() && !mayEmpty ? published : rest;
    }

    /** After {@code /sync} was written with {@code nowPublished}: {@code leaving} are neither waited for nor joining. */
    SyncSet left(Collection<String> leaving, List<String> nowPublished) {
        return new SyncSet(nowPublished, without(catchingUp, leaving), without(confirming, leaving));
    }

    private static Map<String, Long> with(Map<String, Long> map, String node, long value) {
        Map<String, Long> out = new TreeMap<>(map);
        out.put(node, value);
        return out;
    }

    private static Map<String, Long> without(Map<String, Long> map, Collection<String> nodes) {
        Map<String, Long> out = new TreeMap<>(map);
        nodes.forEach(out::remove);
        return out;
    }

    /** For logs: {@code standbys [b, c], confirming {d=...}, catching up {}}. */
    String describe() {
        return "standbys " + published + (confirming.isEmpty() ? "" : ", confirming " + new ArrayList<>(new TreeSet<>(confirming.keySet())))
                + (catchingUp.isEmpty() ? "" : ", catching up " + new ArrayList<>(new TreeSet<>(catchingUp.keySet())));
    }
}
