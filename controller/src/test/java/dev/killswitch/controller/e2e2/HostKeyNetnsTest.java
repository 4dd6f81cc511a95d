package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * known_hosts holds another key for gw2 (as after a man in the middle, or a reinstall nobody checked): gw2 is refused
 * with a clear host key error before anything runs on it, and the other gateways are applied.
 */
@Tag("netns")
class HostKeyNetnsTest {

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2k");
    static RolloutLab lab;
    static Path playbook;
    static Path wrongKnownHosts;
    static String wrongKnownHostsText;
    static String otherFingerprint;

    @BeforeAll
    static void files() throws Exception {
        lab = FIXTURE.lab();
        playbook = lab.resource("killswitch.yml");
        String other = otherEd25519Key();
        String port = "[127.0.0.1]:" + lab.lab.host("gw2").sshPort() + " ";
        String address = lab.lab.host("gw2").address() + " ";
        List<String> lines = new ArrayList<>();
        int replaced = 0;
        for (String line : Files.readAllLines(lab.knownHosts())) {
            if (line.startsWith(port) || line.startsWith(address)) {
                line = line.substring(0, line.indexOf(' ') + 1) + other;
                replaced++;
            }
            lines.add(line);
        }
        assertEquals(2, replaced, "gw2's two known_hosts entries");
        wrongKnownHosts = lab.dir.resolve("known_hosts.wrong");
        Files.write(wrongKnownHosts, lines);
        wrongKnownHostsText = Files.readString(wrongKnownHosts);
    }

    @Test
    void aHostWithTheWrongKeyIsRefusedUntouchedAndTheOthersAreApplied() throws Exception {
        RolloutLab.Run run = lab.killswitch("apply", "-i", lab.inventory().toString(), "--known-hosts",
                wrongKnownHosts.toString(), "--json", playbook.toString());

        assertEquals(1, run.exit(), run.toString());
        assertEquals("failed", run.host("gw2").path("status").asText(), run.toString());
        String why = run.host("gw2").path("message").asText();
        assertTrue(why.startsWith("HOST KEY MISMATCH for gw2 (127.0.0.1:" + lab.lab.host("gw2").sshPort() + ")"), why);
        assertTrue(why.contains(" but " + wrongKnownHosts + " expects ssh-ed25519 " + otherFingerprint), why);
        assertTrue(why.contains("Nothing was run."), why);
        assertEquals(FIXTURE.before("gw2"), lab.snapshot("gw2"), "nothing changed on gw2");
        assertEquals("changed", run.host("gw1").path("status").asText(), "the canary");
        assertEquals("changed", run.host("gw3").path("status").asText(), "gw3, in gw2's batch");
        for (String gw : List.of("gw1", "gw3")) {
            assertTrue(lab.snapshot(gw).lockedDown(), gw);
        }
        assertEquals(wrongKnownHostsText, Files.readString(wrongKnownHosts), "known_hosts is not rewritten");
    }

    @Test
    void trustOnFirstUseDoesNotAcceptAChangedKey() throws Exception {
        RolloutLab.Run run = lab.killswitch("apply", "-i", lab.inventory().toString(), "--known-hosts",
                wrongKnownHosts.toString(), "--accept-new-host-keys", "--json", "--limit", "gw2", playbook.toString());

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.host("gw2").path("message").asText().startsWith("HOST KEY MISMATCH for gw2"), run.toString());
        assertEquals(FIXTURE.before("gw2"), lab.snapshot("gw2"));
        assertEquals(wrongKnownHostsText, Files.readString(wrongKnownHosts), "known_hosts is not rewritten");
    }

    @Test
    void withTheRightKeyTheSamePlaybookGoesThroughOnThatHost() {
        RolloutLab.Run run = lab.killswitch("plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--limit", "gw2", playbook.toString());

        assertEquals(2, run.exit(), "the refusals are the key's doing, not the playbook's: " + run);
        assertEquals("changed", run.host("gw2").path("status").asText());
    }

    /** A fresh ed25519 public key ("ssh-ed25519 AAAA..."), not the one gw2 holds. */
    private static String otherEd25519Key() throws Exception {
        Path key = lab.dir.resolve("other_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "not-gw2", "-f",
                key.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));
        Process fp = new ProcessBuilder("ssh-keygen", "-l", "-f", key.toString() + ".pub").start();
        String line = new String(fp.getInputStream().readAllBytes()); // "256 SHA256:... not-gw2 (ED25519)"
        assertTrue(fp.waitFor(30, TimeUnit.SECONDS) && fp.exitValue() == 0, line);
        otherFingerprint = line.split("\\s+")[1];
        String[] pub = Files.readString(key.resolveSibling("other_ed25519.pub")).trim().split("\\s+");
        return pub[0] + " " + pub[1];
    }
}
