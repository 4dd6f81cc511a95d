package dev.killswitch.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.killswitch.agent.guard.SshContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the facts are made of, from canned ip(8) and iptables output (the netns tests read real hosts). */
class FactsReaderTest {
    // a wg-quick full tunnel: its default route lives in table 51820 and is printed first
    private static final String ROUTES_V4 = """
            default dev wg0 table 51820 scope link\s
            default via 203.0.113.254 dev eth0\s
            203.0.113.0/24 dev eth0 proto kernel scope link src 203.0.113.13\s
            local 203.0.113.13 dev eth0 table local proto kernel scope host src 203.0.113.13\s
            """;
    private static final String ROUTES_V6 = """
            2001:db8::/64 dev eth0 proto kernel metric 256 pref medium
            default via 2001:db8::1 dev eth0 metric 1024 pref medium
            local 2001:db8::2 dev eth0 table local proto kernel metric 0 pref medium
            """;
    private static final String ADDRESSES = """
            1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
            2: eth0@if7    inet 203.0.113.13/24 brd 203.0.113.255 scope global eth0\\       valid_lft forever
            3: wg0    inet 10.66.0.13/32 scope global wg0\\       valid_lft forever preferred_lft forever
            """;

    private final List<List<String>> calls = new ArrayList<>();

    private FactsReader reader(Path dir) {
        CommandRunner run = (argv, stdin) -> {
            calls.add(argv);
            String out = switch (String.join(" ", argv)) {
                case "iptables --version" -> "iptables v1.8.9 (nf_tables)\n";
                case "ip -o addr show" -> ADDRESSES;
                case "ip -o -4 route show table all" -> ROUTES_V4;
                case "ip -o -6 route show table all" -> ROUTES_V6;
                case "ip -o route get 203.0.113.2" -> "203.0.113.2 dev eth0 src 203.0.113.13 uid 0 \\    cache\n";
                default -> null;
            };
            return out == null ? new CommandRunner.Result(1, "", "not here") : new CommandRunner.Result(0, out, "");
        };
        return new FactsReader(run, new Sysctls(dir), dir);
    }

    @Test
    void theDefaultInterfacesAreTheMainTablesNotTheTunnelsTable(@TempDir Path dir) throws Exception {
        Facts f = reader(dir).gather(null);
        assertEquals("eth0", f.defaultInterface());
        assertEquals("eth0", f.defaultInterface6());
        assertEquals(Map.of("lo", List.of("127.0.0.1/8"), "eth0", List.of("203.0.113.13/24"),
                "wg0", List.of("10.66.0.13/32")), f.addresses());
    }

    @Test
    void withoutADefaultRouteInMainThereIsNoDefaultInterface() {
        assertNull(FactsReader.defaultDev(List.of("default dev wg0 table 51820 scope link",
                "203.0.113.0/24 dev eth0 proto kernel scope link src 203.0.113.13")));
        assertNull(FactsReader.defaultDev(List.of()));
    }

    @Test
    void oneCallListsTheAddressesOnceForTheFactsAndTheSshContext(@TempDir Path dir) throws Exception {
        FactsReader reader = reader(dir);
        reader.gather("203.0.113.2 50022 203.0.113.13 22");
        SshContext ssh = reader.ssh("203.0.113.2 50022 203.0.113.13 22", List.of());

        assertEquals("eth0", ssh.inIface());
        assertEquals("eth0", ssh.outIface());
        assertEquals(1, calls.stream().filter(c -> c.equals(List.of("ip", "-o", "addr", "show"))).count());
    }
}
