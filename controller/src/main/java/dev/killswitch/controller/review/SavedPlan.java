package dev.killswitch.controller.review;

import dev.killswitch.agent.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A reviewed plan, saved by {@code killswitch plan -o FILE} and applied exactly by
 * {@code killswitch apply FILE}: per host, the desired state and the fingerprint of the live state the
 * plan was made from. A host whose live state changed since is refused as stale.
 */
public record SavedPlan(String schema, String created, String play, List<Host> hosts) {
    public static final String SCHEMA = "killswitch.plan/v1";

    public SavedPlan {
        hosts = List.copyOf(hosts);
    }

    /** Everything needed to reach a host again and apply exactly what was reviewed. */
    public record Host(String host, String address, int port, String user, String privateKey, boolean become,
                       String jumpHost, String agentPath, String stateDir, String fingerprint, boolean changed,
                       String desired) {
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, Json.MAPPER.writeValueAsString(this));
    }

    public static SavedPlan read(Path file) throws IOException {
        SavedPlan p = Json.MAPPER.readValue(file.toFile(), SavedPlan.class);
        if (!SCHEMA.equals(p.schema())) {
            throw new IOException(file + " is not a saved killswitch plan (schema " + p.schema() + ")");
        }
        return p;
    }

    /** True when the file looks like a saved plan rather than a playbook. */
    public static boolean looksLikeOne(Path file) throws IOException {
        String head = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8).stripLeading();
        return head.startsWith("{") && head.contains(SCHEMA);
    }
}
