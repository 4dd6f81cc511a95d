package dev.killswitch.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.killswitch.agent.rules.Family;
import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void ipv6SpellingsOfOneAddressAreEqual() {
        Address full = Address.parse("2001:0db8:0000:0000:0000:0000:0000:0001");
        assertEquals(full, Address.parse("2001:db8::1"));
        assertEquals(new Address(true, 0, 0), Address.parse("::"));
        assertEquals(new Address(true, 0, 0xffffc0000201L), Address.parse("::ffff:192.0.2.1"));
        assertEquals(new Address(true, 0x20010db800000000L, 0), Address.parse("2001:db8::"));
    }

    @Test
    void malformedAddressesAreNotAddresses() {
        for (String bad : new String[] {"1.2.3", "1.2.3.256", "1.2.3.4.5", "example.org", ":1::", "1:::2",
                "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "1:", ""}) {
            assertNull(Address.parse(bad), bad);
        }
    }

    @Test
    void packetWithAHostNameInsteadOfAnAddressIsRefused() {
        Packet p = new Packet(Family.IPV4, "OUTPUT", null, "eth0", "udp", "192.0.2.10", "dns.example", 1, 53, "NEW");
        assertThrows(IllegalArgumentException.class, () -> Probe.of(p));
    }
}
