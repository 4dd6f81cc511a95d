package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.hostile.Leaks;
import dev.killswitch.controller.transport.AgentInstaller;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A one-gateway lab, real SSH, the real agent: a rollout writes no secret anywhere (key material, environment
 * secrets, a variable's value), and an agent jar tampered with on the gateway is replaced before it runs and
 * never executed.
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TamperedJarAndSecretsLabTest {
    static final String GW = "gw1";
    static final String AGENT = "/var/lib/killswitch/agent/killswitch-agent.jar";
    static final SecureRandom RANDOM = new SecureRandom();

    Path dir;
    LabSpec spec;
    Lab lab;
    final Path jar = Path.of("../agent/target/killswitch-agent.jar").toAbsolutePath().normalize();
    final Path playbook = Path.of("../playbooks/killswitch.yml").toAbsolutePath().normalize();

    @BeforeAll
    void up() throws IOException {
        assertTrue(Files.isRegularFile(jar), "build the agent jar first: mvn -q -B -o package -DskipTests");
        dir = Files.createTempDirectory("ks-t-hostile-lab-");
        spec = TestLabs.spec(dir, 1);
        lab = Lab.up(spec);
    }

    @AfterAll
    void down() throws IOException {
        try {
            if (spec != null) {
                Lab.down(spec.prefix(), spec.stateDir());
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    record Run(int exit, String stdout, String stderr) {
    }

    /** {@code killswitch ARGS} as its own process, with {@code env} added to its environment. */
    Run killswitch(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "ks-", ".out");
        Path err = Files.createTempFile(dir, "ks-", ".err");
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Dkillswitch.agent.jar=" + jar, "-cp", System.getProperty("java.class.path"),
                KillswitchMain.class.getName()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("killswitch " + String.join(" ", args) + " did not end in 300 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    String gateway(String... argv) {
        CommandRunner.Result r = lab.exec(GW, List.of(argv));
        assertEquals(0, r.exitCode(), String.join(" ", argv) + ": " + r.stderr());
        return r.stdout();
    }

    @Test
    @Order(1)
    void noKeyMaterialEnvironmentSecretOrVariableValueAppearsInAnythingARolloutWrites() throws Exception {
        String envSecret = "ks-env-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        String varSecret = "ks-var-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        Map<String, String> env = Map.of("KILLSWITCH_TEST_SECRET", envSecret);
        String inv = lab.inventory().toString();
        String kh = lab.knownHosts().toString();
        Path saved = dir.resolve("review.plan");
        Leaks leaks = new Leaks().privateKey(lab.clientKey()).secret("KILLSWITCH_TEST_SECRET", envSecret)
                .secret("extra var vault_password", varSecret);

        Run plan = killswitch(env, "plan", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                "vault_password=" + varSecret, playbook.toString(), "-o", saved.toString());
        assertEquals(2, plan.exit(), plan.stdout() + plan.stderr());
        Run apply = killswitch(env, "apply", saved.toString(), "--known-hosts", kh, "--json");
        assertEquals(0, apply.exit(), apply.stdout() + apply.stderr());
        Run again = killswitch(env, "apply", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                "vault_password=" + varSecret, playbook.toString(), "--json");
        assertEquals(0, again.exit(), again.stdout() + again.stderr());
        Run text = killswitch(env, "plan", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                "vault_password=" + varSecret, playbook.toString());
        assertEquals(0, text.exit(), text.stdout() + text.stderr());

        for (var r : Map.of("plan", plan, "apply saved plan --json", apply, "apply --json", again, "plan (text)", text)
                .entrySet()) {
            leaks.add(r.getKey() + " stdout", r.getValue().stdout()).add(r.getKey() + " stderr", r.getValue().stderr());
        }
        leaks.addFile(saved);
        // what the agent left on the gateway: its state (backup, lock, watchdog log), persisted rules and sysctls
        leaks.add("gateway files", gateway("sh", "-c", "find /var/lib/killswitch /etc/iptables /etc/sysctl.d -type f"
                + " ! -name '*.jar' ! -name '*.jsa' -exec cat {} +"));
        assertTrue(leaks.outputs() >= 10);
        assertEquals(List.of(), leaks.found());
    }

    @Test
    @Order(2)
    void anAgentJarTamperedWithOnTheGatewayIsReplacedBeforeItRunsAndNeverExecuted() throws Exception {
        Path marker = dir.resolve("tampered-jar-ran");
        Path evil = evilJar(marker);
        // the stand-in would leave its mark if anything ran it
        CommandRunner.Result probe = lab.exec(GW, List.of("java", "-jar", evil.toString()));
        assertEquals(0, probe.exitCode(), probe.stderr());
        assertTrue(Files.deleteIfExists(marker), "the stand-in jar marks its runs");

        String sha = new AgentInstaller(Files.readAllBytes(jar)).sha256();
        Run first = killswitch(Map.of(), "plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", playbook.toString());
        assertTrue(first.exit() == 0 || first.exit() == 2, first.stdout() + first.stderr());
        for (int round = 0; round < 2; round++) {
            gateway("cp", evil.toString(), AGENT);
            assertFalse(gateway("sha256sum", AGENT).startsWith(sha));
            Run r = killswitch(Map.of(), "plan", "-i", lab.inventory().toString(), "--known-hosts",
                    lab.knownHosts().toString(), "--no-color", playbook.toString());
            assertTrue(r.exit() == 0 || r.exit() == 2, r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("agent uploaded"), "replaced: " + r.stdout());
            assertTrue(gateway("sha256sum", AGENT).startsWith(sha), "the gateway holds the local jar again");
            assertFalse(Files.exists(marker), "the tampered jar never ran");
        }
    }

    /** A jar whose main writes {@code marker}: what an attacker would put in the agent's place. */
    Path evilJar(Path marker) throws IOException {
        Path src = Files.createDirectories(dir.resolve("evil"));
        Files.writeString(src.resolve("Evil.java"), "public class Evil { public static void main(String[] a) throws "
                + "Exception { java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marker + "\"), "
                + "String.join(\" \", a)); } }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.toString(),
                src.resolve("Evil.java").toString()));
        Path out = dir.resolve("evil.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Evil");
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream j = new JarOutputStream(os, m)) {
            j.putNextEntry(new JarEntry("Evil.class"));
            j.write(Files.readAllBytes(src.resolve("Evil.class")));
            j.closeEntry();
        }
        return out;
    }
}
