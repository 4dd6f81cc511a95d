package dev.killswitch.agent.cli;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateWriter;
import dev.killswitch.agent.observe.Observer;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawChain;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.RawTable;
import dev.killswitch.agent.rules.SaveParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code import}: a desired state that owns exactly the tables of an iptables-save text. */
@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Print a desired state that owns exactly the tables of an iptables-save dump.", sortOptions = false,
        description = {
            "Print a desired state (YAML) that owns exactly the tables in the given iptables-save text, keeping every rule as it was spelled. The starting point for bringing an existing host under Killswitch: a plan of the imported state on that host is empty."})
final class ImportCommand extends Invocation.Invoked implements Callable<Integer> {
    @Option(names = "--from", paramLabel = "FILE",
            description = "An iptables-save or iptables-restore file; without it the live rules are read.")
    Path from;
    @Option(names = "--family", paramLabel = "FAMILY",
            description = "ipv4 or ipv6: which family the text is (default ipv4 with --from; both live without).")
    String family;

    @Override
    public Integer call() throws Exception {
        Map<Family, Map<String, DesiredState.TableSpec>> families = new LinkedHashMap<>();
        if (from != null) {
            Family f = family == null ? Family.IPV4 : Family.ofKey(family);
            String text = Files.readString(from, StandardCharsets.UTF_8);
            families.put(f, tables(SaveParser.parse(text, from.toString(), f)));
        } else {
            Observer observer = new Observer(HostOptions.RUNNER, Sysctls.proc());
            List<Family> fams = family == null ? List.of(Family.values()) : List.of(Family.ofKey(family));
            for (Family f : fams) {
                families.put(f, tables(SaveParser.parse(observer.save(f), f.saveCommand(), f)));
            }
        }
        DesiredState s = new DesiredState(from == null ? "<live>" : from.toString(), HostOptions.hostname(),
                families, new LinkedHashMap<>(), null, null);
        io.out().print(DesiredStateWriter.write(s));
        return 0;
    }

    static Map<String, DesiredState.TableSpec> tables(RawRuleset raw) {
        Map<String, DesiredState.TableSpec> out = new LinkedHashMap<>();
        for (RawTable t : raw.tables().values()) {
            Map<String, String> policies = new LinkedHashMap<>();
            Map<String, List<RawRule>> chains = new LinkedHashMap<>();
            for (RawChain c : t.chains().values()) {
                if (c.policy() != null) {
                    policies.put(c.name(), c.policy());
                }
                chains.put(c.name(), new ArrayList<>(c.rules()));
            }
            out.put(t.name(), new DesiredState.TableSpec(t.name(), policies, chains, List.of(),
                    new Origin("<import>", 0, t.name())));
        }
        return out;
    }
}
