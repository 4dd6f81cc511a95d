package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointTest {

    @Test
    void parsesUserHostAndPortWithDefaults() {
        assertEquals(new Endpoint("ops", "bastion", 2222), Endpoint.parse("ops@bastion:2222", "root"));
        assertEquals(new Endpoint("root", "bastion", 22), Endpoint.parse("bastion", "root"));
        assertEquals(new Endpoint("root", "10.0.0.1", 2200), Endpoint.parse("10.0.0.1:2200", "root"));
        assertEquals(new Endpoint("ops", "fd00::1", 22), Endpoint.parse("ops@[fd00::1]", "root"));
        assertEquals(new Endpoint("ops", "fd00::1", 2022), Endpoint.parse("ops@[fd00::1]:2022", "root"));
    }

    @Test
    void addressBracketsIpv6() {
        assertEquals("[fd00::1]:22", new Endpoint("u", "fd00::1", 22).address());
        assertEquals("gw:22", new Endpoint("u", "gw", 22).address());
    }

    @Test
    void refusesMalformedJumpHostsNamingTheText() {
        for (String bad : new String[] {"", "ops@", "@host", "host:0", "host:x", "host:70000", "fd00::1", "[fd00::1",
                "a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Endpoint.parse(bad, "root"), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void targetValidatesItsFieldsAndParsesTheJumpHost() {
        Target target = new Target("gw3", "10.0.0.3", 22, "root", Path.of("k"), false, "ops@bastion:2222",
                Duration.ofSeconds(5), Duration.ofSeconds(60));
        assertEquals(new Endpoint("ops", "bastion", 2222), target.jump());
        assertNull(new Target("gw3", "10.0.0.3", 22, "root", Path.of("k"), false, null, Duration.ofSeconds(5),
                Duration.ofSeconds(60)).jump());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Target("gw3",
                "10.0.0.3", 0, "root", Path.of("k"), false, null, Duration.ofSeconds(5), Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("gw3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Target("gw3", "10.0.0.3", 22, "root", Path.of("k"),
                false, "bad host", Duration.ofSeconds(5), Duration.ofSeconds(60)));
        assertThrows(IllegalArgumentException.class, () -> new Target("gw3", "10.0.0.3", 22, "root", Path.of("k"),
                false, null, Duration.ZERO, Duration.ofSeconds(60)));
    }
}
