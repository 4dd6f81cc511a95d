package dev.killswitch.controller.lab;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/** Specs for test labs that never collide with another test's or the operator's lab. */
final class TestLabs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestLabs() {
    }

    /**
     * A lab with a unique {@code ks-t-XXXXXX-} prefix, its files under {@code dir}, on a random port range below
     * the kernel's ephemeral ports (32768+), where a client connection could hold the port.
     */
    static LabSpec spec(Path dir, int hosts) {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        return LabSpec.of(hosts).withPrefix("ks-t-" + id + "-").withStateDir(dir.resolve("state"))
                .withInventory(dir.resolve("inventory/hosts.yml")).withSshPortBase(23000 + RANDOM.nextInt(900) * 10);
    }

    /** Runs a program in the root namespace (the ssh client, read-only ip commands). */
    static CommandRunner.Result run(String... argv) throws IOException {
        return new ProcessRunner().run(List.of(argv), null);
    }
}
