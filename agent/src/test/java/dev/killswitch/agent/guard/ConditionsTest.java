package dev.killswitch.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.killswitch.agent.rules.Family;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    static Packet packet(String proto, String src, String dst, Integer sport, Integer dport, String state) {
        Family family = src != null && src.contains(":") ? Family.IPV6 : Family.IPV4;
        return new Packet(family, "OUTPUT", null, "eth0", proto, src, dst, sport, dport, state);
    }

    static final Packet HTTPS = packet("tcp", "192.0.2.10", "203.0.113.80", 41000, 443, "NEW");

    static Ternary test(String rule, Packet p) {
        return Conditions.test(CanonicalText.rule(rule), Probe.of(p));
    }

    @Test
    void cidrContainsHostsUnderThePrefixOnly() {
        assertEquals(Ternary.TRUE, test("-d 203.0.113.0/24 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-d 203.0.113.80/32 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-d 203.0.112.0/24 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-s 192.0.0.0/8 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("! -s 192.0.0.0/8 -j ACCEPT", HTTPS));
    }

    @Test
    void nonContiguousDottedMaskComparesOnlyItsBits() {
        Packet p = packet("udp", "10.9.0.7", "10.0.1.0", 1, 2, "NEW");
        assertEquals(Ternary.TRUE, test("-s 10.0.0.0/255.0.255.0 -j ACCEPT", p));
        assertEquals(Ternary.FALSE, test("-d 10.0.0.0/255.0.255.0 -j ACCEPT", p));
    }

    @Test
    void ipv6PrefixesAndCompressedAddressesMatch() {
        Packet p = packet("tcp", "2001:db8:1::5", "::ffff:192.0.2.1", 1, 2, "NEW");
        assertEquals(Ternary.TRUE, test("-s 2001:db8::/32 -j ACCEPT", p));
        assertEquals(Ternary.FALSE, test("-s 2001:db8:2::/48 -j ACCEPT", p));
        assertEquals(Ternary.TRUE, test("-s 2001:db8:1::5/128 -j ACCEPT", p));
        assertEquals(Ternary.TRUE, test("-d ::ffff:c000:200/120 -j ACCEPT", p));
        assertEquals(Ternary.TRUE, test("-s 2001:db8:1::/ffff:ffff:ffff::ff00 -j ACCEPT", p));
        assertEquals(Ternary.FALSE, test("-s 2001:db8:1::/ffff:ffff:ffff::ffff -j ACCEPT", p));
    }

    @Test
    void interfaceWildcardAndNegation() {
        assertEquals(Ternary.TRUE, test("-o eth+ -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-o + -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-o eth -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("! -o eth+ -j ACCEPT", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-i eth0 -j ACCEPT", HTTPS)); // no input interface in OUTPUT
    }

    @Test
    void protocolByNameOrNumber() {
        assertEquals(Ternary.TRUE, test("-p tcp -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-p 6 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-p udp -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("! -p udp -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-p gre -j ACCEPT", packet("47", "192.0.2.1", "192.0.2.2", null, null, "NEW")));
        assertEquals(Ternary.UNKNOWN, test("-p tcp -j ACCEPT", packet(null, "192.0.2.1", "192.0.2.2", 1, 2, "NEW")));
    }

    @Test
    void portsSingleRangeAndNegated() {
        assertEquals(Ternary.TRUE, test("-p tcp -m tcp --dport 443 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-p tcp -m tcp --sport 40000:42000 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-p tcp -m tcp --sport 1000:2000 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-p tcp -m tcp ! --dport 443 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-m udp --dport 443 -j ACCEPT", HTTPS)); // udp match, tcp packet
    }

    @Test
    void multiportListsAndRanges() {
        assertEquals(Ternary.TRUE, test("-p tcp -m multiport --dports 80,443 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-p tcp -m multiport --sports 22,40000:41000 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-p tcp -m multiport --dports 80,8080:8090 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-p tcp -m multiport --ports 22,443 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-p tcp -m multiport ! --ports 22,443 -j ACCEPT", HTTPS));
        Packet noSport = packet("tcp", "192.0.2.10", "203.0.113.80", null, 443, "NEW");
        assertEquals(Ternary.TRUE, test("-p tcp -m multiport --ports 443 -j ACCEPT", noSport));
        assertEquals(Ternary.UNKNOWN, test("-p tcp -m multiport --ports 22 -j ACCEPT", noSport));
    }

    @Test
    void conntrackAndStateLists() {
        assertEquals(Ternary.FALSE, test("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-m conntrack ! --ctstate RELATED,ESTABLISHED -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-m state --state NEW -j ACCEPT", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-m conntrack --ctstate ESTABLISHED,DNAT -j ACCEPT", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-m conntrack --ctstatus CONFIRMED -j ACCEPT", HTTPS));
    }

    @Test
    void icmpTypeIsUnknownUnlessThePacketIsNotIcmp() {
        Packet ping = packet("icmp", "192.0.2.10", "203.0.113.80", null, null, "NEW");
        assertEquals(Ternary.UNKNOWN, test("-p icmp -m icmp --icmp-type 8 -j ACCEPT", ping));
        assertEquals(Ternary.TRUE, test("-p icmp -m icmp --icmp-type any -j ACCEPT", ping));
        assertEquals(Ternary.FALSE, test("-m icmp --icmp-type 8 -j ACCEPT", HTTPS));
    }

    @Test
    void tcpFlagsFollowTheStateModelAndAreFalseForOtherProtocols() {
        String syn = "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP";
        assertEquals(Ternary.TRUE, test(syn, packet("tcp", "192.0.2.10", "9.9.9.9", 40000, 443, "NEW")),
                "a NEW tcp packet opens a connection: SYN alone");
        assertEquals(Ternary.FALSE, test(syn, packet("tcp", "192.0.2.10", "9.9.9.9", 40000, 443, "ESTABLISHED")),
                "an ESTABLISHED one carries an ACK");
        assertEquals(Ternary.UNKNOWN, test(syn, packet("tcp", "192.0.2.10", "9.9.9.9", 40000, 443, "INVALID")));
        assertEquals(Ternary.FALSE, test("-m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP",
                packet("udp", "192.0.2.10", "9.9.9.9", 1, 53, "NEW")));
    }

    @Test
    void iprangeBoundsIncluded() {
        assertEquals(Ternary.TRUE, test("-m iprange --dst-range 203.0.113.1-203.0.113.80 -j ACCEPT", HTTPS));
        assertEquals(Ternary.FALSE, test("-m iprange --src-range 192.0.2.11-192.0.2.20 -j ACCEPT", HTTPS));
        assertEquals(Ternary.TRUE, test("-m iprange ! --src-range 192.0.2.11-192.0.2.20 -j ACCEPT", HTTPS));
    }

    @Test
    void commentAlwaysHoldsAndUnknownModulesAreUnknown() {
        assertEquals(Ternary.TRUE, test("-m comment --comment ssh -j ACCEPT", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-m addrtype --dst-type LOCAL -j ACCEPT", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-m hashlimit --hashlimit-above 5/sec --hashlimit-burst 5 "
                + "--hashlimit-name h -j DROP", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-m set --match-set blocked dst -j DROP", HTTPS));
    }

    @Test
    void fragmentsAreRuledOutOnlyWhenConntrackDefragmented() {
        assertEquals(Ternary.FALSE, test("-f -j DROP", HTTPS));
        assertEquals(Ternary.TRUE, test("! -f -j DROP", HTTPS));
        assertEquals(Ternary.UNKNOWN, test("-f -j DROP", packet("tcp", "192.0.2.10", "203.0.113.80", 1, 2, null)));
    }

    @Test
    void nullAddressIsUnknownEvenNegated() {
        Packet p = packet("tcp", "192.0.2.10", null, 1, 2, "NEW");
        assertEquals(Ternary.UNKNOWN, test("-d 10.0.0.0/8 -j ACCEPT", p));
        assertEquals(Ternary.UNKNOWN, test("! -d 10.0.0.0/8 -j ACCEPT", p));
        assertEquals(Ternary.FALSE, test("! -d 10.0.0.0/8 -o wg0 -j ACCEPT", p)); // false beats unknown
    }
}
