package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.history.JdbcHistory;
import dev.killswitch.controller.hostile.Leaks;
import dev.killswitch.controller.transport.AgentInstaller;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
 * A one-gateway lab, real SSH with a passphrase-protected key, the real agent: a run writes no secret anywhere
 * (key material, the passphrase, environment secrets, a variable's value) in its output, saved plan, history store,
 * HTML report or on the gateway; a missing or wrong passphrase changes no host; and an agent jar tampered with on
 * the gateway is replaced before it runs and never executed.
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TamperedJarAndSecretsLabTest {
    static final String GW = "gw1";
    static final String AGENT = "/var/lib/killswitch/agent/killswitch-agent.jar";
    static final SecureRandom RANDOM = new SecureRandom();

    static final String PASSPHRASE_ENV = "KILLSWITCH_SSH_KEY_PASSPHRASE";

    Path dir;
    String passphrase;
    Path encryptedKey;
    LabSpec spec;
    Lab lab;
    final Path jar = Path.of("../agent/target/killswitch-agent.jar").toAbsolutePath().normalize();
    final Path playbook = Path.of("../playbooks/killswitch.yml").toAbsolutePath().normalize();

    @BeforeAll
    void up() throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(jar), "build the agent jar first: mvn -q -B -o package -DskipTests");
        dir = Files.createTempDirectory("ks-t-hostile-lab-");
        spec = TestLabs.spec(dir, 1);
        lab = Lab.up(spec);
        // the lab's key, passphrase-protected, as an operator's key would be
        passphrase = "ks-pass-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        encryptedKey = dir.resolve("id_ed25519_passphrase");
        Files.copy(lab.clientKey(), encryptedKey);
        Files.setPosixFilePermissions(encryptedKey, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-p", "-P", "", "-N", passphrase, "-f",
                encryptedKey.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "ssh-keygen -p: " + out);
        assertTrue(Files.readString(encryptedKey).contains("OPENSSH PRIVATE KEY"));
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

    /** {@code killswitch ARGS} as its own process, with {@code env} added to its environment; it must exit so. */
    Run killswitch(Map<String, String> env, int exit, String... args) throws Exception {
        Run r = killswitch(env, args);
        assertEquals(exit, r.exit(), String.join(" ", args) + ":\n" + r.stdout() + r.stderr());
        return r;
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
    void noKeyMaterialPassphraseEnvironmentSecretOrVariableValueAppearsInAnythingARunWrites() throws Exception {
        String envSecret = "ks-env-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        String varSecret = "ks-var-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        String wrongPassphrase = "ks-wrong-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        Map<String, String> env = Map.of("KILLSWITCH_TEST_SECRET", envSecret, PASSPHRASE_ENV, passphrase);
        String inv = lab.inventory().toString();
        String kh = lab.knownHosts().toString();
        String keyVar = "ansible_ssh_private_key_file=" + encryptedKey;
        Path saved = dir.resolve("review.plan");
        Path storeFile = Files.createDirectories(dir.resolve("store")).resolve("history");
        String store = JdbcHistory.h2Url(storeFile);
        Path html = dir.resolve("fleet.html");
        Leaks leaks = new Leaks().privateKey(lab.clientKey()).privateKey(encryptedKey)
                .secret(PASSPHRASE_ENV, passphrase).secret("a wrong passphrase", wrongPassphrase)
                .secret("KILLSWITCH_TEST_SECRET", envSecret).secret("extra var vault_password", varSecret);

        Map<String, Run> runs = new LinkedHashMap<>();
        runs.put("plan -o", killswitch(env, 2, "plan", "-i", inv, "--known-hosts", kh, "--no-color", "-e", keyVar,
                "-e", "vault_password=" + varSecret, playbook.toString(), "-o", saved.toString()));
        runs.put("apply saved plan --json", killswitch(env, 0, "apply", saved.toString(), "--known-hosts", kh,
                "--json", "--store", store));
        runs.put("apply --json", killswitch(env, 0, "apply", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                keyVar, "-e", "vault_password=" + varSecret, playbook.toString(), "--json", "--store", store));
        runs.put("plan (text)", killswitch(env, 0, "plan", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                keyVar, "-e", "vault_password=" + varSecret, playbook.toString()));
        runs.put("drift --once", killswitch(env, 0, "drift", "-i", inv, "--known-hosts", kh, "--no-color", "-e",
                keyVar, playbook.toString(), "--once", "--store", store));
        // a failure is recorded too, with its message: it must name the key file, never the passphrase tried
        Map<String, String> wrong = Map.of("KILLSWITCH_TEST_SECRET", envSecret, PASSPHRASE_ENV, wrongPassphrase);
        runs.put("drift --once (wrong passphrase)", killswitch(wrong, 1, "drift", "-i", inv, "--known-hosts", kh,
                "--no-color", "-e", keyVar, playbook.toString(), "--once", "--store", store));
        Run history = killswitch(env, 0, "history", "--json", "--store", store);
        runs.put("history --json", history);
        runs.put("report --html", killswitch(env, 0, "report", "--html", html.toString(), "--store", store));

        assertTrue(runs.get("drift --once (wrong passphrase)").stdout().contains("does not decrypt private key "
                + encryptedKey), runs.get("drift --once (wrong passphrase)").stdout());
        for (String outcome : List.of("changed", "in-sync", "unreachable")) {
            assertTrue(history.stdout().contains(outcome), "the store holds a result " + outcome + ": "
                    + history.stdout());
        }
        runs.forEach((name, r) -> leaks.add(name + " stdout", r.stdout()).add(name + " stderr", r.stderr()));
        leaks.addFile(saved);
        // the store's files as bytes (H2's .mv.db, and any trace file), and the page made from it
        leaks.addFile(storeFile.getParent());
        // the grep sees what the store holds: its pages keep text as plain bytes (not compressed)
        assertTrue(new String(Files.readAllBytes(Path.of(storeFile + ".mv.db")), StandardCharsets.ISO_8859_1)
                .contains("does not decrypt private key " + encryptedKey), "the stored failure message is in the file");
        leaks.addFile(html);
        assertTrue(Files.readString(html).contains(GW), "the page shows the gateway");
        // what the agent left on the gateway: its state (backup, lock, watchdog log), persisted rules and sysctls
        leaks.add("gateway files", gateway("sh", "-c", "find /var/lib/killswitch /etc/iptables /etc/sysctl.d -type f"
                + " ! -name '*.jar' ! -name '*.jsa' -exec cat {} +"));
        assertTrue(leaks.outputs() >= 20, "searched " + leaks.outputs());
        assertEquals(List.of(), leaks.found());
    }

    @Test
    @Order(2)
    void aMissingOrWrongKeyPassphraseFailsNamingTheKeyFileAndChangesNoHost() throws Exception {
        String inv = lab.inventory().toString();
        String kh = lab.knownHosts().toString();
        String keyVar = "ansible_ssh_private_key_file=" + encryptedKey;
        // a real change: the shipped kill switch with SSH also on port 2222
        Path variant = dir.resolve("killswitch-2222.yml");
        Files.writeString(variant, Files.readString(playbook).replace("ports: [22]", "ports: [22, 2222]"));
        Run pending = killswitch(Map.of(PASSPHRASE_ENV, passphrase), 2, "plan", "-i", inv, "--known-hosts", kh,
                "--no-color", "-e", keyVar, variant.toString());
        assertTrue(pending.stdout().contains("2222"), pending.stdout());
        String before = gatewayState();

        Run missing = killswitch(Map.of(), 1, "apply", "-i", inv, "--known-hosts", kh, "--no-color", "-e", keyVar,
                variant.toString(), "--no-store");
        assertTrue(missing.stdout().contains("private key " + encryptedKey + " is encrypted and " + PASSPHRASE_ENV
                + " is not set"), missing.stdout() + missing.stderr());
        assertEquals(before, gatewayState(), "no host changed");
        Run wrong = killswitch(Map.of(PASSPHRASE_ENV, "not-" + passphrase), 1, "apply", "-i", inv, "--known-hosts",
                kh, "--no-color", "-e", keyVar, variant.toString(), "--no-store");
        assertTrue(wrong.stdout().contains("the passphrase in " + PASSPHRASE_ENV + " does not decrypt private key "
                + encryptedKey), wrong.stdout() + wrong.stderr());
        assertFalse((wrong.stdout() + wrong.stderr()).contains(passphrase));
        assertEquals(before, gatewayState(), "no host changed");
    }

    /** The gateway's live rules (both families, no counters), persisted files and agent state files. */
    String gatewayState() {
        return gateway("sh", "-c", "iptables -S; ip6tables -S; cat /etc/iptables/rules.v4 /etc/iptables/rules.v6 "
                + "/etc/sysctl.d/99-killswitch.conf; ls -l --time-style=+%s.%N /var/lib/killswitch");
    }

    @Test
    @Order(3)
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
