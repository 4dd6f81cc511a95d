package dev.killswitch.agent.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.Family;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void parsesNetworksAndAddressesOfBothFamilies() {
        assertEquals("203.0.113.0/24", Cidr.parse("203.0.113.0/24").toString());
        assertEquals(Family.IPV4, Cidr.parse("192.0.2.1").family());
        assertEquals(32, Cidr.parse("192.0.2.1").prefix());
        assertEquals(Family.IPV6, Cidr.parse("2001:db8::/32").family());
        assertEquals(128, Cidr.parse("::1").prefix());
        assertEquals(0, Cidr.parse("0.0.0.0/0").prefix());
    }

    @Test
    void containsAddressesInsideThePrefixOnly() {
        Cidr net = Cidr.parse("203.0.113.0/25");
        assertTrue(net.contains(Cidr.address("203.0.113.127")));
        assertFalse(net.contains(Cidr.address("203.0.113.128")));
        assertFalse(net.contains(Cidr.address("2001:db8::1")));
        assertTrue(Cidr.parse("2001:db8::/32").contains(Cidr.address("2001:db8:ffff::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.address("8.8.8.8")));
    }

    @ParameterizedTest(name = "refuses {0}")
    @ValueSource(strings = {"gw1.example.com", "localhost", "256.0.0.1", "1.2.3", "010.0.0.1", "1.2.3.4/33",
            "1.2.3.4/", "1.2.3.4/-1", "2001:db8::/129", "2001:db8::g", "fe80::1%eth0", "::ffff:1.2.3.4", "", "/24",
            " 1.2.3.4"})
    void refusesAnythingButNumericAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    }

    @Test
    void neverLooksUpAName() {
        // a name that would need DNS is refused by its shape, so this returns at once even without a resolver
        assertTimeoutPreemptively(Duration.ofMillis(200),
                () -> assertThrows(IllegalArgumentException.class, () -> Cidr.address("a-name-that-would-need-dns")));
    }
}
