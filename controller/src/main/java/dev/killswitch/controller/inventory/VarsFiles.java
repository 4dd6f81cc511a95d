package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The {@code group_vars/} or {@code host_vars/} directory next to an inventory. For a name it reads the
 * first of {@code NAME}, {@code NAME.yml}, {@code NAME.yaml}, {@code NAME.json} that exists; a directory
 * is read file by file in name order, later files overriding earlier ones (as Ansible's host_group_vars).
 */
final class VarsFiles {
    private static final List<String> EXTENSIONS = List.of("", ".yml", ".yaml", ".json");

    private final Path dir;

    VarsFiles(Path dir) {
        this.dir = dir;
    }

    /** The variables for {@code name}, each with the file and line it came from; empty when there is no file. */
    Map<String, Variable> load(String name) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (Path file : files(name)) {
            YamlFile yaml = YamlFile.read(file);
            Object root = yaml.root();
            if (root == null) {
                continue;
            }
            if (!(root instanceof Map<?, ?> map)) {
                throw new InputError(new Origin(file.toString(), 1, ""),
                        "a vars file must be a mapping of variable names to values");
            }
            vars.putAll(yaml.variables(map));
        }
        return vars;
    }

    private List<Path> files(String name) {
        if (!Files.isDirectory(dir) || name.contains("/") || name.startsWith(".")) {
            return List.of();
        }
        for (String ext : EXTENSIONS) {
            Path candidate = dir.resolve(name + ext);
            if (Files.isDirectory(candidate)) {
                return filesBelow(candidate);
            }
            if (Files.isRegularFile(candidate)) {
                return List.of(candidate);
            }
        }
        return List.of();
    }

    private static List<Path> filesBelow(Path directory) {
        List<Path> out = new ArrayList<>();
        for (Path entry : sortedEntries(directory)) {
            String file = entry.getFileName().toString();
            if (file.startsWith(".") || file.endsWith("~")) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                out.addAll(filesBelow(entry));
            } else if (EXTENSIONS.contains(extension(file))) {
                out.add(entry);
            }
        }
        return out;
    }

    /** Names the directory has files for, so that files matching no group or host can be reported. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            for (Path entry : sortedEntries(dir)) {
                String file = entry.getFileName().toString();
                if (file.startsWith(".") || file.endsWith("~")) {
                    continue;
                }
                String ext = extension(file);
                boolean known = !Files.isDirectory(entry) && EXTENSIONS.contains(ext);
                names.add(known ? file.substring(0, file.length() - ext.length()) : file);
            }
        }
        return names;
    }

    Path dir() {
        return dir;
    }

    static String extension(String file) {
        for (String ext : EXTENSIONS) {
            if (!ext.isEmpty() && file.endsWith(ext)) {
                return ext;
            }
        }
        return file.contains(".") ? file.substring(file.lastIndexOf('.')) : "";
    }

    static List<Path> sortedEntries(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}
