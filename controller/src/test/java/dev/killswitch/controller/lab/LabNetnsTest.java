package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.killswitch.agent.observe.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real two-gateway lab: SSH, tunnel, LAN gateway mode, probes and the sink's counters. */
@Tag("netns")
class LabNetnsTest {

    @TempDir
    static Path dir;

    static LabSpec spec;
    static Lab lab;
    static String rootAddressesBefore;
    static String rootRoutesBefore;

    @BeforeAll
    static void up() throws Exception {
        spec = TestLabs.spec(dir, 2);
        rootAddressesBefore = TestLabs.run("ip", "-o", "addr").stdout();
        rootRoutesBefore = TestLabs.run("ip", "route").stdout();
        lab = Lab.up(spec);
    }

    @AfterAll
    static void down() {
        Lab.down(spec.prefix(), spec.stateDir());
    }

    @Test
    void theRootNamespaceGetsNoAddressAndNoRoute() throws Exception {
        assertEquals(rootAddressesBefore, TestLabs.run("ip", "-o", "addr").stdout());
        assertEquals(rootRoutesBefore, TestLabs.run("ip", "route").stdout());
    }

    @Test
    void sshWithTheLabKeyAndKnownHostsReachesEachGatewayFromTheWorkstationAddress() throws Exception {
        for (LabHost h : lab.hosts()) {
            List<String> ssh = lab.sshCommand(h.name(), "ip netns identify; echo $SSH_CLIENT");
            CommandRunner.Result r = TestLabs.run(ssh.toArray(String[]::new));

            assertEquals(0, r.exitCode(), r.stderr());
            List<String> lines = r.stdout().lines().toList();
            assertEquals(h.namespace(), lines.get(0));
            assertTrue(lines.get(1).startsWith(LabLayout.CTL + " "), lines.get(1));
        }
    }

    @Test
    void theDesignedSshCommandLineWorks() throws Exception {
        LabHost gw2 = lab.host("gw2");
        CommandRunner.Result r = TestLabs.run("ssh", "-i", lab.clientKey().toString(),
                "-o", "UserKnownHostsFile=" + lab.knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-p", Integer.toString(gw2.sshPort()), "root@127.0.0.1", "true");

        assertEquals(0, r.exitCode(), r.stderr());
    }

    @Test
    void aSessionOnTheGatewaySeesItsOwnWireguardConfigAndInterface() throws Exception {
        CommandRunner.Result r = TestLabs.run(lab.sshCommand("gw2", "cat /etc/wireguard/wg0.conf; wg show wg0 endpoints")
                .toArray(String[]::new));

        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("Address = 10.66.0.12/32"), r.stdout());
        assertTrue(r.stdout().contains("Endpoint = 203.0.113.1:51820"), r.stdout());
        assertTrue(r.stdout().contains("\t203.0.113.1:51820"), r.stdout());
    }

    @Test
    void eachGatewayPingsTheVpnPeerThroughWg0() {
        for (LabHost h : lab.hosts()) {
            assertTrue(lab.exec(h.name(), List.of("ip", "route", "get", LabLayout.VPN_TUNNEL)).stdout().contains("dev wg0"));
            CommandRunner.Result r = lab.exec(h.name(), List.of("ping", "-n", "-c", "1", "-W", "3", LabLayout.VPN_TUNNEL));

            assertEquals(0, r.exitCode(), h.name() + ": " + r.stdout() + r.stderr());
        }
    }

    @Test
    void theLanClientReachesTheVpnPeerThroughGw1() {
        CommandRunner.Result r = lab.exec("lan1", List.of("ping", "-n", "-c", "1", "-W", "3", LabLayout.VPN_TUNNEL));

        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @Test
    void lanTrafficLeavesGw1MasqueradedInsideTheTunnel() {
        LabHost gw1 = lab.host("gw1");
        long before = lab.sinkCounts().tunnelled(gw1);

        ProbeResult r = lab.probe("lan1", ProbeKind.UDP_53, LabLayout.REMOTE_SINK);

        assertTrue(r.succeeded(), r.detail());
        awaitCount(c -> c.tunnelled(gw1), before + 1);
    }

    @Test
    void aUdpProbeToTheSinkIsCountedUnderTheGatewaysAddress() {
        LabHost gw2 = lab.host("gw2");
        long before = lab.sinkCounts().leaked(gw2);

        ProbeResult r = lab.probe("gw2", ProbeKind.UDP_53);

        assertFalse(r.refused(), r.detail());
        assertTrue(r.succeeded(), r.detail());
        awaitCount(c -> c.leaked(gw2), before + 1);
    }

    @Test
    void aProbeToTheRoutedSinkGoesThroughTheTunnel() {
        LabHost gw2 = lab.host("gw2");
        SinkCounts before = lab.sinkCounts();

        assertTrue(lab.probe("gw2", ProbeKind.ICMP, LabLayout.REMOTE_SINK).succeeded());

        awaitCount(c -> c.tunnelled(gw2), before.tunnelled(gw2) + 1);
        assertEquals(before.leaked(gw2), lab.sinkCounts().leaked(gw2));
    }

    @Test
    void aDropInOutputMakesProbesRefusedAndNothingReachesTheSink() {
        LabHost gw2 = lab.host("gw2");
        List<String> rule = List.of("OUTPUT", "-o", "eth0", "-d", LabLayout.SINK, "-j", "DROP");
        assertEquals(0, lab.exec("gw2", cat(List.of("iptables", "-I"), rule)).exitCode());
        try {
            long before = lab.sinkCounts().leaked(gw2);

            ProbeResult udp = lab.probe("gw2", ProbeKind.UDP_53);
            ProbeResult icmp = lab.probe("gw2", ProbeKind.ICMP);
            ProbeResult tcp = lab.probe("gw2", ProbeKind.TCP_80);

            assertTrue(udp.refused(), udp.detail());
            assertTrue(icmp.refused(), icmp.detail());
            assertFalse(tcp.succeeded(), tcp.detail());
            assertEquals(before, lab.sinkCounts().leaked(gw2));
        } finally {
            assertEquals(0, lab.exec("gw2", cat(List.of("iptables", "-D"), rule)).exitCode());
        }
    }

    @Test
    void resetCountersSetsEveryCounterToZero() {
        lab.probe("gw1", ProbeKind.ICMP);
        awaitCount(c -> c.leaked(lab.host("gw1")) > 0 ? 1 : 0, 1);

        lab.resetCounters();

        SinkCounts c = lab.sinkCounts();
        assertEquals(0, c.leaked(lab.host("gw1")));
    }

    @Test
    void statusShowsEveryGatewayHealthy() {
        LabStatus s = Lab.status(spec.stateDir());

        assertEquals(List.of("gw1", "gw2"), s.hosts().stream().map(h -> h.host().name()).toList());
        assertTrue(s.healthy(), s.toString());
    }

    @Test
    void theInventoryListsBothGatewaysAndGw1AsTheLanGateway() throws Exception {
        JsonNode children = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(spec.inventory()))
                .path("all").path("children");

        assertEquals(lab.host("gw2").sshPort(), children.path("gateways").path("hosts").path("gw2").path("ansible_port").asInt());
        assertTrue(children.path("lan_gateways").path("hosts").has("gw1"));
        assertFalse(children.path("lan_gateways").path("hosts").has("gw2"));
    }

    @Test
    void aSecondLabWithTheSamePrefixIsRefused() {
        LabError e = org.junit.jupiter.api.Assertions.assertThrows(LabError.class,
                () -> Lab.up(spec.withStateDir(dir.resolve("other")).withSshPortBase(spec.sshPortBase() + 5)));

        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    private static List<String> cat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Packets cross the veths asynchronously: wait briefly for a counter to reach {@code expected}. */
    private static void awaitCount(ToLongFunction<SinkCounts> counter, long expected) {
        long got = -1;
        for (int i = 0; i < 100; i++) {
            got = counter.applyAsLong(lab.sinkCounts());
            if (got >= expected) {
                assertEquals(expected, got);
                return;
            }
            Processes.pause(10);
        }
        assertEquals(expected, got);
    }
}
