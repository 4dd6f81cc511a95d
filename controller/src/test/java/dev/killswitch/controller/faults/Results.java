package dev.killswitch.controller.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The suite's table rows, appended to {@code killswitch.reliability.out} (default target/reliability.tsv):
 * fault, runs, outcome, leaked packets, lost SSH sessions, notes. bench/reliability prints them as the table of
 * docs/reliability.md.
 */
final class Results {

    private Results() {
    }

    /** A count from a system property, or {@code ci} when it is not set: the long suite raises them. */
    static int count(String name, int ci) {
        return Integer.getInteger("killswitch.reliability." + name, ci);
    }

    static synchronized void row(String fault, int runs, String outcome, long leaked, int lostSessions, String notes) {
        Path out = Path.of(System.getProperty("killswitch.reliability.out", "target/reliability.tsv"));
        String line = String.join("\t", fault, Integer.toString(runs), outcome, Long.toString(leaked),
                Integer.toString(lostSessions), notes.replace('\t', ' ').replace('\n', ' ')) + "\n";
        try {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print("RELIABILITY " + line);
    }
}
