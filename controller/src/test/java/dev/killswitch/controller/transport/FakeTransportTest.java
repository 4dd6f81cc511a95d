package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FakeTransportTest {

    @Test
    void answersCommandsFromTheScriptWithHostArgvAndStdin() throws Exception {
        FakeTransport fake = new FakeTransport((host, argv, stdin) ->
                new ExecResult(argv.size(), host + ":" + String.join(",", argv), new String(stdin, StandardCharsets.UTF_8)));
        try (Connection connection = fake.connect(Targets.named("gw3"))) {
            ExecResult result = connection.exec(List.of("cat", "-"), "in".getBytes(StandardCharsets.UTF_8), null);
            assertEquals(new ExecResult(2, "gw3:cat,-", "in"), result);
        }
        assertEquals(1, fake.connects());
        assertEquals(1, fake.execs());
        assertEquals(0, fake.openConnections());
    }

    @Test
    void unreachableHostsFailToConnectAfterTheirConnectLatency() {
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok(),
                host -> new FakeTransport.Latency(Duration.ofSeconds(5), Duration.ZERO), slept::add,
                host -> host.equals("gw7"));
        Unreachable e = assertThrows(Unreachable.class, () -> fake.connect(Targets.named("gw7")));
        assertEquals("gw7", e.host());
        assertTrue(e.getMessage().contains("gw7"), e.getMessage());
        assertEquals(List.of(Duration.ofSeconds(5)), slept);
        assertEquals(1, fake.refused());
        assertEquals(0, fake.connects());
    }

    @Test
    void latencyIsWaitedThroughTheInjectedSleeperPerConnectAndPerCommand() throws Exception {
        AtomicLong virtualNanos = new AtomicLong();
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok(),
                host -> new FakeTransport.Latency(Duration.ofMillis(40), Duration.ofMillis(15)),
                duration -> virtualNanos.addAndGet(duration.toNanos()), host -> false);
        try (Connection connection = fake.connect(Targets.named("gw1"))) {
            connection.exec(List.of("true"), null, null);
            connection.exec(List.of("true"), null, null);
        }
        assertEquals(Duration.ofMillis(70).toNanos(), virtualNanos.get());
    }

    @Test
    void aCommandSlowerThanItsTimeoutTimesOutAfterTheTimeout() throws Exception {
        List<Duration> slept = new ArrayList<>();
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok(),
                host -> new FakeTransport.Latency(Duration.ZERO, Duration.ofMinutes(5)), slept::add, host -> false);
        try (Connection connection = fake.connect(Targets.named("gw1"))) {
            CommandTimeout e = assertThrows(CommandTimeout.class,
                    () -> connection.exec(List.of("sleep", "300"), null, Duration.ofSeconds(2)));
            assertEquals(Duration.ofSeconds(2), e.timeout());
        }
        assertEquals(List.of(Duration.ofSeconds(2)), slept);
    }

    @Test
    void uploadsAreStoredPerHostAndAnsweredBySha256AndMove() throws Exception {
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok());
        byte[] content = "jar".getBytes(StandardCharsets.UTF_8);
        try (Connection connection = fake.connect(Targets.named("gw1"))) {
            assertNull(connection.sha256("/opt/a"));
            connection.upload(content, "/opt/a.tmp", 0640);
            connection.move("/opt/a.tmp", "/opt/a");
            assertEquals(Digests.sha256Hex(content), connection.sha256("/opt/a"));
            assertNull(connection.sha256("/opt/a.tmp"));
            assertThrows(RemoteError.class, () -> connection.move("/opt/missing", "/opt/b"));
        }
        assertArrayEquals(content, fake.file("gw1", "/opt/a").content());
        assertEquals(0640, fake.file("gw1", "/opt/a").mode());
        assertNull(fake.file("gw2", "/opt/a"));
        assertEquals(1, fake.uploads());
    }

    @Test
    void aClosedConnectionRefusesFurtherCommands() throws Exception {
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok());
        Connection connection = fake.connect(Targets.named("gw1"));
        connection.close();
        connection.close();
        assertEquals(0, fake.openConnections());
        assertThrows(Unreachable.class, () -> connection.exec(List.of("true"), null, null));
    }

    @Test
    void countsConnectionsOpenAtOnceAcrossThreads() throws Exception {
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok(),
                host -> new FakeTransport.Latency(Duration.ZERO, Duration.ofMillis(20)), FakeTransport.Sleeper.real(),
                host -> false);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String host = "gw" + i;
                runs.add(pool.submit(() -> {
                    try (Connection connection = fake.connect(Targets.named(host))) {
                        return connection.exec(List.of("true"), null, null);
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(32, fake.connects());
        assertEquals(0, fake.openConnections());
        assertTrue(fake.maxOpenConnections() > 1 && fake.maxOpenConnections() <= 8, "" + fake.maxOpenConnections());
    }

    @Test
    void tenThousandHostsRunWithoutPerHostStateOrWaiting() throws Exception {
        FakeTransport fake = new FakeTransport(FakeTransport.Script.ok(),
                host -> FakeTransport.Latency.NONE, FakeTransport.Sleeper.none(), host -> host.endsWith("13"));
        byte[] jar = new byte[64 * 1024];
        AgentInstaller installer = new AgentInstaller(jar);
        int unreachable = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            try (Connection connection = fake.connect(Targets.named("gw" + i))) {
                installer.install(connection);
                connection.exec(List.of("java", "-jar", AgentInstaller.DEFAULT_PATH, "apply"), null, null);
            } catch (Unreachable e) {
                unreachable++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(100, unreachable);
        assertEquals(9_900, fake.uploads());
        assertTrue(millis < 10_000, "10,000 simulated hosts took " + millis + " ms");
    }
}
