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
        try {
            return Files.readString(path(key), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    public void write(String key, String value) throws IOException {
        Files.writeString(path(key), value + "\n", StandardCharsets.UTF_8);
    }
}
