package dev.killswitch.controller.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.lab.LabHost;
import dev.killswitch.controller.lab.LabLayout;
import dev.killswitch.controller.lab.ProbeKind;
import dev.killswitch.controller.lab.ProbeResult;
import dev.killswitch.controller.lab.SinkCounts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout acceptance: playbooks/killswitch.yml ({@code serial: [1, "100%"]}) rolled out by the real
 * {@code killswitch apply} over real SSH to 5 lab gateways, while an SSH session opened before it keeps ticking and
 * new SSH connections are opened to every gateway; then real packets show the tunnel works and nothing leaves eth0,
 * with the tunnel up or down, and a second run changes nothing.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutLabTest {

    private static final int HOSTS = 5;
    /** The session prints a tick every 0.2 s; a gap this long means it stalled or died. */
    private static final Duration MAX_TICK_GAP = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static E2eLab lab;
    static CommandRunner.Result rollout;
    static long rolloutStart;
    static long rolloutEnd;
    static List<Spawned.Line> ticks;
    static boolean sessionAliveAfter;
    static String sessionStderr;
    static final List<String> sshFailures = Collections.synchronizedList(new ArrayList<>());
    static final ConcurrentHashMap<String, AtomicInteger> sshSuccesses = new ConcurrentHashMap<>();

    @BeforeAll
    static void rollOutWhileWatchingSsh() throws Exception {
        lab = E2eLab.up(dir, HOSTS);
        try (Spawned session = Spawned.start(lab.ssh("gw1", "while sleep 0.2; do echo tick; done"))) {
            session.awaitLines("tick", 3, Duration.ofSeconds(30));
            AtomicBoolean done = new AtomicBoolean();
            Thread connector = new Thread(() -> connectUntil(done));
            connector.start();
            rolloutStart = System.nanoTime();
            try {
                rollout = lab.killswitch("apply", E2eLab.playbook("killswitch.yml"), "--json");
            } finally {
                rolloutEnd = System.nanoTime();
                done.set(true);
                connector.join(TimeUnit.SECONDS.toMillis(60));
            }
            // the session must still tick after the rollout, not only have survived until its last step
            int before = session.lines().size();
            session.awaitLines("tick", before + 3, Duration.ofSeconds(10));
            ticks = session.lines();
            sessionAliveAfter = session.alive();
            sessionStderr = session.stderr();
        }
    }

    /** Opens `ssh ... true` to every gateway, one round every 300 ms, until the rollout is over. */
    private static void connectUntil(AtomicBoolean done) {
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS);
        try {
            while (!done.get()) {
                List<Future<?>> round = new ArrayList<>();
                for (LabHost h : lab.lab().hosts()) {
                    round.add(pool.submit(() -> {
                        CommandRunner.Result r = E2eLab.run(lab.ssh(h.name(), "true"), Duration.ofSeconds(30));
                        if (r.exitCode() == 0) {
                            sshSuccesses.computeIfAbsent(h.name(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            sshFailures.add(h.name() + " at +" + (System.nanoTime() - rolloutStart) / 1_000_000
                                    + " ms: exit " + r.exitCode() + " " + r.stderr().strip());
                        }
                    }));
                }
                for (Future<?> f : round) {
                    f.get();
                }
                Thread.sleep(300);
            }
        } catch (Exception e) {
            sshFailures.add("the connection loop broke: " + e);
        } finally {
            pool.shutdownNow();
        }
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void theRolloutChangesAndConfirmsEveryGateway() {
        JsonNode recap = E2eLab.recap(rollout);

        assertEquals(0, rollout.exitCode(), rollout.stdout() + rollout.stderr());
        assertEquals(HOSTS, recap.path("counts").path("changed").asInt(), recap.toPrettyString());
        assertFalse(recap.path("stopped").asBoolean());
        for (JsonNode h : recap.path("hosts")) {
            assertTrue(h.path("message").asText().endsWith("confirmed by token"), h.toPrettyString());
        }
        System.out.printf("rollout of %d gateways: %.1f s (recap %d ms)%n", HOSTS,
                (rolloutEnd - rolloutStart) / 1e9, recap.path("millis").asLong());
    }

    @Test
    @Order(2)
    void anSshSessionOpenedBeforeTheRolloutKeepsTickingThroughout() {
        assertTrue(sessionAliveAfter, "the session ended: " + sessionStderr);
        long maxGap = 0;
        long inside = 0;
        for (int i = 1; i < ticks.size(); i++) {
            Spawned.Line prev = ticks.get(i - 1);
            Spawned.Line cur = ticks.get(i);
            if (cur.nanos() >= rolloutStart && prev.nanos() <= rolloutEnd) {
                maxGap = Math.max(maxGap, cur.nanos() - prev.nanos());
            }
            if (cur.nanos() >= rolloutStart && cur.nanos() <= rolloutEnd) {
                inside++;
            }
        }
        assertTrue(ticks.get(0).nanos() < rolloutStart && ticks.get(ticks.size() - 1).nanos() > rolloutEnd);
        assertTrue(maxGap < MAX_TICK_GAP.toNanos(), "the session stalled for " + maxGap / 1_000_000 + " ms");
        System.out.printf("session: %d ticks during the rollout, longest gap %d ms%n", inside, maxGap / 1_000_000);
    }

    @Test
    @Order(3)
    void newSshConnectionsToEveryGatewaySucceedDuringTheRollout() {
        assertEquals(List.of(), sshFailures);
        for (LabHost h : lab.lab().hosts()) {
            assertTrue(sshSuccesses.getOrDefault(h.name(), new AtomicInteger()).get() >= 2,
                    h.name() + " got too few connections to prove anything: " + sshSuccesses);
        }
        System.out.println("new SSH connections during the rollout: " + sshSuccesses);
    }

    @Test
    @Order(4)
    void trafficThroughWg0ReachesTheVpnPeerFromEveryGateway() throws Exception {
        lab.lab().resetCounters();
        forEachGateway(h -> {
            CommandRunner.Result ping = lab.lab().exec(h.name(), List.of("ping", "-n", "-c", "1", "-W", "3",
                    LabLayout.VPN_TUNNEL));
            assertEquals(0, ping.exitCode(), h.name() + ": " + ping.stdout() + ping.stderr());
            ProbeResult udp = lab.lab().probe(h.name(), ProbeKind.UDP_53, LabLayout.REMOTE_SINK);
            assertTrue(udp.succeeded(), h.name() + ": " + udp.detail());
        });
        SinkCounts c = lab.awaitSink(s -> lab.lab().hosts().stream().allMatch(h -> s.tunnelled(h) >= 1));
        for (LabHost h : lab.lab().hosts()) {
            assertEquals(1, c.tunnelled(h), h.name() + " through the tunnel: " + c);
            assertEquals(0, c.leaked(h), h.name() + " outside the tunnel: " + c);
        }
    }

    @Test
    @Order(5)
    void probesOutEth0ToTheSinkAreAllDropped() throws Exception {
        lab.lab().resetCounters();
        forEachGateway(h -> {
            for (ProbeKind kind : ProbeKind.values()) {
                ProbeResult r = lab.lab().probe(h.name(), kind);
                assertFalse(r.succeeded(), h.name() + " " + kind + " got out: " + r.detail());
                if (kind != ProbeKind.TCP_80) { // a dropped SYN is retried by the kernel, never refused
                    assertTrue(r.refused(), h.name() + " " + kind + ": " + r.detail());
                }
            }
        });
        assertNothingFromTheGateways("with the tunnel up");
    }

    @Test
    @Order(6)
    void aSecondRunReportsZeroChanged() {
        CommandRunner.Result again = lab.killswitch("apply", E2eLab.playbook("killswitch.yml"), "--json");
        JsonNode recap = E2eLab.recap(again);

        assertEquals(0, again.exitCode(), again.stdout() + again.stderr());
        assertEquals(0, recap.path("counts").path("changed").asInt(), recap.toPrettyString());
        assertEquals(HOSTS, recap.path("counts").path("ok").asInt(), recap.toPrettyString());
        System.out.printf("second run: %d ms%n", recap.path("millis").asLong());
    }

    @Test
    @Order(7)
    void withWg0DownProbesToBothSinksStillLeakNothing() throws Exception {
        forEachGateway(h -> {
            CommandRunner.Result down = lab.lab().exec(h.name(), List.of("ip", "link", "set", LabLayout.WG_INTERFACE,
                    "down"));
            assertEquals(0, down.exitCode(), down.stderr());
            // with the tunnel's routes gone, the routed sink is reached through eth0: the probe is a real leak test
            assertTrue(lab.lab().exec(h.name(), List.of("ip", "route", "get", LabLayout.REMOTE_SINK)).stdout()
                    .contains("dev " + LabLayout.WAN_INTERFACE));
        });
        lab.lab().resetCounters();
        forEachGateway(h -> {
            for (String target : List.of(LabLayout.SINK, LabLayout.REMOTE_SINK)) {
                for (ProbeKind kind : ProbeKind.values()) {
                    ProbeResult r = lab.lab().probe(h.name(), kind, target);
                    assertFalse(r.succeeded(), h.name() + " " + kind + " to " + target + " got out: " + r.detail());
                }
            }
            ProbeResult vpn = lab.lab().probe(h.name(), ProbeKind.ICMP, LabLayout.VPN_TUNNEL);
            assertFalse(vpn.succeeded(), h.name() + " reached the peer's tunnel address without a tunnel");
        });
        assertNothingFromTheGateways("with wg0 down");
    }

    /** Waits for the probes in flight, then: the sink got nothing from any gateway, by either address. */
    private static void assertNothingFromTheGateways(String when) throws InterruptedException {
        Thread.sleep(500);
        SinkCounts c = lab.lab().sinkCounts();
        for (LabHost h : lab.lab().hosts()) {
            assertEquals(0, c.leaked(h), h.name() + " leaked out eth0 " + when + ": " + c);
            assertEquals(0, c.tunnelled(h), h.name() + " " + when + ": " + c);
        }
        assertEquals(0, c.total(), "the sink counted packets " + when + ": " + c);
    }

    /** Runs {@code check} for every gateway at once (the TCP probes wait 1 s each) and rethrows the first failure. */
    private static void forEachGateway(java.util.function.Consumer<LabHost> check) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (LabHost h : lab.lab().hosts()) {
                all.add(pool.submit(() -> check.accept(h)));
            }
            for (Future<?> f : all) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
