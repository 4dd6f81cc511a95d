package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LabCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new LabCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpListsTheThreeSubcommands() {
        assertEquals(0, run("--help"));

        String help = out.toString();
        assertTrue(help.contains("up ") && help.contains("down ") && help.contains("status "), help);
    }

    @Test
    void upRejectsAHostCountOutOfRangeBeforeTouchingAnything() {
        assertEquals(1, run("up", "--hosts", "0", "--state-dir", "/nonexistent/lab"));

        assertEquals("killswitch lab up: --hosts must be between 1 and 200, got 0\n", err.toString());
    }

    @Test
    void upRejectsABadPrefixNamingTheRule() {
        assertEquals(1, run("up", "--prefix", "ks lab", "--state-dir", "/nonexistent/lab"));

        assertTrue(err.toString().startsWith("killswitch lab up: --prefix must be 2..24 characters"), err.toString());
    }

    @Test
    void statusWithoutALabSaysHowToStartOne() {
        assertEquals(1, run("status", "--state-dir", "/nonexistent/lab"));

        assertTrue(err.toString().contains("no lab is recorded in /nonexistent/lab"), err.toString());
    }

    @Test
    void labWithoutASubcommandIsAUsageError() {
        assertEquals(2, run());

        assertTrue(err.toString().contains("Missing subcommand"), err.toString());
    }
}
