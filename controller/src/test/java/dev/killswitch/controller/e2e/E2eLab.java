package dev.killswitch.controller.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.lab.Lab;
import dev.killswitch.controller.lab.LabHost;
import dev.killswitch.controller.lab.LabSpec;
import dev.killswitch.controller.lab.SinkCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab for the end-to-end tests and the ways they act on it: the {@code killswitch} CLI as a subprocess (as an
 * operator runs it), the ssh client, and programs inside the lab's namespaces.
 */
final class E2eLab implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Small JVMs: the lab's 2 cores are shared with the gateways and their agents. */
    private static final List<String> JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

    private final LabSpec spec;
    private final Lab lab;

    private E2eLab(LabSpec spec, Lab lab) {
        this.spec = spec;
        this.lab = lab;
    }

    /**
     * Brings up {@code hosts} gateways with a unique {@code ks-e2e-XXXXX-} prefix, files under {@code dir}, SSH on a
     * random port range (12000..19999) that the lab tests' own range (23000+) and the default lab (22000) avoid.
     */
    static E2eLab up(Path dir, int hosts) {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        LabSpec spec = LabSpec.of(hosts).withPrefix("ks-e2e-" + id + "-").withStateDir(dir.resolve("state"))
                .withInventory(dir.resolve("inventory/hosts.yml")).withSshPortBase(12000 + RANDOM.nextInt(790) * 10);
        try {
            return new E2eLab(spec, Lab.up(spec));
        } catch (RuntimeException e) {
            Lab.down(spec.prefix(), spec.stateDir());
            throw e;
        }
    }

    Lab lab() {
        return lab;
    }

    LabHost host(String name) {
        return lab.host(name);
    }

    /** The sink's counters once {@code ready} holds, or after 2 s: packets cross the veths asynchronously. */
    SinkCounts awaitSink(java.util.function.Predicate<SinkCounts> ready) {
        SinkCounts c = lab.sinkCounts();
        for (int i = 0; i < 100 && !ready.test(c); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = lab.sinkCounts();
        }
        return c;
    }

    /** {@code argv} run inside {@code node}'s network namespace (only the network namespace). */
    List<String> inside(String node, String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", lab.namespaceOf(node)));
        full.addAll(List.of(argv));
        return full;
    }

    /** A Java program from the test classpath, started inside {@code node}'s network namespace. */
    Spawned javaInside(String node, Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(inside(node, "java"));
        argv.addAll(JVM);
        argv.addAll(List.of("-cp", classpath(), main.getName()));
        argv.addAll(List.of(args));
        return Spawned.start(argv);
    }

    /** The ssh client logging in to gateway {@code name} as root with the lab's key, checking its host key. */
    List<String> ssh(String name, String remote) {
        LabHost h = lab.host(name);
        return List.of("ssh", "-i", lab.clientKey().toString(), "-o", "UserKnownHostsFile=" + lab.knownHosts(),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "ConnectTimeout=10", "-p", Integer.toString(h.sshPort()), "root@127.0.0.1", remote);
    }

    /** Runs a program to its end, stdin closed, killing it after {@code timeout}. */
    static CommandRunner.Result run(List<String> argv, Duration timeout) {
        try (Spawned p = Spawned.start(argv)) {
            p.closeInput();
            int code = p.awaitExit(timeout);
            return new CommandRunner.Result(code, p.stdout(), p.stderr());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv, e);
        }
    }

    /** The killswitch CLI as a subprocess, on this lab's inventory and known_hosts. */
    CommandRunner.Result killswitch(String command, Path playbook, String... more) {
        return run(killswitchArgv(command, playbook, more), Duration.ofMinutes(5));
    }

    /** The killswitch CLI as a subprocess left running (a scheduled service), on this lab's inventory. */
    Spawned startKillswitch(String command, Path playbook, String... more) {
        return Spawned.start(killswitchArgv(command, playbook, more));
    }

    private List<String> killswitchArgv(String command, Path playbook, String... more) {
        List<String> argv = new ArrayList<>(List.of("java"));
        argv.addAll(JVM);
        argv.addAll(List.of("-Dkillswitch.agent.jar=" + agentJar(), "-cp", classpath(),
                "dev.killswitch.controller.cli.KillswitchMain", command, "-i", lab.inventory().toString(),
                "--known-hosts", lab.knownHosts().toString(), "--no-color", playbook.toString()));
        argv.addAll(List.of(more));
        return argv;
    }

    /** {@code killswitch apply --json}: the recap, after checking the run printed one. */
    static JsonNode recap(CommandRunner.Result r) {
        try {
            return Json.MAPPER.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("no JSON recap (exit " + r.exitCode() + "): " + r.stdout() + r.stderr(), e);
        }
    }

    /** A playbook shipped in the repository's playbooks/. */
    static Path playbook(String name) {
        Path p = Path.of("..", "playbooks", name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("no playbook " + p + " (tests run from controller/)");
        }
        return p;
    }

    private static Path agentJar() {
        Path p = Path.of(System.getProperty("killswitch.agent.jar", "../agent/target/killswitch-agent.jar"))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("no agent jar at " + p + ": build it first (mvn -q -B -o package -DskipTests)");
        }
        return p;
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    @Override
    public void close() {
        Lab.down(spec.prefix(), spec.stateDir());
    }
}
