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
        assertSame(a, shared.intern(a, Planner.Shared.hash(a)));
        assertSame(a, shared.intern(new String(a), Planner.Shared.hash(new String(a))));
        assertSame(a, shared.find(new String(a), Planner.Shared.hash(new String(a))));
        String b = a.replace("22", "23");
        assertSame(b, shared.intern(b, Planner.Shared.hash(b)));
        assertNull(shared.find(a.replace("ACCEPT", "DROP"), Planner.Shared.hash(a.replace("ACCEPT", "DROP"))));
        assertNull(shared.find("", Planner.Shared.hash("")));
    }

    @Test
    void textsAlikeInTheirLowBytesAreStillTold() {
        // the hash reads the low byte of each character: U+0141 and 'A' (0x41) hash alike, equals tells them apart
        Planner.Shared shared = new Planner.Shared(2);
        String latin = "--comment \"A\" -j ACCEPT";
        String other = "--comment \"\u0141\" -j ACCEPT";
        assertEquals(Planner.Shared.hash(latin), Planner.Shared.hash(other));
        assertSame(latin, shared.intern(latin, Planner.Shared.hash(latin)));
        assertSame(other, shared.intern(other, Planner.Shared.hash(other)));
        assertSame(other, shared.find(new String(other), Planner.Shared.hash(new String(other))));
    }

    @Test
    void tenThousandTextsAreEachFound() {
        int n = 10_000;
        Planner.Shared shared = new Planner.Shared(n);
        for (int i = 0; i < n; i++) {
            shared.intern("-A x " + i, Planner.Shared.hash("-A x " + i));
        }
        for (int i = 0; i < n; i++) {
            assertEquals("-A x " + i, shared.find("-A x " + i, Planner.Shared.hash("-A x " + i)));
        }
        assertNull(shared.find("-A x " + n, Planner.Shared.hash("-A x " + n)));
    }
}
