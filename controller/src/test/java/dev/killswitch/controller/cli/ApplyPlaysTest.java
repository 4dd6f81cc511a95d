package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A playbook of several plays: one that crosses max_fail_percentage ends the playbook, and the run says so. */
class ApplyPlaysTest {

    private static final String PLAY = "- name: %s\n  hosts: gateways\n  killswitch:\n    endpoints: auto\n"
            + "    interfaces: {physical: auto, tunnel: wg0}\n";

    @Test
    void aPlayWhoseOnlyBatchFailsFinishesWithFailuresAndTheLaterPlaysAreNotRun(@TempDir Path dir) throws Exception {
        Path inventory = dir.resolve("hosts.yml");
        Files.writeString(inventory, "all:\n  children:\n    gateways:\n      hosts:\n        gw1:\n"
                + "          ansible_host: 127.0.0.1\n          ansible_port: " + deadPort() + "\n"
                + "          ansible_user: root\n          ansible_ssh_private_key_file: " + dir.resolve("key") + "\n");
        Path playbook = dir.resolve("play.yml");
        Files.writeString(playbook, String.format(PLAY, "first") + String.format(PLAY, "second"));
        Path jar = Files.writeString(dir.resolve("agent.jar"), "not run: the host is unreachable");
        Files.writeString(dir.resolve("known_hosts"), "");

        CapturedRun run = CapturedRun.of("apply", "-i", inventory.toString(), "--known-hosts",
                dir.resolve("known_hosts").toString(), "--agent-jar", jar.toString(), "--no-store", "--no-color",
                playbook.toString());

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().contains("FINISHED WITH FAILURES: 1 of 1 host(s) failed in batch 1"), run.toString());
        assertFalse(run.out().contains("STOPPED"), "the play had no batch left to stop: " + run);
        assertTrue(run.err().contains("1 later play(s) not run: 1 of 1 host(s) failed in batch 1"), run.toString());
        assertEquals(1, run.out().split("PLAY RECAP", -1).length - 1, "one play ran: " + run);
    }

    /** A TCP port on 127.0.0.1 that nobody listens on (it was free a moment ago). */
    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
