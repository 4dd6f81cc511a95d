package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IniInventoryTest {
    @TempDir
    Path dir;

    private Inventory ini(String... lines) {
        return Fixture.load(dir, "hosts", lines);
    }

    private InputError error(String... lines) {
        return assertThrows(InputError.class, () -> ini(lines));
    }

    @Test
    void hostsBeforeAnySectionAreUngrouped() {
        Inventory inventory = ini("lonely", "[g]", "h1");
        assertEquals(List.of("lonely"), inventory.hostsOf("ungrouped"));
        assertEquals(List.of("lonely", "h1"), inventory.hostsOf("all"));
        assertEquals(List.of("ungrouped", "g"), inventory.group("all").children());
    }

    @Test
    void aHostListedAtTheTopAndInAGroupIsNotUngrouped() {
        Inventory inventory = ini("h1", "[g]", "h1");
        assertEquals(List.of(), inventory.hostsOf("ungrouped"));
    }

    @Test
    void commentsStartWithHashOrSemicolonAndHashEndsAHostLine() {
        Inventory inventory = ini("# a comment", "; another", "[g]  # trailing", "h1 a=1 # b=2");
        assertEquals(Map.of("a", 1), inventory.vars("h1"));
    }

    @Test
    void inlineValuesAreTypedAsAnsibleTypesThem() {
        Inventory inventory = ini("[g]", "h1 n=22 f=1.5 t=True no=False none=None text=eu addr=192.0.2.1 zero=007"
                + " list=\"['192.0.2.53', '192.0.2.54']\" map=\"{'a': 1}\"");
        Map<String, Object> vars = inventory.vars("h1");
        assertEquals(22, vars.get("n"));
        assertEquals(1.5, vars.get("f"));
        assertEquals(true, vars.get("t"));
        assertEquals(false, vars.get("no"));
        assertNull(vars.get("none"));
        assertTrue(vars.containsKey("none"));
        assertEquals("eu", vars.get("text"));
        assertEquals("192.0.2.1", vars.get("addr"));
        assertEquals("007", vars.get("zero"));
        assertEquals(List.of("192.0.2.53", "192.0.2.54"), vars.get("list"));
        assertEquals(Map.of("a", 1), vars.get("map"));
    }

    @Test
    void quotesKeepSpacesAndInnerQuotesKeepNumbersAsText() {
        Inventory inventory = ini("[g]", "h1 motd=\"hello world\" port=\"'22'\" secret=\"'03#pa33w0rd'\" bare='a b'");
        Map<String, Object> vars = inventory.vars("h1");
        assertEquals("hello world", vars.get("motd"));
        assertEquals("22", vars.get("port"));
        assertEquals("03#pa33w0rd", vars.get("secret"));
        assertEquals("a b", vars.get("bare"));
    }

    @Test
    void varsSectionsTakeTheWholeRestOfTheLine() {
        Inventory inventory = ini("[g]", "h1", "[g:vars]", "motd = hello there # not a comment", "n = 23 # a comment");
        assertEquals("hello there # not a comment", inventory.vars("h1").get("motd"));
        assertEquals(23, inventory.vars("h1").get("n"));
    }

    @Test
    void childrenMayBeDeclaredAfterTheParentNamesThem() {
        Inventory inventory = ini("[gateways:children]", "eu", "us", "[eu]", "gw1", "[us]", "gw2");
        assertEquals(List.of("gw1", "gw2"), inventory.hostsOf("gateways"));
        assertEquals(List.of("gateways"), inventory.group("eu").parents());
    }

    @Test
    void aHostPortAndARangeCanBeWrittenTogether() {
        Inventory inventory = ini("[g]", "gw[1:3]:2222");
        assertEquals(List.of("gw1", "gw2", "gw3"), inventory.hosts());
        assertEquals(2222, inventory.connection("gw3").port());
    }

    @Test
    void ipv6AddressesAreHostsNotPorts() {
        Inventory inventory = ini("[g]", "2001:db8::1", "[2001:db8::2]:2200");
        assertEquals(List.of("2001:db8::1", "2001:db8::2"), inventory.hosts());
        assertEquals(22, inventory.connection("2001:db8::1").port());
        assertEquals(2200, inventory.connection("2001:db8::2").port());
    }

    @Test
    void varsForAGroupThatIsNeverDeclaredAreAnError() {
        InputError e = error("[g]", "h1", "[eu:vars]", "x=1");
        assertEquals(3, e.origin().line());
        assertTrue(e.getMessage().contains("[eu:vars]"), e.getMessage());
    }

    @Test
    void aChildGroupThatIsNeverDeclaredIsAnError() {
        InputError e = error("[gateways:children]", "eu", "uss", "[eu]", "h1");
        assertEquals(3, e.origin().line());
        assertEquals("uss", e.origin().field());
    }

    @Test
    void malformedLinesNameTheirLine() {
        assertEquals(2, error("[g]", "[bad section]").origin().line());
        assertEquals(1, error("[g:hostz]").origin().line());
        assertEquals(2, error("[g]", "h1 novalue").origin().line());
        assertEquals(2, error("[g]", "h1 a=\"unclosed").origin().line());
        assertEquals(4, error("[g]", "h1", "[g:vars]", "just words").origin().line());
        assertEquals(4, error("[g]", "h1", "[p:children]", "two words").origin().line());
    }

    @Test
    void anInvalidPortNamesItsLine() {
        InputError e = error("[g]", "h1", "h2:99999");
        assertEquals(3, e.origin().line());
        assertTrue(e.getMessage().contains("invalid port '99999'"), e.getMessage());
    }

    @Test
    void aYamlFileReadAsIniSaysSo() {
        assertTrue(error("---", "all:").getMessage().contains("YAML"));
    }

    @Test
    void inventoryScriptsAreNotRun() {
        assertTrue(error("#!/usr/bin/env python3", "print('{}')").getMessage().contains("not run"));
    }
}
