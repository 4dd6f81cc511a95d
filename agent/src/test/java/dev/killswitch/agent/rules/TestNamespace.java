package dev.killswitch.agent.rules;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A named network namespace a test creates for itself ({@code ks-t-rules-<random>}) and deletes when
 * closed. iptables only ever runs inside it, after checking that the namespace really is this one.
 */
final class TestNamespace implements AutoCloseable {

    final String name;
    private final CommandRunner runner = new ProcessRunner();

    private TestNamespace(String name) {
        this.name = name;
    }

    static TestNamespace create() throws IOException {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        String name = String.format("ks-t-rules-%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
        TestNamespace ns = new TestNamespace(name);
        CommandRunner.Result r = ns.runner.run(List.of("ip", "netns", "add", name), null);
        if (!r.ok()) {
            throw new IOException("ip netns add " + name + ": " + r.stderr());
        }
        CommandRunner.Result id = ns.runner.run(List.of("ip", "netns", "exec", name, "ip", "netns", "identify"), null);
        if (!id.ok() || !id.stdout().strip().equals(name)) {
            ns.close();
            throw new IOException("namespace " + name + " does not identify as itself: " + id.stdout() + id.stderr());
        }
        return ns;
    }

    /** Runs {@code argv} inside the namespace. */
    CommandRunner.Result exec(String stdin, String... argv) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(argv));
        return runner.run(full, stdin);
    }

    @Override
    public void close() throws IOException {
        runner.run(List.of("ip", "netns", "delete", name), null);
    }
}
