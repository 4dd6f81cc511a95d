package dev.killswitch.agent.testing;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace that a test creates and always deletes: every test host is one. Names carry the
 * {@code ks-t-} prefix and a random suffix. Nothing here ever runs in the root namespace except
 * {@code ip netns add/del/pids} and the processes it starts inside the namespace.
 */
public final class Netns implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final CommandRunner RUN = new ProcessRunner();

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code ks-t-<purpose>-<random>} with loopback up. */
    public static Netns create(String purpose) {
        String name = "ks-t-" + purpose + "-" + Integer.toHexString(RANDOM.nextInt(0x1000000) | 0x1000000).substring(1);
        Netns ns = new Netns(name);
        ns.host(List.of("ip", "netns", "add", name));
        try {
            ns.ok(List.of("ip", "link", "set", "lo", "up"));
            String who = ns.ok(List.of("ip", "netns", "identify")).trim();
            if (!who.equals(name)) {
                throw new IllegalStateException("ip netns identify says '" + who + "', expected " + name);
            }
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs argv inside the namespace. */
    public CommandRunner.Result exec(List<String> argv, String stdin) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        try {
            return RUN.run(full, stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs argv inside the namespace and returns stdout; fails the test on a non-zero exit. */
    public String ok(List<String> argv) {
        return ok(argv, null);
    }

    public String ok(List<String> argv, String stdin) {
        CommandRunner.Result r = exec(argv, stdin);
        if (!r.ok()) {
            throw new IllegalStateException(name + ": " + argv + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** iptables-save (or ip6tables-save) of this namespace without the dated comment lines. */
    public String save(boolean ipv6) {
        String out = ok(List.of(ipv6 ? "ip6tables-save" : "iptables-save"));
        StringBuilder sb = new StringBuilder();
        for (String l : out.split("\n")) {
            if (!l.startsWith("#")) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    /** Loads restore text into the namespace (full restore, as a test fixture). */
    public void restore(String text, boolean ipv6) {
        ok(List.of(ipv6 ? "ip6tables-restore" : "iptables-restore"), text);
    }

    private void host(List<String> argv) {
        try {
            CommandRunner.Result r = RUN.run(argv, null);
            if (!r.ok()) {
                throw new IllegalStateException(argv + " exited " + r.exitCode() + ": " + r.stderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills whatever still runs inside (watchdogs, daemons) and deletes the namespace. */
    @Override
    public void close() {
        try {
            CommandRunner.Result pids = RUN.run(List.of("ip", "netns", "pids", name), null);
            for (String p : pids.stdout().split("\\s+")) {
                if (!p.isBlank()) {
                    ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            RUN.run(List.of("ip", "netns", "del", name), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
