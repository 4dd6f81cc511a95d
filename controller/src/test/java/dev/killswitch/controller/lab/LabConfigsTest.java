package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabConfigsTest {

    private static final LabLayout LAYOUT = LabLayout.of(LabSpec.of(2).withPrefix("ks-t-abc123-").withSshPortBase(30000));

    @Test
    void theInventoryPublishesEveryGatewayOnLoopbackWithTheLabKeyAndItsKillSwitchVariables() throws Exception {
        String text = LabConfigs.inventory(LAYOUT, Path.of("/s/id_ed25519"), Path.of("/s/known_hosts"));
        JsonNode children = new ObjectMapper(new YAMLFactory()).readTree(text).path("all").path("children");

        JsonNode gw2 = children.path("gateways").path("hosts").path("gw2");
        assertEquals("127.0.0.1", gw2.path("ansible_host").asText());
        assertEquals(30002, gw2.path("ansible_port").asInt());
        assertEquals("root", gw2.path("ansible_user").asText());
        assertEquals("/s/id_ed25519", gw2.path("ansible_ssh_private_key_file").asText());
        assertEquals("-o UserKnownHostsFile=/s/known_hosts -o StrictHostKeyChecking=yes",
                gw2.path("ansible_ssh_common_args").asText());
        assertEquals("203.0.113.250", gw2.path("killswitch_lab_sink").asText());
        assertEquals("203.0.113.1:51820", gw2.path("vpn_endpoint").asText());
        assertEquals("ks-t-abc123-gw2", gw2.path("lab_namespace").asText());
        assertEquals(List.of("gw1"), fieldNames(children.path("lan_gateways").path("hosts")));
        assertEquals("172.31.77.0/24", children.path("gateways").path("hosts").path("gw1").path("lan_subnet").asText());
        assertTrue(text.startsWith(LabConfigs.INVENTORY_MARKER + "\n"));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void knownHostsNamesTheGatewayByItsPublishedPortAndByItsAddress() {
        assertEquals(List.of("[127.0.0.1]:30001 ssh-ed25519 AAAAC3Nz", "203.0.113.11 ssh-ed25519 AAAAC3Nz"),
                LabConfigs.knownHostsLines(LAYOUT.host("gw1"), "ssh-ed25519 AAAAC3Nz gw1.ks-t-abc123-lab\n"));
    }

    @Test
    void theGatewayTunnelIsAFullTunnelToTheVpnPeerAndTheWgQuickFormAddsItsAddress() {
        String quick = LabConfigs.gatewayWgQuick(LAYOUT.host("gw2"), "PRIV", "VPNPUB");

        assertTrue(quick.contains("[Interface]\nAddress = 10.66.0.12/32\nPrivateKey = PRIV\n"), quick);
        assertTrue(quick.contains("PublicKey = VPNPUB\nEndpoint = 203.0.113.1:51820\nAllowedIPs = 0.0.0.0/0\n"), quick);
        assertTrue(!LabConfigs.gatewaySetconf("PRIV", "VPNPUB").contains("Address"));
    }

    @Test
    void theVpnPeerAllowsEachGatewayItsOwnTunnelAddress() {
        String conf = LabConfigs.vpnSetconf("VPRIV", LAYOUT.hosts(), Map.of("gw1", "K1", "gw2", "K2"));

        assertTrue(conf.startsWith("[Interface]\nPrivateKey = VPRIV\nListenPort = 51820\n"), conf);
        assertTrue(conf.contains("[Peer]\nPublicKey = K2\nAllowedIPs = 10.66.0.12/32\n"), conf);
    }

    @Test
    void theSinkCountsEachGatewayAddressTunnelAddressAndLanClientThenEverythingElse() {
        String rules = LabConfigs.sinkRules(LAYOUT);

        assertEquals("""
                *filter
                :LAB_SINK - [0:0]
                -A INPUT -i eth0 -j LAB_SINK
                -A LAB_SINK -s 203.0.113.11/32 -j RETURN
                -A LAB_SINK -s 10.66.0.11/32 -j RETURN
                -A LAB_SINK -s 203.0.113.12/32 -j RETURN
                -A LAB_SINK -s 10.66.0.12/32 -j RETURN
                -A LAB_SINK -s 172.31.77.10/32 -j RETURN
                -A LAB_SINK -j RETURN
                COMMIT
                """, rules);
    }

    @Test
    void theLanGatewayMasqueradesItsLanOutOfTheTunnel() {
        assertEquals("*nat\n-A POSTROUTING -s 172.31.77.0/24 -o wg0 -j MASQUERADE\nCOMMIT\n",
                LabConfigs.lanGatewayRules(LAYOUT.lans().get(0)));
    }

    @Test
    void sshdTakesOnlyTheLabKeyAndNeverAPassword() {
        String conf = LabConfigs.sshdConfig(Path.of("/s/id_ed25519.pub"));

        assertTrue(conf.contains("\nAuthorizedKeysFile /s/id_ed25519.pub\n"));
        assertTrue(conf.contains("\nPermitRootLogin prohibit-password\n"));
        assertTrue(conf.contains("\nPasswordAuthentication no\n"));
        assertTrue(conf.contains("\nUsePAM no\n"));
    }

    @Test
    void theIcmpProbeIsAnEchoRequestWithAValidChecksumInPlainAscii() {
        byte[] m = LabConfigs.icmpEcho().getBytes(StandardCharsets.UTF_8);

        assertEquals(8, m[0]);
        assertEquals(0, m[1]);
        int sum = 0;
        for (int i = 0; i < m.length; i += 2) {
            sum += ((m[i] & 0xff) << 8) | (i + 1 < m.length ? m[i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        assertEquals(0xffff, sum);
        for (byte b : m) {
            assertTrue(b >= 0);
        }
    }
}
