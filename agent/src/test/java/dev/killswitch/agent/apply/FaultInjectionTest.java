package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** An iptables-restore that fails mid-way leaves the host byte for byte as it was. */
@Tag("netns")
class FaultInjectionTest {
    static final Map<String, String> SSH = Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION);

    @Test
    void aRestoreThatFailsMidwayChangesNothing() {
        try (Gateway gw = new Gateway("fault")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            String before = gw.rules();
            // builtin passes the unknown module through; the kernel refuses it in the middle of the transaction
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml")
                    .replace("- -i eth0 -p udp --sport 67 --dport 68 -j ACCEPT",
                            "- -i eth0 -p udp --sport 67 --dport 68 -m nosuchmodule --nope 1 -j ACCEPT"));
            CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--canonicalizer", "builtin",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains(":15"), "names the line of the refused rule: " + r.stderr());
            assertEquals(before, gw.rules(), "byte for byte unchanged");
        }
    }

    @Test
    void anIpv6FailureAfterIpv4WasAppliedRollsIpv4Back() {
        try (Gateway gw = new Gateway("fault6")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            String before = gw.rules();
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml")
                    .replace("OUTPUT: [-o lo -j ACCEPT]", "OUTPUT: [-o lo -m nosuchmodule --nope 1 -j ACCEPT]"));
            CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--canonicalizer", "builtin",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(before, gw.rules(), "IPv4 was rolled back byte for byte");
        }
    }
}
