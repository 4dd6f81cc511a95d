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

/** Reads the live state, fresh on every call: nothing is trusted from a previous run. */
public final class Observer {
    private final CommandRunner run;
    private final Sysctls sysctls;

    public Observer(CommandRunner run, Sysctls sysctls) {
        this.run = run;
        this.sysctls = sysctls;
    }

    /** nf_tables or legacy, from {@code iptables --version}. */
    public String backend() throws IOException {
        CommandRunner.Result r = run.run(List.of("iptables", "--version"), null);
        if (!r.ok()) {
            throw new IOException("iptables --version failed: " + r.stderr().trim());
        }
        return r.stdout().contains("legacy") ? "legacy" : "nf_tables";
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
        String backend = backend();
        Map<Family, Ruleset> rulesets = new EnumMap<>(Family.class);
        Map<Family, String> texts = new EnumMap<>(Family.class);
        for (Family f : families) {
            String text = save(f);
            texts.put(f, text);
            rulesets.put(f, SaveParser.parseCanonical(text, f));
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
