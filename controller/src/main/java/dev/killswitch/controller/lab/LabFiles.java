package dev.killswitch.controller.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Small file operations that fail as LabErrors naming the file. */
final class LabFiles {
    private LabFiles() {
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LabError("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static void createPrivateDirectories(Path dir) {
        createDirectories(dir);
        chmod(dir, "rwx------");
    }

    static void write(Path file, String text) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new LabError("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void writePrivate(Path file, String text) {
        write(file, "");
        chmod(file, "rw-------");
        write(file, text);
    }

    static String read(Path file) {
        try {
            return readProc(file);
        } catch (IOException e) {
            throw new LabError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a whole file by streaming it. Files.readString trusts the size the file reports, and /proc/sys files
     * report a size that makes it return only their first byte.
     */
    static String readProc(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static String link(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new LabError("cannot read the link " + link + ": " + e.getMessage(), e);
        }
    }

    private static void chmod(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException e) {
            throw new LabError("cannot chmod " + p + ": " + e.getMessage(), e);
        }
    }

    /** Deletes {@code path} and everything under it; absent is fine. Symbolic links are removed, never followed. */
    static void deleteTree(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new LabError("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }
}
