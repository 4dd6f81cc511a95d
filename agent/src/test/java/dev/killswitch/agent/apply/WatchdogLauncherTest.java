package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detached watchdog waits without a JVM until shortly before its deadline. */
class WatchdogLauncherTest {

    @Test
    void aFarDeadlineIsAwaitedInAPlainSleepThatConfirmCanStop(@TempDir Path dir) throws Exception {
        pending(dir, "far", 60_000);
        ProcessHandle watchdog = ProcessHandle.of(WatchdogLauncher.detached().launch(dir, "far")).orElseThrow();
        try {
            Thread.sleep(300);
            assertTrue(watchdog.isAlive());
            String program = watchdog.info().command().orElse("");
            assertTrue(!program.endsWith("java"), "no JVM yet: " + program);
            String line = watchdog.info().commandLine().orElse("");
            assertTrue(line.contains("watchdog"), "confirm recognises it by name: " + line);
            List<String> children = watchdog.children().map(c -> c.info().command().orElse("")).toList();
            assertEquals(1, children.size(), children.toString());
            assertTrue(children.get(0).endsWith("sleep"), children.toString());
        } finally {
            watchdog.children().forEach(ProcessHandle::destroy);
            watchdog.destroy();
        }
        assertTrue(!watchdog.onExit().get(10, TimeUnit.SECONDS).isAlive());
    }

    @Test
    void aNearDeadlineStartsTheWatchdogAtOnce(@TempDir Path dir) throws Exception {
        pending(dir, "near", 1_000);
        ProcessHandle watchdog = ProcessHandle.of(WatchdogLauncher.detached().launch(dir, "near")).orElseThrow();
        // the JVM finds its apply pending, waits for the deadline and rolls back; here the backup is missing, so it
        // fails, but only after it ran: its log names the watchdog's work, not a sleep
        watchdog.onExit().get(60, TimeUnit.SECONDS);
        String log = Files.readString(dir.resolve("watchdog.log"));
        assertTrue(log.contains("backup"), log);
    }

    private static void pending(Path dir, String id, long inMillis) throws Exception {
        new Pending(id, System.currentTimeMillis() + inMillis, 0, null, null, null, null)
                .write(StateDir.open(dir).pending());
    }
}
