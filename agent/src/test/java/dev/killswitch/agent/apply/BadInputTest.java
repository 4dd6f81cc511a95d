package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input ends with exit 1, a message naming file, line and field, and an unchanged host. */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    static final Map<String, String> SSH = Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION);
    static final String GOOD = Gateway.resource("killswitch/desired.yaml");

    Gateway gw;

    @BeforeAll
    void up() {
        gw = new Gateway("bad");
        gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
    }

    @AfterAll
    void down() {
        gw.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("malformed YAML", "apiVersion: killswitch/v1\nkind: [DesiredState\n", ":", ""),
                Arguments.of("unknown key", GOOD.replace("host: gw-test", "host: gw-test\nhots: typo"),
                        ":7", "hots"),
                Arguments.of("wrong apiVersion", GOOD.replace("killswitch/v1", "killswitch/v9"), ":4",
                        "apiVersion"),
                Arguments.of("bad CIDR", GOOD.replace("-s 203.0.113.0/24 -p tcp", "-s 203.0.113.0/33 -p tcp"),
                        ":13", "ipv4.filter.chains.INPUT[1]"),
                Arguments.of("bad port", GOOD.replace("--dport 51820", "--dport 70000"), ":20",
                        "ipv4.filter.chains.OUTPUT[2]"),
                Arguments.of("rule iptables-restore rejects",
                        GOOD.replace("- -o wg0 -j ACCEPT", "- -o wg0 -m nosuchmatch --foo 1 -j ACCEPT"), ":22",
                        "ipv4.filter.chains.OUTPUT[4]"),
                Arguments.of("shell metacharacters in an interface",
                        GOOD.replace("- -i lo -j ACCEPT\n        - -i eth0 -s",
                                "- -i 'lo;reboot' -j ACCEPT\n        - -i eth0 -s"), ":12",
                        "ipv4.filter.chains.INPUT[0]"),
                Arguments.of("shell metacharacters in a comment",
                        GOOD.replace("- -o wg0 -j ACCEPT", "- -o wg0 -m comment --comment \"$(id)\" -j ACCEPT"),
                        ":22", "ipv4.filter.chains.OUTPUT[4]"),
                Arguments.of("shell metacharacters in a chain name",
                        GOOD.replace("      OUTPUT:\n        - -o lo", "      x`id`:\n        - -j RETURN\n      OUTPUT:\n        - -o lo"),
                        ":17", "ipv4.filter.chains"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedWithFileLineAndField(String what, String yaml, String line, String field) {
        Path file = gw.file(what.replace(' ', '-') + ".yaml", yaml);
        String before = gw.rules();
        for (String cmd : new String[] {"plan", "apply"}) {
            CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, SSH, null, cmd, "--desired", file.toString(),
                    "--state-dir", gw.stateDir.toString());
            assertEquals(1, r.exitCode(), what + " " + cmd + ": " + r.stdout() + r.stderr());
            assertTrue(r.stderr().contains(file.toString() + line), what + ": names file and line: " + r.stderr());
            assertTrue(r.stderr().contains(field), what + ": names the field " + field + ": " + r.stderr());
        }
        assertEquals(before, gw.rules(), what + ": the host is unchanged");
    }

    @Test
    void aStaleFingerprintIsRefused() {
        Path file = gw.file("good.yaml", GOOD);
        String before = gw.rules();
        CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--desired", file.toString(),
                "--state-dir", gw.stateDir.toString(), "--expect-fingerprint", "sha256:0000");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("plan is stale"), r.stderr());
        assertEquals(before, gw.rules());
    }

    @Test
    void aSecondApplyWhileTheLockIsHeldIsRefused() throws Exception {
        Path file = gw.file("good.yaml", GOOD);
        String before = gw.rules();
        Files.createDirectories(gw.stateDir);
        try (FileChannel ch = FileChannel.open(gw.stateDir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--desired",
                    file.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("holds the lock"), r.stderr());
        }
        assertEquals(before, gw.rules());
    }
}
