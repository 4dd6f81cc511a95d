package dev.killswitch.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Ruleset;
import org.junit.jupiter.api.Test;

/**
 * The kill switch from the seed post-mortem, as iptables-save prints it after the script ran
 * (VPN_SERVER_IP 198.51.100.7, eth0, wg0): what it gets right and the flaws the simulator must show.
 */
class SeedKillSwitchTest {

    static final Ruleset SEED = CanonicalText.ruleset(Family.IPV4, """
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT DROP [0:0]
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -i wg0 -j ACCEPT
            -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A OUTPUT -o lo -j ACCEPT
            -A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT
            -A OUTPUT -d 198.51.100.7/32 -o eth0 -p udp -m udp --dport 51820 -j ACCEPT
            -A OUTPUT -o wg0 -j ACCEPT
            COMMIT
            """);

    static final String LAN_ADDRESS = "192.0.2.10";
    static final String TUNNEL_ADDRESS = "10.66.0.2";

    static Packet out(String proto, String src, String dst, int sport, int dport, String state) {
        return new Packet(Family.IPV4, "OUTPUT", null, "eth0", proto, src, dst, sport, dport, state);
    }

    @Test
    void plainDnsOutOfEth0IsDenied() {
        Decision d = Simulator.evaluate(SEED, out("udp", LAN_ADDRESS, "9.9.9.9", 40000, 53, "NEW"));
        assertEquals(new Decision(Verdict.DENY, "policy of OUTPUT (DROP)"), d);
    }

    @Test
    void handshakeToTheEndpointOutOfEth0IsAllowed() {
        Decision d = Simulator.evaluate(SEED, out("udp", LAN_ADDRESS, "198.51.100.7", 51820, 51820, "NEW"));
        assertEquals(new Decision(Verdict.ACCEPT, "filter OUTPUT #4: -A OUTPUT -d 198.51.100.7/32 -o eth0 "
                + "-p udp -m udp --dport 51820 -j ACCEPT"), d);
    }

    @Test
    void establishedSshReplyOutOfEth0IsAllowed() {
        Decision d = Simulator.evaluate(SEED, out("tcp", LAN_ADDRESS, "203.0.113.9", 22, 50122, "ESTABLISHED"));
        assertEquals(new Decision(Verdict.ACCEPT,
                "filter OUTPUT #1: -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"), d);
    }

    @Test
    void flawNewConnectionFromSourcePort22BypassesTheKillSwitch() {
        Decision d = Simulator.evaluate(SEED, out("tcp", LAN_ADDRESS, "203.0.113.80", 22, 443, "NEW"));
        assertEquals(new Decision(Verdict.ACCEPT, "filter OUTPUT #3: -A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT"), d);
    }

    @Test
    void flawEstablishedTunnelFlowLeaksOutOfEth0WhenTheTunnelDrops() {
        Decision d = Simulator.evaluate(SEED, out("tcp", TUNNEL_ADDRESS, "203.0.113.80", 41000, 443, "ESTABLISHED"));
        assertEquals(new Decision(Verdict.ACCEPT,
                "filter OUTPUT #1: -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"), d);
    }

    @Test
    void dnsWithUnknownConntrackStateIsUnknownAtTheConntrackRule() {
        Decision d = Simulator.evaluate(SEED, out("udp", LAN_ADDRESS, "9.9.9.9", 40000, 53, null));
        assertEquals(new Decision(Verdict.UNKNOWN,
                "filter OUTPUT #1: -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"), d);
    }

    @Test
    void newSshIntoEth0IsAllowedAndForwardingIsDenied() {
        Packet sshIn = new Packet(Family.IPV4, "INPUT", "eth0", null, "tcp", "203.0.113.9", LAN_ADDRESS,
                50122, 22, "NEW");
        assertEquals(Verdict.ACCEPT, Simulator.evaluate(SEED, sshIn).verdict());
        Packet forwarded = new Packet(Family.IPV4, "FORWARD", "eth1", "eth0", "tcp", "192.168.1.5",
                "203.0.113.80", 41000, 443, "NEW");
        assertEquals(new Decision(Verdict.DENY, "policy of FORWARD (DROP)"), Simulator.evaluate(SEED, forwarded));
    }
}
