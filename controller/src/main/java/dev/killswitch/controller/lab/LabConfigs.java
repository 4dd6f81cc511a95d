package dev.killswitch.controller.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The text of every file the lab writes: pure functions of the layout, keys and paths. */
final class LabConfigs {

    /** First line of the inventory; teardown deletes an inventory only when it starts with this. */
    static final String INVENTORY_MARKER = "# Written by `killswitch lab up`; `killswitch lab down` deletes it.";
    /** The sink's counting chain: one RETURN rule per known source address, then a catch-all. */
    static final String SINK_CHAIN = "LAB_SINK";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private LabConfigs() {
    }

    /** One sshd_config for every gateway; each sshd adds its own address, pid file and host key. */
    static String sshdConfig(Path authorizedKey) {
        return """
                # Written by killswitch lab up. Each gateway's sshd adds -h HOSTKEY -o ListenAddress -o PidFile.
                UsePAM no
                StrictModes no
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                AuthorizedKeysFile %s
                UseDNS no
                PrintMotd no
                PrintLastLog no
                MaxStartups 100:30:200
                MaxSessions 100
                AcceptEnv LANG LC_*
                Subsystem sftp internal-sftp
                """.formatted(authorizedKey);
    }

    /** A gateway's wg0 as {@code wg setconf} takes it: full tunnel to the VPN peer. */
    static String gatewaySetconf(String privateKey, String vpnPublicKey) {
        return """
                [Interface]
                PrivateKey = %s

                [Peer]
                PublicKey = %s
                Endpoint = %s
                AllowedIPs = 0.0.0.0/0
                """.formatted(privateKey, vpnPublicKey, LabLayout.VPN_ENDPOINT);
    }

    /** The same tunnel in wg-quick form, seen on the gateway as /etc/wireguard/wg0.conf. */
    static String gatewayWgQuick(LabHost host, String privateKey, String vpnPublicKey) {
        return "# Written by killswitch lab up for " + host.name() + ". The lab routes 0.0.0.0/1 and 128.0.0.0/1 via wg0.\n"
                + gatewaySetconf(privateKey, vpnPublicKey)
                .replace("[Interface]\n", "[Interface]\nAddress = " + host.wgAddress() + "/32\n");
    }

    /** The VPN peer's wg0: listens on 51820, one peer per gateway. */
    static String vpnSetconf(String privateKey, List<LabHost> hosts, Map<String, String> publicKeys) {
        StringBuilder s = new StringBuilder("[Interface]\nPrivateKey = " + privateKey + "\nListenPort = "
                + LabLayout.WG_PORT + "\n");
        for (LabHost h : hosts) {
            s.append("\n# ").append(h.name()).append("\n[Peer]\nPublicKey = ").append(publicKeys.get(h.name()))
                    .append("\nAllowedIPs = ").append(h.wgAddress()).append("/32\n");
        }
        return s.toString();
    }

    /** The gateways' resolver: nothing listens there, so lookups fail at once and never leave the host. */
    static String resolvConf() {
        return "# Written by killswitch lab up: no resolver, lookups fail fast.\nnameserver 127.0.0.1\n"
                + "options timeout:1 attempts:1\n";
    }

    /** known_hosts lines for a gateway: as published on 127.0.0.1 and by its own address. */
    static List<String> knownHostsLines(LabHost host, String hostPublicKey) {
        String[] f = hostPublicKey.trim().split("\\s+");
        if (f.length < 2) {
            throw new LabError("not an ssh public key for " + host.name() + ": " + hostPublicKey);
        }
        String key = f[0] + " " + f[1];
        return List.of("[127.0.0.1]:" + host.sshPort() + " " + key, host.address() + " " + key);
    }

    /** The source addresses the sink counts on their own: each gateway's eth0 and tunnel address, each LAN client. */
    static List<String> countedSources(LabLayout layout) {
        List<String> sources = new java.util.ArrayList<>();
        for (LabHost h : layout.hosts()) {
            sources.add(h.address());
            sources.add(h.wgAddress());
        }
        layout.lans().forEach(l -> sources.add(l.clientAddress()));
        return sources;
    }

    /** iptables-restore --noflush input for the sink: every packet arriving on eth0 is counted once. */
    static String sinkRules(LabLayout layout) {
        StringBuilder s = new StringBuilder("*filter\n:" + SINK_CHAIN + " - [0:0]\n-A INPUT -i eth0 -j " + SINK_CHAIN + "\n");
        for (String source : countedSources(layout)) {
            s.append("-A ").append(SINK_CHAIN).append(" -s ").append(source).append("/32 -j RETURN\n");
        }
        return s.append("-A ").append(SINK_CHAIN).append(" -j RETURN\nCOMMIT\n").toString();
    }

    /** iptables-restore --noflush input for a LAN gateway: the LAN leaves through the tunnel masqueraded. */
    static String lanGatewayRules(LabLan lan) {
        return "*nat\n-A POSTROUTING -s " + lan.subnet() + " -o " + LabLayout.WG_INTERFACE + " -j MASQUERADE\nCOMMIT\n";
    }

    /**
     * The Ansible-format inventory: group {@code gateways} (every gateway) and {@code lan_gateways}, each host
     * published on 127.0.0.1 with the lab's key and known_hosts, plus the variables a kill switch playbook needs.
     */
    static String inventory(LabLayout layout, Path clientKey, Path knownHosts) {
        Map<String, Object> gateways = new LinkedHashMap<>();
        Map<String, Object> lanGateways = new LinkedHashMap<>();
        for (LabHost h : layout.hosts()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ansible_host", "127.0.0.1");
            v.put("ansible_port", h.sshPort());
            v.put("ansible_user", "root");
            v.put("ansible_ssh_private_key_file", clientKey.toString());
            v.put("ansible_ssh_common_args", "-o UserKnownHostsFile=" + knownHosts + " -o StrictHostKeyChecking=yes");
            v.put("lab_namespace", h.namespace());
            v.put("lab_address", h.address());
            v.put("wan_interface", LabLayout.WAN_INTERFACE);
            v.put("vpn_interface", LabLayout.WG_INTERFACE);
            v.put("vpn_endpoint", LabLayout.VPN_ENDPOINT);
            v.put("vpn_address", h.wgAddress());
            v.put("ssh_client", LabLayout.CTL);
            v.put("killswitch_lab_sink", LabLayout.SINK);
            if (h.lanGateway()) {
                v.put("lan_interface", h.lan().gatewayInterface());
                v.put("lan_subnet", h.lan().subnet());
                lanGateways.put(h.name(), Map.of());
            }
            gateways.put(h.name(), v);
        }
        Map<String, Object> children = new LinkedHashMap<>();
        children.put("gateways", Map.of("hosts", gateways));
        children.put("lan_gateways", Map.of("hosts", lanGateways));
        Map<String, Object> all = Map.of("all", Map.of("children", children));
        try {
            return INVENTORY_MARKER + "\n# Lab " + layout.prefix() + ": " + layout.hosts().size() + " gateways.\n"
                    + YAML.writeValueAsString(all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the inventory", e);
        }
    }

    /**
     * An ICMP echo request (type 8) with a valid checksum, every byte below 0x80 so that it passes unchanged
     * through a text stdin. Sent on a raw socket, a drop in OUTPUT comes back as EPERM from sendto(), which
     * ping does not report.
     */
    static String icmpEcho() {
        byte[] payload = "killswitch-lab-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int seq = 1; seq < 0x7f7f; seq++) {
            byte[] m = new byte[8 + payload.length];
            m[0] = 8;
            m[4] = 0x4b; // identifier "KS"
            m[5] = 0x53;
            m[6] = (byte) (seq >> 8);
            m[7] = (byte) seq;
            System.arraycopy(payload, 0, m, 8, payload.length);
            int sum = 0;
            for (int i = 0; i < m.length; i += 2) {
                sum += ((m[i] & 0xff) << 8) | (i + 1 < m.length ? m[i + 1] & 0xff : 0);
            }
            while ((sum >> 16) != 0) {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            int check = ~sum & 0xffff;
            m[2] = (byte) (check >> 8);
            m[3] = (byte) check;
            boolean ascii = true;
            for (byte b : m) {
                ascii &= b >= 0;
            }
            if (ascii) {
                return new String(m, java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        throw new IllegalStateException("no ASCII-only ICMP echo request");
    }
}
