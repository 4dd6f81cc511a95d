package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostRangeTest {
    private static final Origin AT = new Origin("hosts", 3, "gw");

    private static List<String> names(String entry) {
        return HostRange.parse(entry, AT).names();
    }

    @Test
    void aZeroPaddedRangeKeepsItsWidth() {
        assertEquals(List.of("gw08.example.com", "gw09.example.com", "gw10.example.com"), names("gw[08:10].example.com"));
    }

    @Test
    void anUnpaddedRangeIsPlainNumbers() {
        assertEquals(List.of("gw9", "gw10", "gw11"), names("gw[9:11]"));
    }

    @Test
    void aMissingBeginStartsAtZero() {
        assertEquals(List.of("db0", "db1"), names("db[:1]"));
    }

    @Test
    void aStepSkips() {
        assertEquals(List.of("gw01", "gw04", "gw07", "gw10"), names("gw[01:10:3]"));
    }

    @Test
    void lettersRangeToo() {
        assertEquals(List.of("db-a", "db-b", "db-c"), names("db-[a:c]"));
    }

    @Test
    void severalRangesMultiply() {
        assertEquals(List.of("r1-a", "r1-b", "r2-a", "r2-b"), names("r[1:2]-[a:b]"));
    }

    @Test
    void addressRangesWork() {
        assertEquals(List.of("192.0.2.1", "192.0.2.2"), names("192.0.2.[1:2]"));
    }

    @Test
    void aPortAfterTheNameIsSeparated() {
        HostRange range = HostRange.parse("gw1.example.com:2222", AT);
        assertEquals(List.of("gw1.example.com"), range.names());
        assertEquals(2222, range.port());
        assertNull(HostRange.parse("gw1", AT).port());
    }

    @Test
    void badRangesAndPortsAreErrorsAtTheGivenOrigin() {
        for (String bad : List.of("gw[10:01]", "gw[01:100]", "gw[1]", "gw[1:", "gw[a:3]", "gw1:0", "gw1:port", "gw[1:3:0]")) {
            InputError e = assertThrows(InputError.class, () -> names(bad), bad);
            assertEquals(AT, e.origin(), bad);
        }
    }
}
