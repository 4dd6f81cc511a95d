package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabLayoutTest {

    @Test
    void gatewayNumberNSitsAtTenPlusNOnTheInternetAndInTheTunnel() {
        LabLayout l = LabLayout.of(LabSpec.of(LabSpec.MAX_HOSTS));

        LabHost last = l.host("gw200");
        assertEquals(new LabHost("gw200", "ks-lab-gw200", "203.0.113.210", 22200, "10.66.0.210", null), last);
        assertEquals("203.0.113.11", l.host("gw1").address());
        assertEquals(200, l.hosts().stream().map(LabHost::address).distinct().count());
    }

    @Test
    void onlyGw1IsALanGateway() {
        LabLayout l = LabLayout.of(LabSpec.of(3));

        assertEquals(List.of(new LabLan("lan1", "ks-lab-lan1", "lan0", "172.31.77.1", "172.31.77.10", "172.31.77.0/24")),
                l.lans());
        assertTrue(l.host("gw1").lanGateway());
        assertNull(l.host("gw2").lan());
    }

    @Test
    void everyNamespaceCarriesThePrefix() {
        LabLayout l = LabLayout.of(LabSpec.of(2).withPrefix("ks-t-abc123-"));

        assertEquals(List.of("ks-t-abc123-net", "ks-t-abc123-sink", "ks-t-abc123-vpn", "ks-t-abc123-ctl",
                "ks-t-abc123-gw1", "ks-t-abc123-gw2", "ks-t-abc123-lan1"), l.namespaces());
        assertTrue(l.namespaces().stream().allMatch(ns -> LabLayout.ownedBy("ks-t-abc123-", ns)));
    }

    @Test
    void aLabNeverOwnsTheNamespacesOfALabWhosePrefixExtendsItsOwn() {
        assertFalse(LabLayout.ownedBy("ks-lab-", "ks-lab-x-gw1"));
        assertFalse(LabLayout.ownedBy("ks-lab-", "ks-lab-gw1b"));
        assertFalse(LabLayout.ownedBy("ks-lab-", "other"));
        assertTrue(LabLayout.ownedBy("ks-lab-", "ks-lab-gw17"));
    }

    @Test
    void anUnknownGatewayNameListsTheOnesThatExist() {
        LabError e = assertThrows(LabError.class, () -> LabLayout.of(LabSpec.of(2)).host("gw3"));

        assertEquals("the lab has no gateway 'gw3'; it has gw1..gw2", e.getMessage());
    }

    @Test
    void aSpecRejectsPrefixesThatCouldNameSomethingElse() {
        for (String bad : new String[] {"ks-lab", "KS-", "-x-", "ks lab-", "ks;rm-", "a-very-long-prefix-for-a-lab-"}) {
            assertThrows(LabError.class, () -> LabSpec.of(1).withPrefix(bad), bad);
        }
        assertEquals("ks-t-abc123-", LabSpec.of(1).withPrefix("ks-t-abc123-").prefix());
    }

    @Test
    void aSpecRejectsHostCountsAndPortsOutOfRange() {
        assertTrue(assertThrows(LabError.class, () -> LabSpec.of(0)).getMessage().contains("between 1 and 200"));
        assertThrows(LabError.class, () -> LabSpec.of(201));
        assertThrows(LabError.class, () -> LabSpec.of(5).withSshPortBase(65533));
        assertThrows(LabError.class, () -> LabSpec.of(5).withSshPortBase(22));
    }

    @Test
    void aSpecMakesItsPathsAbsolute() {
        LabSpec s = LabSpec.of(1).withInventory(Path.of("inventory/lab/hosts.yml"));

        assertTrue(s.inventory().isAbsolute());
        assertEquals(Path.of("/var/lib/killswitch-lab"), s.stateDir());
    }
}
