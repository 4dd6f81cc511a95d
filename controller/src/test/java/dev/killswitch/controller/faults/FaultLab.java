package dev.killswitch.controller.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.lab.FreshLab;
import dev.killswitch.controller.lab.Lab;
import dev.killswitch.controller.lab.LabHost;
import dev.killswitch.controller.lab.LabSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A lab for the fault and load suite: the {@code killswitch} CLI as a subprocess that a test may SIGKILL, the two
 * kill switch variants a rollout moves hosts between, and the fingerprints that tell "old", "new" and "in between"
 * apart on each gateway.
 */
final class FaultLab implements AutoCloseable {

    /** What an apply persists, as iptables-persistent and the agent read it. */
    static final List<String> PERSISTED = List.of("/etc/iptables/rules.v4", "/etc/iptables/rules.v6",
            "/etc/sysctl.d/99-killswitch.conf");
    static final String PENDING = "/var/lib/killswitch/pending.json";
    private static final List<String> SYSCTLS = List.of("net.ipv6.conf.all.disable_ipv6",
            "net.ipv6.conf.default.disable_ipv6");
    /** Small JVMs: the 2 cores are shared with the gateways' agents and other suites. */
    static final List<String> JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

    final Lab lab;
    final Path dir;
    /** Kill switch variant A (the shipped playbook) and B (A with SSH also on port 2222): both protect. */
    final Path playA;
    final Path playB;
    private final LabSpec spec;
    private final Path agentJar;

    private FaultLab(LabSpec spec, Lab lab, Path dir, Path agentJar) throws IOException {
        this.spec = spec;
        this.lab = lab;
        this.dir = dir;
        this.agentJar = agentJar;
        this.playA = variant("a", "[22]");
        this.playB = variant("b", "[22, 2222]");
    }

    /** Brings up {@code hosts} gateways with a unique {@code ks-f-XXXXX-} prefix; a port range in use is retried. */
    static FaultLab up(Path dir, int hosts) throws IOException {
        Path jar = Path.of(System.getProperty("killswitch.agent.jar", "../agent/target/killswitch-agent.jar"))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("no agent jar at " + jar + ": build it first (mvn -q -B -o package -DskipTests)");
        }
        return FreshLab.up("f", dir, hosts, 20000, 190, (spec, lab) -> new FaultLab(spec, lab, dir, jar));
    }

    @Override
    public void close() {
        Lab.down(spec.prefix(), spec.stateDir());
    }

    List<String> gateways() {
        return lab.hosts().stream().map(LabHost::name).toList();
    }

    private Path variant(String name, String sshPorts) throws IOException {
        Path shipped = Path.of("..", "playbooks", "killswitch.yml").toAbsolutePath().normalize();
        String text = Files.readString(shipped);
        if (!text.contains("ports: [22]")) {
            throw new AssertionError(shipped + " no longer says 'ports: [22]'; update FaultLab.variant");
        }
        Path to = dir.resolve("play-" + name + ".yml");
        Files.writeString(to, text.replace("ports: [22]", "ports: " + sshPorts));
        return to;
    }

    // ---- the killswitch CLI

    /** A running {@code killswitch} command. */
    record Started(List<String> args, Process process, Path stdout, Path stderr, long t0) {
        long pid() {
            return process.pid();
        }
    }

    /** The outcome of one {@code killswitch} command. */
    record Run(List<String> args, int exit, String stdout, String stderr, long millis) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        /** host -> status in the JSON recap. */
        Map<String, String> statuses() {
            Map<String, String> m = new LinkedHashMap<>();
            json().path("hosts").forEach(h -> m.put(h.path("host").asText(), h.path("status").asText()));
            return m;
        }

        @Override
        public String toString() {
            return "killswitch " + String.join(" ", args) + " -> exit " + exit + " in " + millis + " ms\n--- stdout\n"
                    + stdout + "--- stderr\n" + stderr;
        }
    }

    /** {@code killswitch apply --json PLAYBOOK} on this lab with a confirm timeout of {@code confirm} s, running. */
    Started startApply(Path playbook, int confirm, String... more) {
        List<String> args = new ArrayList<>(List.of("apply", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", "--json", "--confirm-timeout", Integer.toString(confirm)));
        args.addAll(List.of(more));
        args.add(playbook.toString());
        return start(args);
    }

    Started start(List<String> args) {
        try {
            Path out = Files.createTempFile(dir, "killswitch-", ".out");
            Path err = Files.createTempFile(dir, "killswitch-", ".err");
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            argv.addAll(JVM);
            argv.addAll(List.of("-Dkillswitch.agent.jar=" + agentJar, "-cp", System.getProperty("java.class.path"),
                    KillswitchMain.class.getName()));
            argv.addAll(args);
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Started(List.copyOf(args), p, out, err, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start killswitch", e);
        }
    }

    Run await(Started s) {
        try {
            if (!s.process().waitFor(300, TimeUnit.SECONDS)) {
                s.process().destroyForcibly().waitFor();
                throw new AssertionError("killswitch " + s.args() + " did not end within 300 s");
            }
            return new Run(s.args(), s.process().exitValue(), Files.readString(s.stdout()),
                    Files.readString(s.stderr()), (System.nanoTime() - s.t0()) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.process().destroyForcibly();
            throw new AssertionError("interrupted", e);
        }
    }

    Run apply(Path playbook, int confirm, String... more) {
        return await(startApply(playbook, confirm, more));
    }

    /** Applies {@code playbook} and requires every host to end changed or ok. */
    Run converge(Path playbook) {
        Run r = apply(playbook, 30);
        assertEquals(0, r.exit(), "converging on " + playbook.getFileName() + ": " + r);
        return r;
    }

    // ---- what a gateway holds

    /** The fingerprint of a gateway's live rules (every table, both families, no counters) and kill switch sysctls. */
    String live(String gw) {
        List<String> sysctl = new ArrayList<>(List.of("sysctl"));
        sysctl.addAll(SYSCTLS);
        return sha(canonical(require(gw, List.of("iptables-save")) + require(gw, List.of("ip6tables-save")))
                + require(gw, sysctl));
    }

    /** Each persisted file without comments and counters ("absent" when there is none). */
    Map<String, String> persisted(String gw) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : PERSISTED) {
            CommandRunner.Result r = lab.exec(gw, List.of("cat", f));
            m.put(f, r.exitCode() == 0 ? canonical(r.stdout()) : "absent");
        }
        return m;
    }

    /** What a gateway holds: its live fingerprint and its persisted files. */
    record State(String live, Map<String, String> persisted) {
    }

    State state(String gw) {
        return new State(live(gw), persisted(gw));
    }

    Map<String, State> states() {
        Map<String, State> m = new LinkedHashMap<>();
        gateways().forEach(gw -> m.put(gw, state(gw)));
        return m;
    }

    boolean pending(String gw) {
        return lab.exec(gw, List.of("test", "-e", PENDING)).exitCode() == 0;
    }

    /**
     * Waits until no gateway has an apply awaiting confirmation (each was confirmed or its watchdog rolled it back),
     * polling; fails after {@code limit}.
     */
    void awaitSettled(Duration limit) {
        awaitTrue("every pending apply to be confirmed or rolled back", limit,
                () -> gateways().stream().noneMatch(this::pending));
    }

    static void awaitTrue(String what, Duration limit, BooleanSupplier done) {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            pause(100);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Where a gateway ended up against the two states a fault may leave it in: "old", "new", or "IN BETWEEN: ...".
     * Live rules are compared whole; each persisted file on its own (a file is atomic, a set of files is not).
     */
    static String verdict(State now, State old, State fresh) {
        String live = now.live().equals(old.live()) ? "old" : now.live().equals(fresh.live()) ? "new" : null;
        if (live == null) {
            return "IN BETWEEN: live rules are neither the old nor the new ones";
        }
        for (String f : PERSISTED) {
            String h = now.persisted().get(f);
            if (!h.equals(old.persisted().get(f)) && !h.equals(fresh.persisted().get(f))) {
                return "IN BETWEEN: " + f + " is neither the old nor the new file: " + firstDifference(h,
                        fresh.persisted().get(f));
            }
        }
        State same = live.equals("old") ? old : fresh;
        for (String f : PERSISTED) {
            if (!now.persisted().get(f).equals(same.persisted().get(f))) {
                return live + " live, but " + f + " is not the " + live + " file: " + firstDifference(
                        now.persisted().get(f), same.persisted().get(f));
            }
        }
        return live;
    }

    private static String firstDifference(String is, String want) {
        String[] a = is.split("\n");
        String[] b = want.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(end)";
            String y = i < b.length ? b[i] : "(end)";
            if (!x.equals(y)) {
                return "line " + (i + 1) + " is '" + x + "', expected '" + y + "'";
            }
        }
        return "equal";
    }

    private String require(String gw, List<String> argv) {
        CommandRunner.Result r = lab.exec(gw, argv);
        assertEquals(0, r.exitCode(), gw + ": " + argv + ": " + r.stderr());
        return r.stdout();
    }

    /** iptables-save text without its comments and with zero counters. */
    static String canonical(String save) {
        StringBuilder sb = new StringBuilder();
        for (String line : save.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                sb.append(line.replaceAll("\\[[0-9]+:[0-9]+\\]", "[0:0]")).append('\n');
            }
        }
        return sb.toString();
    }

    static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- changing a gateway by hand

    /** Runs {@code argv} on {@code gw} after proving it runs in that gateway's own network namespace. */
    CommandRunner.Result changeByHand(String gw, List<String> argv, String stdin) {
        CommandRunner.Result where = lab.exec(gw, List.of("ip", "netns", "identify"));
        assertEquals(lab.host(gw).namespace(), where.stdout().strip(), "refusing to change a namespace that is not "
                + gw + "'s own");
        try {
            return lab.runner(gw).run(argv, stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(gw + ": " + argv, e);
        }
    }

    /** Sets the link between {@code gw} and the lab's internet up or down (the peer end, so routes survive). */
    void link(String gw, boolean up) {
        CommandRunner.Result r = lab.exec("net", List.of("ip", "link", "set", "v-" + gw, up ? "up" : "down"));
        assertEquals(0, r.exitCode(), "link of " + gw + ": " + r.stderr());
    }

    /** The pids of agent JVMs running {@code subcommand} in {@code gw}'s network namespace. */
    List<Long> agents(String gw, String subcommand) {
        String ns;
        try {
            ns = "net:[" + Files.getAttribute(Path.of("/run/netns", lab.host(gw).namespace()), "unix:ino") + "]";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains("killswitch-agent") && cmd.contains(" " + subcommand + " ")) {
                try {
                    if (Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns", "net")).toString()
                            .equals(ns)) {
                        pids.add(p.pid());
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        });
        return pids;
    }

    /** SIGKILLs a process this suite caused to run (an agent or a wrapper it blocked), by pid. */
    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
