package dev.killswitch.controller.rollout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The built agent jar, for tests that run it (the reactor builds the agent module before these tests). */
public final class BuiltAgent {
    private BuiltAgent() {
    }

    public static Path jar() {
        for (Path p : List.of(Path.of("../agent/target/killswitch-agent.jar"), Path.of("agent/target/killswitch-agent.jar"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new AssertionError("the agent jar is not built: run mvn -q -B -o package -DskipTests first");
    }
}
