package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TeardownTest {

    private static final List<String> FORWARDER = List.of("/usr/bin/socat",
            "TCP-LISTEN:22001,bind=127.0.0.1,reuseaddr,fork",
            "EXEC:'/usr/sbin/ip netns exec ks-lab-ctl /usr/bin/socat STDIO TCP:203.0.113.11:22'");

    @Test
    void aForwarderIsRecognisedByTheCtlNamespaceOfItsOwnLab() {
        assertTrue(Teardown.isForwarder(FORWARDER, "ks-lab-"));
    }

    @Test
    void theForwarderOfALabWithALongerPrefixIsNotOurs() {
        assertFalse(Teardown.isForwarder(FORWARDER, "ks-"));
        assertFalse(Teardown.isForwarder(FORWARDER, "ks-lab-x-"));
    }

    @Test
    void onlySocatIsEverAForwarder() {
        assertFalse(Teardown.isForwarder(List.of("/usr/bin/vim", FORWARDER.get(2)), "ks-lab-"));
        assertFalse(Teardown.isForwarder(List.of(), "ks-lab-"));
    }
}
