package dev.killswitch.controller.transport;

import java.nio.file.Path;
import java.time.Duration;

/** Targets for tests. */
final class Targets {

    private Targets() {
    }

    static Target named(String name) {
        return new Target(name, name + ".lab", 22, "root", Path.of("/nonexistent/id_ed25519"), false, null,
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
}
