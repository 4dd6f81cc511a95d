package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one line of an agent's stderr that a recap shows is the agent's reason, not the JVM's warnings. */
class FirstLineTest {

    @Test
    void jvmWarningsBeforeTheReasonAreSkipped() {
        String stderr = "[0.031s][warning][cds] Unable to map CDS archive -- disable it\n"
                + "[0.032s][warning][cds,dynamic] Unable to use shared archive\n"
                + "killswitch-agent apply: cannot persist /etc/iptables/rules.v4: No space left on device\n";
        assertEquals("cannot persist /etc/iptables/rules.v4: No space left on device", HostRun.firstLine(stderr));
    }

    @Test
    void onlyJvmWarningsAreStillShown() {
        assertEquals("[0.031s][warning][cds] Unable to map", HostRun.firstLine("[0.031s][warning][cds] Unable to map\n"));
    }

    @Test
    void nothingSaysNoMessage() {
        assertEquals("(no message)", HostRun.firstLine("  \n"));
    }
}
