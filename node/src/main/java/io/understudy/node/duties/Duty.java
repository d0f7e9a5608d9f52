package io.understudy.node.duties;

/**
 * One primary-only duty ({@code duties.<name>.*}).
 *
 * @param name      a znode name: letters, digits, '_', '.', '-'
 * @param schedule  when it runs
 * @param command   shell command ({@code /bin/sh -c})
 * @param timeoutMs how long one run may take before its process group is stopped
 */
public record Duty(String name, Schedule schedule, String command, long timeoutMs) {
}
