package dev.killswitch.controller.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greps everything a run wrote for secrets: the body of a private key (whole, and each of its base64 lines, so a
 * partial dump is caught too), passphrases and environment values. Add any new output (history store, HTML report)
 * with {@link #add}.
 */
public final class Leaks {
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private final Map<String, String> secrets = new LinkedHashMap<>();

    /** A secret to look for, with the name a failure reports instead of its value. */
    public Leaks secret(String name, String value) {
        if (value.length() < 8) {
            throw new IllegalArgumentException("a secret this short would match by chance: " + name);
        }
        secrets.put(name, value);
        return this;
    }

    /** An OpenSSH/PEM private key file: its whole base64 body and every line of it. */
    public Leaks privateKey(Path key) {
        List<String> body = new ArrayList<>();
        for (String l : read(key).split("\n")) {
            if (!l.isBlank() && !l.startsWith("-----")) {
                body.add(l.trim());
            }
        }
        secret("private key body of " + key.getFileName(), String.join("", body));
        for (int i = 0; i < body.size(); i++) {
            if (body.get(i).length() >= 16) {
                secret("private key " + key.getFileName() + " line " + (i + 1), body.get(i));
            }
        }
        return this;
    }

    /** Something the run wrote, by a name that says where it came from. */
    public Leaks add(String name, String content) {
        outputs.put(name, content == null ? "" : content);
        return this;
    }

    /** A file the run wrote, or every file under a directory. */
    public Leaks addFile(Path path) {
        if (Files.isDirectory(path)) {
            try (var files = Files.walk(path)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    add(p.toString(), read(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            add(path.toString(), read(path));
        }
        return this;
    }

    /** Where each secret appeared ("name in output"); empty when nothing leaked. */
    public List<String> found() {
        if (outputs.isEmpty() || secrets.isEmpty()) {
            throw new IllegalStateException("nothing to search, or nothing to search for");
        }
        List<String> found = new ArrayList<>();
        secrets.forEach((name, value) -> outputs.forEach((where, text) -> {
            if (text.contains(value)) {
                found.add(name + " in " + where);
            }
        }));
        return found;
    }

    /** How many outputs are searched (a test proves it searched what it meant to). */
    public int outputs() {
        return outputs.size();
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
