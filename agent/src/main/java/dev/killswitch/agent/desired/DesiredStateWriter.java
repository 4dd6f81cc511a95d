package dev.killswitch.agent.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.killswitch.agent.desired.DesiredState.Expectation;
import dev.killswitch.agent.desired.DesiredState.Persist;
import dev.killswitch.agent.desired.DesiredState.Sysctl;
import dev.killswitch.agent.desired.DesiredState.TableSpec;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.RawRule;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a desired state as {@code killswitch/v1} YAML that {@link DesiredStateReader} reads back to an equal state. */
public final class DesiredStateWriter {
    // The emitter falls back to quotes whenever a plain scalar would not read back as the same string.
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private DesiredStateWriter() {
    }

    public static String write(DesiredState s) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", DesiredState.API_VERSION);
        doc.put("kind", DesiredState.KIND);
        doc.put("host", s.host());
        for (Map.Entry<Family, Map<String, TableSpec>> f : s.families().entrySet()) {
            Map<String, Object> tables = new LinkedHashMap<>();
            f.getValue().forEach((name, t) -> tables.put(name, table(t)));
            doc.put(f.getKey().key(), tables);
        }
        if (!s.sysctl().isEmpty()) {
            Map<String, Object> sysctl = new LinkedHashMap<>();
            for (Sysctl c : s.sysctl().values()) {
                sysctl.put(c.key(), c.value());
            }
            doc.put("sysctl", sysctl);
        }
        if (s.persist() != null) {
            doc.put("persist", persist(s.persist()));
        }
        if (s.guards() != null) {
            doc.put("guards", guards(s.guards()));
        }
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // plain maps, lists and strings always serialise
        }
    }

    private static Map<String, Object> table(TableSpec t) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!t.policies().isEmpty()) {
            out.put("policies", t.policies());
        }
        Map<String, Object> chains = new LinkedHashMap<>();
        for (Map.Entry<String, List<RawRule>> c : t.chains().entrySet()) {
            chains.put(c.getKey(), c.getValue().stream().map(RawRule::args).toList());
        }
        out.put("chains", chains);
        if (!t.ignore().isEmpty()) {
            out.put("ignore", t.ignore());
        }
        return out;
    }

    private static Map<String, Object> persist(Persist p) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfSet(out, "rules_v4", p.rulesV4());
        putIfSet(out, "rules_v6", p.rulesV6());
        putIfSet(out, "sysctl", p.sysctl());
        return out;
    }

    private static Map<String, Object> guards(DesiredState.Guards g) {
        Map<String, Object> ssh = new LinkedHashMap<>();
        ssh.put("ports", g.ssh().ports());
        if (!g.ssh().from().isEmpty()) {
            ssh.put("from", g.ssh().from());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ssh", ssh);
        if (!g.expect().isEmpty()) {
            List<Object> expect = new ArrayList<>();
            for (Expectation x : g.expect()) {
                expect.add(Map.of(x.allow() ? "allow" : "deny", expectation(x)));
            }
            out.put("expect", expect);
        }
        return out;
    }

    private static Map<String, Object> expectation(Expectation x) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("family", x.family().key());
        out.put("chain", x.chain());
        putIfSet(out, "in", x.in());
        putIfSet(out, "out", x.out());
        putIfSet(out, "proto", x.proto());
        putIfSet(out, "src", x.src());
        putIfSet(out, "dst", x.dst());
        putIfSet(out, "sport", x.sport());
        putIfSet(out, "dport", x.dport());
        if (x.state() != null && !x.state().equals("NEW")) {
            out.put("state", x.state());
        }
        return out;
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
