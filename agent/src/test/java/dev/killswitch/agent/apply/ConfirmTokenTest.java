package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confirmation tokens: each confirms only the apply whose id it names, and one that came too late (the controller
 * wrote it after its apply stopped waiting) is removed by the next apply.
 */
class ConfirmTokenTest {
    private static final String EARLIER = "11111111-1111-4111-8111-111111111111";
    private static final String LATER = "22222222-2222-4222-8222-222222222222";

    private static Applier applier(StateDir dir) {
        // no iptables here: an apply stops when it first reads the live state
        return new Applier((argv, stdin) -> {
            throw new IOException("no " + argv.get(0) + " in this test");
        }, Sysctls.proc(), dir, (root, id) -> 0, Clock.systemUTC());
    }

    private static void token(StateDir dir, String name, String content) throws IOException {
        Files.writeString(dir.confirmToken(name), content + "\n");
    }

    private static void pending(StateDir dir, String id, long millisLeft) throws IOException {
        new Pending(id, System.currentTimeMillis() + millisLeft, 0, null, null, null, null).write(dir.pending());
    }

    private static final DesiredState OPEN = DesiredStateReader.read("desired.yaml", """
            apiVersion: killswitch/v1
            kind: DesiredState
            host: gw-test
            ipv4:
              filter:
                policies: {INPUT: ACCEPT, FORWARD: ACCEPT, OUTPUT: ACCEPT}
            """);

    /** A commit-confirmed apply of open filter policies. */
    private static void apply(StateDir dir) throws IOException {
        applier(dir).apply(DesiredCompiler.compile(OPEN, new BuiltinCanonicalizer()), List.of(),
                new Applier.Options(false, null, 30));
    }

    @Test
    void aTokenOfAnEarlierApplyNeverConfirmsALaterOne(@TempDir Path root) throws Exception {
        StateDir dir = StateDir.open(root);
        token(dir, EARLIER, EARLIER);
        token(dir, LATER, EARLIER); // even under the later apply's name: the content must be its id
        pending(dir, LATER, 300);

        assertNull(applier(dir).confirmOnToken(LATER), "not confirmed by its deadline");
        assertTrue(Files.exists(dir.pending()), "still pending: its watchdog rolls it back");
    }

    @Test
    void theTokenOfItsOwnApplyConfirmsItAndIsUsedUp(@TempDir Path root) throws Exception {
        StateDir dir = StateDir.open(root);
        pending(dir, LATER, 30_000);
        token(dir, LATER, LATER);

        assertEquals(LATER, applier(dir).confirmOnToken(LATER).id());
        assertFalse(Files.exists(dir.pending()));
        assertFalse(Files.exists(dir.confirmToken(LATER)));
    }

    @Test
    void aTokenWrittenWhileTheApplyWaitsConfirmsIt(@TempDir Path root) throws Exception {
        StateDir dir = StateDir.open(root);
        pending(dir, LATER, 30_000);
        Thread controller = new Thread(() -> {
            try {
                Thread.sleep(100);
                token(dir, LATER, LATER);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        controller.start();

        assertEquals(LATER, applier(dir).confirmOnToken(LATER).id());
        controller.join();
        assertFalse(Files.exists(dir.pending()));
    }

    @Test
    void theNextApplyRemovesATokenThatCameTooLate(@TempDir Path root) throws Exception {
        StateDir dir = StateDir.open(root);
        pending(dir, EARLIER, 200);
        assertNull(applier(dir).confirmOnToken(EARLIER));
        token(dir, EARLIER, EARLIER); // the controller's write arrives after the agent stopped waiting

        IOException e = assertThrows(IOException.class, () -> apply(dir));
        assertTrue(e.getMessage().startsWith("no "), e.getMessage());
        assertFalse(Files.exists(dir.confirmToken(EARLIER)), "removed before anything else");
    }

    @Test
    void anApplyOnTopOfOneStillAwaitingItsTokenLeavesThatTokenAlone(@TempDir Path root) throws Exception {
        StateDir dir = StateDir.open(root);
        pending(dir, EARLIER, 30_000);
        token(dir, EARLIER, EARLIER);
        ApplyError e = assertThrows(ApplyError.class, () -> apply(dir));
        assertTrue(e.getMessage().contains("awaits its confirmation"), e.getMessage());
        assertTrue(Files.exists(dir.confirmToken(EARLIER)));
    }
}
