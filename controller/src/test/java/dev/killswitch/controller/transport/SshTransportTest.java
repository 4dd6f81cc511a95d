package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SshTransportTest {

    @TempDir
    Path dir;

    @Test
    void aMissingPrivateKeyIsReportedBeforeAnyConnectionIsMade() {
        Target target = Targets.named("gw3");
        Unreachable e = assertThrows(Unreachable.class,
                () -> new SshTransport(dir.resolve("known_hosts"), false).connect(target));
        assertEquals("host gw3 (gw3.lab:22): private key /nonexistent/id_ed25519 does not exist or is not readable",
                e.getMessage());
    }

    @Test
    void theGatewayEnforcesTheCommandTimeoutWithCoreutilsTimeout() {
        assertEquals(List.of("timeout", "-k", "5s", "1.500s", "sleep", "9"),
                SshConnection.deadline(Duration.ofMillis(1500), List.of("sleep", "9")));
        assertEquals(List.of("timeout", "-k", "5s", "600.000s", "true"),
                SshConnection.deadline(Duration.ofMinutes(10), List.of("true")));
    }

    @Test
    void becomeGoesOutsideTheTimeoutSoTheTimeoutRunsAsRoot() {
        String line = RemoteCommand.line(RemoteCommand.argv(true,
                SshConnection.deadline(Duration.ofSeconds(2), List.of("iptables-save"))));
        assertTrue(line.startsWith("'sudo' '-n' '--' 'timeout' "), line);
    }
}
