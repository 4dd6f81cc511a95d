package dev.killswitch.controller.lab;

import dev.killswitch.agent.observe.CommandRunner;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Starts the lab's programs from argument lists: waited-for commands through a CommandRunner, daemons detached. */
final class Processes {

    private final CommandRunner runner;

    Processes(CommandRunner runner) {
        this.runner = runner;
    }

    /** Runs {@code argv}; a program that cannot be started is a LabError, a non-zero exit is returned. */
    CommandRunner.Result run(List<String> argv, String stdin) {
        try {
            return runner.run(argv, stdin);
        } catch (IOException e) {
            throw new LabError("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code argv} and returns its output, or fails saying what {@code purpose} needed. */
    String require(String purpose, List<String> argv, String stdin) {
        CommandRunner.Result r = run(argv, stdin);
        if (!r.ok()) {
            throw new LabError(purpose + " failed: " + String.join(" ", argv) + " exited " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        return r.stdout();
    }

    String require(String purpose, List<String> argv) {
        return require(purpose, argv, null);
    }

    /**
     * Starts a long-lived program that outlives this JVM: no stdin, output to {@code log}. The caller puts
     * {@code setsid} first so that it leaves our session; setsid does not fork for a child that is not a
     * process group leader, so the pid returned is the program's own.
     */
    static long detach(List<String> argv, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            return pb.start().pid();
        } catch (IOException e) {
            throw new LabError("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** The argument list of a live process, empty when it is gone. */
    static Optional<List<String>> commandLine(long pid) {
        try {
            String s = LabFiles.readProc(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (s.isEmpty()) {
                return Optional.empty();
            }
            if (s.endsWith("\0")) {
                s = s.substring(0, s.length() - 1);
            }
            return Optional.of(List.of(s.split("\0", -1)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The short name of a live process ({@code /proc/PID/comm}), empty when it is gone. */
    static Optional<String> name(long pid) {
        try {
            return Optional.of(LabFiles.readProc(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True while {@code pid} runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
    static boolean alive(long pid) {
        try {
            String stat = LabFiles.readProc(Path.of("/proc", Long.toString(pid), "stat"));
            // the state follows the command name, which is in parentheses and may itself contain ") "
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Ends the given processes: SIGTERM, up to a second's grace, then SIGKILL. */
    static void end(List<Long> pids) {
        List<ProcessHandle> live = pids.stream().filter(Processes::alive).map(ProcessHandle::of)
                .flatMap(Optional::stream).toList();
        live.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (ProcessHandle h : live) {
            while (alive(h.pid()) && System.nanoTime() < deadline) {
                pause(5);
            }
            if (alive(h.pid())) {
                h.destroyForcibly();
            }
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabError("interrupted", e);
        }
    }

    /** inotify instances held by root's processes (an instance inherited by several processes counts for each). */
    static int rootInotifyInstances() {
        int n = 0;
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try (java.util.stream.Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    if (Files.getAttribute(proc, "unix:uid").equals(0)) {
                        n += (int) fds.filter(Processes::isInotify).count();
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new LabError("cannot list /proc: " + e.getMessage(), e);
        }
        return n;
    }

    private static boolean isInotify(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify");
        } catch (IOException e) {
            return false;
        }
    }
}
