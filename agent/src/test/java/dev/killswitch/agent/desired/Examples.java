package dev.killswitch.agent.desired;

import dev.killswitch.agent.desired.DesiredState.Expectation;
import dev.killswitch.agent.desired.DesiredState.Guards;
import dev.killswitch.agent.desired.DesiredState.Sysctl;
import dev.killswitch.agent.desired.DesiredState.TableSpec;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test documents and a way to compare states while ignoring where they were read from. */
final class Examples {
    static final String HEADER = "apiVersion: killswitch/v1\nkind: DesiredState\nhost: gw1\n";

    private Examples() {
    }

    static String example() {
        try (InputStream in = Examples.class.getResourceAsStream("/desired/example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same state with every Origin and the file name blanked, for comparing what was written and read. */
    static DesiredState withoutOrigins(DesiredState s) {
        Origin none = Origin.unknown();
        Map<Family, Map<String, TableSpec>> families = new LinkedHashMap<>();
        s.families().forEach((f, tables) -> {
            Map<String, TableSpec> out = new LinkedHashMap<>();
            tables.forEach((name, t) -> {
                Map<String, List<RawRule>> chains = new LinkedHashMap<>();
                t.chains().forEach((c, rules) ->
                        chains.put(c, rules.stream().map(r -> new RawRule(r.args(), none)).toList()));
                out.put(name, new TableSpec(t.name(), t.policies(), chains, t.ignore(), none));
            });
            families.put(f, out);
        });
        Map<String, Sysctl> sysctl = new LinkedHashMap<>();
        s.sysctl().forEach((k, v) -> sysctl.put(k, new Sysctl(v.key(), v.value(), none)));
        List<Expectation> expect = s.guards().expect().stream()
                .map(x -> new Expectation(x.allow(), x.family(), x.chain(), x.in(), x.out(), x.proto(), x.src(),
                        x.dst(), x.sport(), x.dport(), x.state(), none))
                .toList();
        return new DesiredState("", s.host(), families, sysctl, s.persist(), new Guards(s.guards().ssh(), expect));
    }
}
