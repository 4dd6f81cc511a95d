package dev.killswitch.agent.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One bad input of the hostile corpus and what refusing it must look like: the exit code, and the line, field and
 * message fragment the error names. The corpus lists them in an {@code INDEX.tsv} next to the files.
 */
public record HostileCase(String file, int exit, int line, String field, String fragment) {

    /** The cases of a corpus directory on the test classpath, in index order. */
    public static List<HostileCase> index(String resourceDir) {
        String text;
        try (InputStream in = HostileCase.class.getResourceAsStream("/" + resourceDir + "/INDEX.tsv")) {
            if (in == null) {
                throw new IllegalArgumentException("no corpus index " + resourceDir + "/INDEX.tsv");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<HostileCase> cases = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\t", -1);
            cases.add(new HostileCase(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], f[4]));
        }
        return List.copyOf(cases);
    }

    /** Why {@code stderr} (of a run that read {@code path}) is not the clear error this case expects, or null. */
    public String problem(String path, int exitCode, String stderr) {
        if (exitCode != exit) {
            return "exit " + exitCode + ", expected " + exit;
        }
        if (stderr.contains("\tat ") || stderr.contains("Exception")) {
            return "a stack trace or raw exception instead of a message";
        }
        if (!stderr.contains(path + ":" + line)) {
            return "does not name " + path + ":" + line;
        }
        if (!field.isEmpty() && !stderr.contains(field)) {
            return "does not name the field " + field;
        }
        if (!fragment.isEmpty() && !stderr.contains(fragment)) {
            return "does not say '" + fragment + "'";
        }
        return null;
    }
}
