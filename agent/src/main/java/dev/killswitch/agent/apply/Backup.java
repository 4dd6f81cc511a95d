package dev.killswitch.agent.apply;

import dev.killswitch.agent.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The live state an apply started from, kept so that a rollback can return to it.
 *
 * @param ownership family key to owned table to ignore globs, as the apply used them
 * @param rules     family key to the iptables-save text before the apply
 * @param sysctls   sysctl key to its value before the apply (null when it did not exist)
 */
public record Backup(String created, String fingerprint, Map<String, Map<String, List<String>>> ownership,
                     Map<String, String> rules, Map<String, String> sysctls) {

    public void write(Path file) throws IOException {
        AtomicFile.write(file, Json.MAPPER.writeValueAsString(this), "rw-------");
    }

    public static Backup read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ApplyError("no backup in " + file.getParent() + ": nothing to roll back to");
        }
        return Json.MAPPER.readValue(file.toFile(), Backup.class);
    }
}
