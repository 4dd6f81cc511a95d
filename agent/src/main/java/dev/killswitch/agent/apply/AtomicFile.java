package dev.killswitch.agent.apply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Writes a file so that readers see the old or the new content, never half of it. */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** One file to write: where, what, and its mode ({@code rw-r-----}). */
    public record Entry(Path target, String content, String mode) {
    }

    /** Temp file in the same directory, fsync, mode, rename over the target, fsync the directory. */
    public static void write(Path target, String content, String mode) throws IOException {
        writeAll(List.of(new Entry(target, content, mode)));
    }

    /**
     * Writes every file to a synced temp file first and renames them only when all are written, so that a full disk
     * or an error leaves every target as it was, not some new and some old.
     */
    public static void writeAll(List<Entry> entries) throws IOException {
        List<Path> staged = new ArrayList<>();
        try {
            for (Entry e : entries) {
                staged.add(stage(e));
            }
            for (int i = 0; i < entries.size(); i++) {
                Files.move(staged.get(i), entries.get(i).target(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            for (Path tmp : staged) {
                Files.deleteIfExists(tmp);
            }
        }
        for (Entry e : entries) {
            try (FileChannel d = FileChannel.open(e.target().toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some filesystems cannot fsync a directory; the rename itself is still atomic
            }
        }
    }

    private static Path stage(Entry e) throws IOException {
        Path dir = e.target().toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        Path tmp = Files.createTempFile(dir, "." + e.target().getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(e.mode())));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(e.content().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(e.mode()));
            return tmp;
        } catch (IOException | RuntimeException failed) {
            Files.deleteIfExists(tmp);
            throw failed;
        }
    }
}
