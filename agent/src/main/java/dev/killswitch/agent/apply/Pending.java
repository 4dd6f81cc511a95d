package dev.killswitch.agent.apply;

import dev.killswitch.agent.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An apply waiting for {@code confirm}. Persistence waits with it: an unconfirmed ruleset must not
 * survive a reboot.
 *
 * @param deadline   epoch milliseconds after which the watchdog rolls back
 * @param persistV4  where to persist IPv4 rules on confirm, or null
 * @param sysctlFile where to persist sysctls on confirm, or null, with {@code sysctlContent}
 */
public record Pending(String id, long deadline, long watchdogPid, String persistV4, String persistV6,
                      String sysctlFile, String sysctlContent) {

    public Pending withWatchdog(long pid) {
        return new Pending(id, deadline, pid, persistV4, persistV6, sysctlFile, sysctlContent);
    }

    public Pending withDeadline(long millis) {
        return new Pending(id, millis, watchdogPid, persistV4, persistV6, sysctlFile, sysctlContent);
    }

    public void write(Path file) throws IOException {
        AtomicFile.write(file, Json.MAPPER.writeValueAsString(this), "rw-------");
    }

    /** The pending confirmation, or null. */
    public static Pending read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Json.MAPPER.readValue(file.toFile(), Pending.class) : null;
    }
}
