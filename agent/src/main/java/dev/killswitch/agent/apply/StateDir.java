package dev.killswitch.agent.apply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * The agent's state directory: the apply lock, the backup of the last apply and the pending
 * confirmation. Owned by root, mode 0700; nothing in it is world-writable.
 */
public final class StateDir {
    public static final String DEFAULT = "/var/lib/killswitch";

    private final Path root;

    private StateDir(Path root) {
        this.root = root;
    }

    public static StateDir open(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        }
        refuseIfOthersCanWrite(root);
        return new StateDir(root);
    }

    /** Whoever can write the state dir can swap the backup a rollback restores: only its owner may. */
    private static void refuseIfOthersCanWrite(Path root) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(root);
        String owner = Files.getOwner(root).getName();
        boolean others = perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        if (others || !owner.equals(System.getProperty("user.name"))) {
            throw new ApplyError("state dir " + root + " is owned by " + owner + " with mode "
                    + PosixFilePermissions.toString(perms) + ": another user could replace the backup a rollback "
                    + "restores; make it " + System.getProperty("user.name") + "'s and not writable by others "
                    + "(chmod go-w)");
        }
    }

    public Path root() {
        return root;
    }

    public Path backup() {
        return root.resolve("backup.json");
    }

    public Path pending() {
        return root.resolve("pending.json");
    }

    /**
     * The controller's confirmation of apply {@code id}: a file it writes over a fresh SSH connection, which the
     * applying process waits for (see {@link Applier#confirmOnToken}). Only root can write here (the dir is 0700).
     */
    public Path confirmToken(String id) {
        return root.resolve(confirmTokenName(id));
    }

    /** The file name of {@link #confirmToken}, for the controller. */
    public static String confirmTokenName(String id) {
        return "confirm-" + id;
    }

    /**
     * Removes every confirmation token; for when no apply waits for one. A token written after its apply's deadline
     * (or after its agent died) would otherwise stay: it confirms nothing, as only its own apply reads it.
     */
    public void removeConfirmTokens() throws IOException {
        try (java.nio.file.DirectoryStream<Path> tokens = Files.newDirectoryStream(root, confirmTokenName("*"))) {
            for (Path token : tokens) {
                Files.deleteIfExists(token);
            }
        }
    }

    public Path watchdogLog() {
        return root.resolve("watchdog.log");
    }

    /** An exclusive lock on the state dir: two applies (or an apply and a rollback) never interleave. */
    public final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }

    /** Takes the lock now or fails with a message naming its holder. */
    public Lock lock() throws IOException {
        Lock l = tryLock();
        if (l == null) {
            throw new ApplyError("another killswitch-agent holds the lock " + root.resolve("lock")
                    + " (pid " + holder() + "); refusing to apply concurrently — nothing was changed");
        }
        return l;
    }

    /** Waits up to {@code wait} for the lock. */
    public Lock lock(Duration wait) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            Lock l = tryLock();
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > end) {
                throw new ApplyError("timed out waiting for the lock " + root.resolve("lock") + " (pid " + holder() + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the lock", e);
            }
        }
    }

    private Lock tryLock() throws IOException {
        Path file = root.resolve("lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        FileLock fl;
        try {
            fl = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            fl = null;
        }
        if (fl == null) {
            ch.close();
            return null;
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new Lock(ch, fl);
    }

    private String holder() {
        try {
            return Files.readString(root.resolve("lock")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
