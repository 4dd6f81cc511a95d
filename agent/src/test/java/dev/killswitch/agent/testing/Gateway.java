package dev.killswitch.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.killswitch.agent.plan.PersistedRules;

/**
 * A test gateway: its own namespace with eth0 (a veth to a peer namespace playing the admin's
 * network), a tun wg0 (no tunnel behind it: these tests are about rules), and a state dir. Addresses are the test's own: gateway 203.0.113.11,
 * peer 203.0.113.2.
 */
public final class Gateway implements AutoCloseable {
    public static final String SSH_CONNECTION = "203.0.113.2 50022 203.0.113.11 22";

    public final Netns ns;
    public final Netns peer;
    public final Path stateDir;

    public Gateway(String purpose) {
        Netns gw = Netns.create(purpose);
        Netns p = null;
        try {
            p = Netns.create(purpose + "p");
            gw.ok(List.of("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", p.name()));
            gw.ok(List.of("ip", "addr", "add", "203.0.113.11/24", "dev", "eth0"));
            gw.ok(List.of("ip", "link", "set", "eth0", "up"));
            gw.ok(List.of("ip", "tuntap", "add", "dev", "wg0", "mode", "tun"));
            gw.ok(List.of("ip", "addr", "add", "10.66.0.11/32", "dev", "wg0"));
            gw.ok(List.of("ip", "link", "set", "wg0", "up"));
            p.ok(List.of("ip", "addr", "add", "203.0.113.2/24", "dev", "eth0"));
            p.ok(List.of("ip", "link", "set", "eth0", "up"));
            this.stateDir = Files.createTempDirectory("ks-t-state-");
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.close();
            }
            gw.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        this.ns = gw;
        this.peer = p;
    }

    public static String resource(String name) {
        try (InputStream in = Gateway.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes text to a file in the state dir's parent and returns its path. */
    public Path file(String name, String text) {
        try {
            Path p = stateDir.resolveSibling(stateDir.getFileName() + "-" + name);
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Both families' rules without dated comments and packet counters (traffic, not rules): "the host did
     * not change" means this is equal. A table that is empty with ACCEPT policies counts as absent.
     */
    public String rules() {
        return withoutEmptyTables(PersistedRules.normalise(ns.save(false)))
                + withoutEmptyTables(PersistedRules.normalise(ns.save(true)));
    }

    static String withoutEmptyTables(String save) {
        StringBuilder out = new StringBuilder();
        for (String block : save.split("(?<=COMMIT\n)")) {
            boolean empty = block.lines().allMatch(l -> l.startsWith("*") || l.equals("COMMIT")
                    || l.matches(":[A-Z]+ ACCEPT \\[0:0\\]"));
            if (!empty) {
                out.append(block);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            peer.close();
        } finally {
            ns.close();
            try (var s = Files.walk(stateDir.getParent(), 1)) {
                for (Path p : s.filter(x -> x.getFileName().toString().startsWith(stateDir.getFileName().toString()))
                        .toList()) {
                    try (var w = Files.walk(p)) {
                        w.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                    }
                }
            } catch (IOException e) {
                // temp files are best effort
            }
        }
    }
}
