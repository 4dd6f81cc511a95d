package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteCommandTest {

    private static final List<String> NASTY = List.of(
            "it's", "two words", "$(id)", "`id`", "line one\nline two", "", "a;b", "*", "~", "back\\slash",
            "\"double\"", "'", "''", "-n", "$HOME", "x=1", "é ü 日本", "\ttab", "!event", "}{", "#comment");

    @Test
    void quoteWrapsInSingleQuotesAndEscapesSingleQuotes() {
        assertEquals("'plain'", RemoteCommand.quote("plain"));
        assertEquals("''", RemoteCommand.quote(""));
        assertEquals("'it'\\''s'", RemoteCommand.quote("it's"));
        assertEquals("'$(id)'", RemoteCommand.quote("$(id)"));
        assertEquals("'a\nb'", RemoteCommand.quote("a\nb"));
    }

    @Test
    void lineQuotesEveryArgumentSoAnAssignmentIsNotMistakenForOne() {
        assertEquals("'x=1' 'echo' 'hi'", RemoteCommand.line(List.of("x=1", "echo", "hi")));
    }

    @Test
    void aPosixShellParsesTheLineBackIntoTheSameArguments() throws Exception {
        // The script is constant; the line under test is only a positional argument, parsed the way sshd's shell does.
        String line = RemoteCommand.line(NASTY);
        Process process = new ProcessBuilder("/bin/sh", "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "sh", line)
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        List<String> parsed = Arrays.asList(out.split("\0", -1)).subList(0, NASTY.size());
        assertEquals(NASTY, parsed);
        assertEquals(NASTY.size() + 1, out.split("\0", -1).length, "no extra words: " + out);
    }

    @Test
    void becomePrefixesSudoThatNeverPrompts() {
        assertEquals(List.of("sudo", "-n", "--", "id", "-u"), RemoteCommand.argv(true, List.of("id", "-u")));
        assertEquals(List.of("id", "-u"), RemoteCommand.argv(false, List.of("id", "-u")));
    }

    @Test
    void refusesEmptyCommandsAndNulBytes() {
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.argv(false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.line(List.of("a\0b")));
    }

    @Test
    void theShellUnderTestReallyExpandsUnquotedSyntax() throws IOException, InterruptedException {
        // Guard for the test above: the eval really interprets shell syntax, so quoting is what keeps $(id) inert.
        Process process = new ProcessBuilder("/bin/sh", "-c", "eval \"set -- $1\"; printf '%s' \"$1\"", "sh",
                "$(echo injected)").start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        assertEquals("injected", out);
    }
}
