package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.lab.FreshLab;
import dev.killswitch.controller.lab.Lab;
import dev.killswitch.controller.lab.LabSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-gateway lab for one test class, and the {@code killswitch} CLI run against it as a subprocess, the way
 * an operator runs it: each test resets the gateways to an open baseline first, and compares snapshots of what the
 * gateways hold to prove what changed and what did not.
 */
final class RolloutLab implements AutoCloseable {

    static final List<String> GATEWAYS = List.of("gw1", "gw2", "gw3");
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The open baseline: both families' filter tables present, empty, every policy ACCEPT. */
    private static final String OPEN_FILTER = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
            + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n";
    private static final List<String> SYSCTLS = List.of("net.ipv6.conf.all.disable_ipv6",
            "net.ipv6.conf.default.disable_ipv6");
    /** What an apply persists and what the agent keeps between runs (the lock and its log are left out). */
    static final List<String> PERSISTED = List.of("/etc/iptables/rules.v4", "/etc/iptables/rules.v6",
            "/etc/sysctl.d/99-killswitch.conf");
    static final List<String> AGENT_STATE = List.of("/var/lib/killswitch/backup.json",
            "/var/lib/killswitch/pending.json");
    private static final long COMMAND_TIMEOUT_SECONDS = 300;

    final LabSpec spec;
    final Lab lab;
    final Path dir;
    private final Path agentJar;

    private RolloutLab(LabSpec spec, Lab lab, Path dir, Path agentJar) {
        this.spec = spec;
        this.lab = lab;
        this.dir = dir;
        this.agentJar = agentJar;
    }

    /**
     * Brings up a lab of three gateways under {@code dir}, with a unique prefix and a random SSH port range below
     * the ephemeral ports; a port range another lab holds is retried with another.
     */
    static RolloutLab up(Path dir, String tag) {
        Path jar = agentJar();
        try {
            return FreshLab.up(tag, dir, GATEWAYS.size(), 23000, 900, (spec, lab) -> new RolloutLab(spec, lab, dir, jar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the lab; safe to call when it is already gone. */
    @Override
    public void close() {
        Lab.down(spec.prefix(), spec.stateDir());
    }

    /** The inventory {@code lab up} wrote: group gateways = gw1, gw2, gw3 (in that order). */
    Path inventory() {
        return lab.inventory();
    }

    Path knownHosts() {
        return lab.knownHosts();
    }

    // ---- the killswitch CLI

    /** The outcome of one {@code killswitch} command. */
    record Run(List<String> args, int exit, String stdout, String stderr, long millis) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        /** The recap's entry for {@code host} in {@code --json} output. */
        JsonNode host(String host) {
            for (JsonNode h : json().path("hosts")) {
                if (h.path("host").asText().equals(host)) {
                    return h;
                }
            }
            throw new AssertionError("no host " + host + " in the recap: " + this);
        }

        /** The PLAY RECAP line of {@code host} in text output ("gw1   : ok=0 changed=0 unreachable=1 ..."). */
        String recapLine(String host) {
            return stdout.lines().filter(l -> l.startsWith(host + " ") && l.contains(" : ok=")).findFirst()
                    .orElseThrow(() -> new AssertionError("no recap line for " + host + " in: " + this));
        }

        @Override
        public String toString() {
            return "killswitch " + String.join(" ", args) + " -> exit " + exit + " in " + millis + " ms\n--- stdout\n"
                    + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code killswitch ARGS} to its end. */
    Run killswitch(String... args) {
        return await(start(args));
    }

    /** A running {@code killswitch} command, so that the test can watch the gateways meanwhile. */
    record Started(List<String> args, Process process, Path stdout, Path stderr, long t0) {
    }

    Started start(String... args) {
        try {
            Path out = Files.createTempFile(dir, "killswitch-", ".out");
            Path err = Files.createTempFile(dir, "killswitch-", ".err");
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-XX:TieredStopAtLevel=1", "-Dkillswitch.agent.jar=" + agentJar, "-cp",
                    System.getProperty("java.class.path"), KillswitchMain.class.getName()));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Started(List.of(args), p, out, err, System.nanoTime());
        } catch (IOException e) {
            throw new AssertionError("cannot start killswitch: " + e, e);
        }
    }

    Run await(Started s) {
        try {
            if (!s.process().waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                s.process().destroyForcibly().waitFor();
                fail("killswitch " + String.join(" ", s.args()) + " did not end within " + COMMAND_TIMEOUT_SECONDS
                        + " s; output so far:\n" + Files.readString(s.stdout()) + Files.readString(s.stderr()));
            }
            return new Run(s.args(), s.process().exitValue(), Files.readString(s.stdout()), Files.readString(s.stderr()),
                    (System.nanoTime() - s.t0()) / 1_000_000);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.process().destroyForcibly();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---- what a gateway holds

    /**
     * What a gateway holds: its rules in both families (without counters and timestamps), the sysctls the kill switch
     * sets, and the checksums of the files an apply persists or keeps.
     */
    record Snapshot(String rules, String sysctls, String files) {
        boolean lockedDown() {
            return rules.contains(":INPUT DROP");
        }
    }

    Snapshot snapshot(String gw) {
        String rules = require(gw, List.of("iptables-save")).stdout() + require(gw, List.of("ip6tables-save")).stdout();
        List<String> sysctl = new ArrayList<>(List.of("sysctl"));
        sysctl.addAll(SYSCTLS);
        List<String> sums = new ArrayList<>(List.of("sha256sum"));
        sums.addAll(PERSISTED);
        sums.addAll(AGENT_STATE);
        // sha256sum lists the files that exist and complains about the others: only the list matters
        String files = lab.exec(gw, sums).stdout();
        return new Snapshot(canonicalSave(rules), require(gw, sysctl).stdout(), files);
    }

    /** iptables-save text without its timestamp comments and with zero counters, so that equal rules compare equal. */
    static String canonicalSave(String save) {
        StringBuilder sb = new StringBuilder();
        for (String line : save.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                sb.append(line.replaceAll("\\[[0-9]+:[0-9]+\\]", "[0:0]")).append('\n');
            }
        }
        return sb.toString();
    }

    /** True when {@code path} exists on the gateway (in its own /etc and /var/lib/killswitch). */
    boolean exists(String gw, String path) {
        return lab.exec(gw, List.of("test", "-e", path)).exitCode() == 0;
    }

    // ---- changing a gateway by hand

    /** Puts every gateway back to the open baseline: open filter tables, IPv6 on, nothing persisted or pending. */
    void reset() {
        for (String gw : GATEWAYS) {
            changeByHand(gw, List.of("iptables-restore"), OPEN_FILTER);
            changeByHand(gw, List.of("ip6tables-restore"), OPEN_FILTER);
            List<String> sysctl = new ArrayList<>(List.of("sysctl", "-q", "-w"));
            SYSCTLS.forEach(k -> sysctl.add(k + "=0"));
            changeByHand(gw, sysctl, null);
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(PERSISTED);
            rm.addAll(AGENT_STATE);
            changeByHand(gw, rm, null);
        }
    }

    /**
     * Runs a command that changes {@code gw}, after proving it runs in that gateway's own named network namespace
     * (never the root one).
     */
    void changeByHand(String gw, List<String> argv, String stdin) {
        CommandRunner.Result where = lab.exec(gw, List.of("ip", "netns", "identify"));
        assertEquals(lab.host(gw).namespace(), where.stdout().strip(), "refusing to change a namespace that is not "
                + gw + "'s own");
        try {
            CommandRunner.Result r = lab.runner(gw).run(argv, stdin);
            assertEquals(0, r.exitCode(), gw + ": " + argv + ": " + r.stderr());
        } catch (IOException e) {
            throw new AssertionError(gw + ": " + argv + ": " + e, e);
        }
    }

    /** A new SSH login to {@code gw} (the ssh client, from the operator's address) within 5 s. */
    boolean sshWorks(String gw) {
        return sshWorks(gw, 5);
    }

    /** A new SSH login to {@code gw} within {@code seconds} (connection and handshake). */
    boolean sshWorks(String gw, int seconds) {
        List<String> argv = new ArrayList<>(lab.sshCommand(gw, "true"));
        argv.addAll(1, List.of("-o", "ConnectTimeout=" + seconds));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private CommandRunner.Result require(String gw, List<String> argv) {
        CommandRunner.Result r = lab.exec(gw, argv);
        assertEquals(0, r.exitCode(), gw + ": " + argv + ": " + r.stderr());
        return r;
    }

    // ---- files for the commands

    /** Copies the test resource {@code e2e2/NAME} into the test's directory. */
    Path resource(String name) {
        Path to = dir.resolve(name);
        try (InputStream in = RolloutLab.class.getResourceAsStream("/e2e2/" + name)) {
            if (in == null) {
                throw new AssertionError("no test resource e2e2/" + name);
            }
            Files.createDirectories(to.getParent());
            Files.write(to, in.readAllBytes());
            return to;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The lab's inventory as a tree, to write edited copies of it. */
    ObjectNode inventoryTree() {
        try {
            return (ObjectNode) YAML.readTree(inventory().toFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A gateway's variables in {@link #inventoryTree()}. */
    static ObjectNode hostVars(ObjectNode inventory, String gw) {
        return (ObjectNode) inventory.path("all").path("children").path("gateways").path("hosts").path(gw);
    }

    Path write(String name, Object yamlTree) {
        Path to = dir.resolve(name);
        try {
            Files.createDirectories(to.getParent());
            YAML.writeValue(to.toFile(), yamlTree);
            return to;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A TCP port on 127.0.0.1 that nobody listens on (it was free a moment ago). */
    static int deadPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Path agentJar() {
        for (Path p : List.of(Path.of("../agent/target/killswitch-agent.jar"), Path.of("agent/target/killswitch-agent.jar"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new AssertionError("the agent jar is not built: run mvn -q -B -o package -DskipTests first");
    }

}
