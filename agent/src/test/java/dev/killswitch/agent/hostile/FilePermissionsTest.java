package dev.killswitch.agent.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * After a real apply in a namespace, persisted files have the owner and mode Debian's iptables-persistent gives
 * them (netfilter-persistent 1.0.20 plugins 15-ip4tables/25-ip6tables: /etc/iptables 0755 root, rules.v4 and
 * rules.v6 {@code chmod 0640}, owned by root; /etc/sysctl.d files 0644), and the state dir, lock, backup and
 * pending confirmation are root's and not writable by anyone else.
 */
@Tag("netns")
class FilePermissionsTest {
    static final Map<String, String> SSH = Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION);

    @Test
    void persistedFilesAndStateHaveIptablesPersistentModesAfterARealApply() throws Exception {
        try (Gateway gw = new Gateway("perm")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            Path etc = gw.stateDir.resolve("etc");
            Path state = gw.stateDir.resolve("var/lib/killswitch");
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml").replace("guards:",
                    "persist: {rules_v4: " + etc.resolve("iptables/rules.v4") + ", rules_v6: "
                            + etc.resolve("iptables/rules.v6") + ", sysctl: " + etc.resolve("sysctl.d/99-ks.conf")
                            + "}\nguards:"));
            CommandRunner.Result a = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--confirm-timeout", "30",
                    "--desired", desired.toString(), "--state-dir", state.toString());
            assertEquals(0, a.exitCode(), a.stderr());
            assertTrue(Files.exists(state.resolve("pending.json")), "an unconfirmed apply leaves its pending file");
            assertPrivate(state.resolve("pending.json"));
            CommandRunner.Result c = AgentProcess.run(gw.ns, null, "confirm", "--state-dir", state.toString());
            assertEquals(0, c.exitCode(), c.stderr());

            assertMode(etc.resolve("iptables"), "rwxr-xr-x");
            assertMode(etc.resolve("iptables/rules.v4"), "rw-r-----");
            assertMode(etc.resolve("iptables/rules.v6"), "rw-r-----");
            assertMode(etc.resolve("sysctl.d/99-ks.conf"), "rw-r--r--");
            assertMode(state, "rwx------");
            assertPrivate(state.resolve("lock"));
            assertPrivate(state.resolve("backup.json"));
            try (var files = Files.list(state)) {
                for (Path p : files.toList()) {
                    assertNotWritableByOthers(p);
                }
            }
        }
    }

    @Test
    void aStateDirThatOthersCanWriteIsRefusedOrTightened() throws Exception {
        try (Gateway gw = new Gateway("perm2")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            Path state = Files.createDirectories(gw.stateDir.resolve("loose"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            String before = gw.rules();
            CommandRunner.Result a = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--desired",
                    desired.toString(), "--state-dir", state.toString());
            if (a.exitCode() == 0) {
                assertNotWritableByOthers(state); // tightened before anything was written into it
            } else {
                assertEquals(1, a.exitCode(), a.stderr());
                assertTrue(a.stderr().contains(state.toString()), a.stderr());
                assertEquals(before, gw.rules(), "refused before changing anything");
            }
        }
    }

    static void assertMode(Path p, String mode) throws IOException {
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)),
                p.toString());
        assertEquals("root", Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName(), p + " owner");
        assertEquals(0, (int) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS), p + " group");
    }

    static void assertPrivate(Path p) throws IOException {
        assertMode(p, "rw-------");
    }

    static void assertNotWritableByOthers(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        assertFalse(perms.contains(PosixFilePermission.OTHERS_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE),
                p + " is " + PosixFilePermissions.toString(perms));
        assertEquals("root", Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName(), p + " owner");
    }
}
