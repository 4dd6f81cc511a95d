package dev.killswitch.agent.observe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes sysctls under /proc/sys (per network namespace for net.*). */
public final class Sysctls {
    private final Path root;

    public Sysctls(Path root) {
        this.root = root;
    }

    public static Sysctls proc() {
        return new Sysctls(Path.of("/proc/sys"));
    }

    private Path path(String key) {
        return root.resolve(key.replace('.', '/'));
    }

    /** The value, or null when the key does not exist here. */
    public String read(String key) {
        // stream it: on some kernels a sized read of a /proc/sys file returns only its first byte
        try (java.io.BufferedReader r = Files.newBufferedReader(path(key), StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                sb.append(line).append('\n');
            }
            return sb.toString().trim();
        } catch (IOException e) {
            return null;
        }
    }

    public void write(String key, String value) throws IOException {
        Files.writeString(path(key), value + "\n", StandardCharsets.UTF_8);
    }
}
