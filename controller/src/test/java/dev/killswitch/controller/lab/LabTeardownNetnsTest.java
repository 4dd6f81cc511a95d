package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labs that go away: down removes everything, and a failed up leaves nothing behind. */
@Tag("netns")
class LabTeardownNetnsTest {

    @TempDir
    Path dir;

    LabSpec spec;

    @AfterEach
    void cleanUp() {
        if (spec != null) {
            Lab.down(spec.prefix(), spec.stateDir());
        }
    }

    @Test
    void downLeavesNoNamespaceForwarderNetnsDirectoryOrFile() throws Exception {
        spec = TestLabs.spec(dir, 2);
        Lab lab = Lab.up(spec);
        List<Long> started = new ArrayList<>(lab.manifest().forwarders().values());
        for (String ns : lab.layout().namespaces()) {
            TestLabs.run("ip", "netns", "pids", ns).stdout().lines().map(Long::valueOf).forEach(started::add);
        }
        assertEquals(2, Teardown.forwarderPids(spec.prefix()).size());
        assertTrue(started.size() >= 2 + 3 * 2 + 2, "forwarders, holders, wireguard-go and sshd: " + started);

        lab.down();

        assertNothingLeft(started);
        Lab.down(spec.prefix(), spec.stateDir()); // idempotent
        assertNothingLeft(started);
    }

    @Test
    void aFailedUpTearsDownEverythingItBuilt() throws Exception {
        spec = TestLabs.spec(dir, 2);
        Map<String, String> paths = new HashMap<>(Toolbox.find().paths());
        paths.put("wireguard-go", "/bin/false"); // fails after namespaces, links and holders exist
        Toolbox broken = new Toolbox(paths);

        LabError e = assertThrows(LabError.class,
                () -> new Bringup(spec, broken, new Processes(new ProcessRunner()), line -> { }).run());

        assertTrue(e.getMessage().contains("starting wireguard-go"), e.getMessage());
        assertNothingLeft(List.of());
    }

    private void assertNothingLeft(List<Long> processes) throws Exception {
        String namespaces = TestLabs.run("ip", "netns", "list").stdout();
        assertFalse(namespaces.contains(spec.prefix()), namespaces);
        for (long pid : processes) {
            assertFalse(Processes.alive(pid), "process " + pid + " still runs: " + Processes.commandLine(pid));
        }
        assertEquals(List.of(), Teardown.forwarderPids(spec.prefix()));
        assertEquals(List.of(), Teardown.ownedNetnsDirs(spec.prefix()));
        assertFalse(Files.exists(spec.stateDir()), "state directory still exists");
        assertFalse(Files.exists(spec.inventory()), "inventory still exists");
    }
}
