package dev.killswitch.agent.observe;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Reads the live state, fresh on every call: nothing is trusted from a previous run. */
public final class Observer {
    private final CommandRunner run;
    private final Sysctls sysctls;
    private volatile String backend;

    public Observer(CommandRunner run, Sysctls sysctls) {
        this.run = run;
        this.sysctls = sysctls;
    }

    /** What a reading run in the background returned, or the error it failed with. */
    public static <T> T result(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the live state", e);
        }
    }

    /**
     * nf_tables or legacy, from {@code iptables --version}; asked once per observer (one agent call), whose apply
     * reads the live state twice (before, and to verify).
     */
    public String backend() throws IOException {
        String known = backend;
        if (known == null) {
            CommandRunner.Result r = run.run(List.of("iptables", "--version"), null);
            if (!r.ok()) {
                throw new IOException("iptables --version failed: " + r.stderr().trim());
            }
            known = backendOf(r.stdout());
            backend = known;
        }
        return known;
    }

    /** nf_tables or legacy, from what {@code iptables --version} printed. */
    static String backendOf(String version) {
        return version.contains("legacy") ? "legacy" : "nf_tables";
    }

    public String save(Family f) throws IOException {
        CommandRunner.Result r = run.run(List.of(f.saveCommand()), null);
        if (!r.ok()) {
            throw new IOException(f.saveCommand() + " failed (exit " + r.exitCode() + "): " + r.stderr().trim());
        }
        return r.stdout();
    }

    public LiveState observe(Collection<Family> families, Collection<String> sysctlKeys, Collection<String> files)
            throws IOException {
        // the version check and the dumps are separate read-only programs: run them side by side
        ExecutorService pool = Executors.newFixedThreadPool(1 + families.size(), r -> {
            Thread t = new Thread(r, "observe");
            t.setDaemon(true);
            return t;
        });
        Map<Family, Ruleset> rulesets = new EnumMap<>(Family.class);
        Map<Family, String> texts = new EnumMap<>(Family.class);
        String backend;
        try {
            Future<String> version = pool.submit(this::backend);
            Map<Family, Future<String>> saves = new EnumMap<>(Family.class);
            for (Family f : families) {
                saves.put(f, pool.submit(() -> save(f)));
            }
            backend = result(version);
            for (Family f : families) {
                String text = result(saves.get(f));
                texts.put(f, text);
                rulesets.put(f, SaveParser.parseObserved(text, f));
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String k : sysctlKeys) {
            values.put(k, sysctls.read(k));
        }
        Map<String, String> contents = new LinkedHashMap<>();
        for (String p : files) {
            Path path = Path.of(p);
            contents.put(p, Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8) : null);
        }
        return new LiveState(backend, rulesets, texts, values, contents);
    }
}
