package dev.killswitch.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The diff's table of shared texts: one instance per distinct text, whatever the hash says. */
class SharedTextsTest {

    @Test
    void equalTextsShareTheFirstInstanceAndOthersStayApart() {
        Planner.Shared shared = new Planner.Shared(4);
        String a = "-s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT";
        assertSame(a, shared.intern(a));
        assertSame(a, shared.intern(new String(a)));
        assertSame(a, shared.find(new String(a)));
        String b = a.replace("22", "23");
        assertSame(b, shared.intern(b));
        assertNull(shared.find(a.replace("ACCEPT", "DROP")));
        assertNull(shared.find(""));
    }

    @Test
    void textsAlikeInTheirLowBytesAreStillTold() {
        // the hash reads the low byte of each character: U+0141 and 'A' (0x41) hash alike, equals tells them apart
        Planner.Shared shared = new Planner.Shared(2);
        String latin = "--comment \"A\" -j ACCEPT";
        String other = "--comment \"\u0141\" -j ACCEPT";
        assertEquals(shared.hash(latin), shared.hash(other));
        assertSame(latin, shared.intern(latin));
        assertSame(other, shared.intern(other));
        assertSame(other, shared.find(new String(other)));
    }

    @Test
    void tenThousandTextsAreEachFound() {
        int n = 10_000;
        Planner.Shared shared = new Planner.Shared(n);
        for (int i = 0; i < n; i++) {
            shared.intern("-A x " + i);
        }
        for (int i = 0; i < n; i++) {
            assertEquals("-A x " + i, shared.find("-A x " + i));
        }
        assertNull(shared.find("-A x " + n));
    }
}
