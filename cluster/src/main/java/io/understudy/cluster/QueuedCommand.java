package io.understudy.cluster;

/**
 * An operator command waiting under {@code /commands/}, with the znode that holds it.
 *
 * @param znode   the znode's name ({@code command-0000000007}); sequence order is handling order
 * @param command what is requested
 */
public record QueuedCommand(String znode, CommandRecord command) {
}
