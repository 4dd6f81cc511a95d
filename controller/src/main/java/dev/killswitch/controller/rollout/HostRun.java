package dev.killswitch.controller.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.apply.StateDir;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateWriter;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.controller.drift.Drift;
import dev.killswitch.controller.inventory.HostConnection;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.render.KillSwitch;
import dev.killswitch.controller.render.KillSwitchReader;
import dev.killswitch.controller.render.KillSwitchRenderer;
import dev.killswitch.controller.render.Resolver;
import dev.killswitch.controller.transport.AgentInstaller;
import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.HostKeyMismatch;
import dev.killswitch.controller.transport.Target;
import dev.killswitch.controller.transport.Transport;
import dev.killswitch.controller.transport.TransportException;
import dev.killswitch.controller.transport.Unreachable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One host's part of a run: connect once, make sure the agent is there, read facts, render the kill
 * switch, then plan or apply through the agent, and confirm an apply over a fresh connection.
 */
public final class HostRun {

    /**
     * Run-wide settings.
     *
     * @param resident with a value, work through each gateway's resident agent, started on first use and gone after
     *     this long without a request; null: one agent process per call
     */
    public record Options(Duration connectTimeout, Duration commandTimeout, int confirmTimeout, boolean force,
                          Duration resident) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(120), 30, false, null);
        }
    }

    /** JVM flags for the short-lived agent process: it starts, works for well under a second, and exits. */
    static final List<String> JVM = java.util.stream.Stream.concat(
            dev.killswitch.agent.resident.Resident.JVM.stream(), java.util.stream.Stream.of("-Xshare:auto")).toList();
    // a missing or stale archive is ignored by -Xshare:auto: the agent then starts without it

    private final Transport transport;
    private final byte[] agentJar;
    private final Options options;
    private final Progress progress;
    // One installer per agent path for the whole run: it copies and hashes the jar once, not once per host.
    private final Map<String, AgentInstaller> installers = new java.util.concurrent.ConcurrentHashMap<>();

    public HostRun(Transport transport, byte[] agentJar, Options options, Progress progress) {
        this.transport = transport;
        this.agentJar = agentJar;
        this.options = options;
        this.progress = progress;
    }

    /** The inventory's view of a host as a transport target. */
    public Target target(String host, HostConnection c) {
        return new Target(host, c.address(), c.port(), c.user(),
                Path.of(expandHome(c.privateKeyFile().orElse("~/.ssh/id_ed25519"))), c.become(),
                c.jumpHost().orElse(null), options.connectTimeout(), options.commandTimeout());
    }

    /** {@code ~/x} as operators write key paths in inventories. */
    public static String expandHome(String p) {
        return p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
    }

    /** Where the agent and its state live on this host (lab gateways share one filesystem, so it varies). */
    record Paths(String agent, String stateDir) {
        static Paths of(Map<String, Object> vars, KillSwitch ks) {
            Object a = vars.get("killswitch_agent_path");
            return new Paths(a == null ? AgentInstaller.DEFAULT_PATH : a.toString(), ks.stateDir());
        }
    }

    /** Plans (read-only) or applies a play on one host. */
    public HostResult run(Inventory inv, Play play, String host, boolean apply) {
        long t0 = System.nanoTime();
        Map<String, Object> vars = new java.util.LinkedHashMap<>(play.vars());
        vars.putAll(inv.templateVars(host));
        Target target;
        KillSwitch ks;
        try {
            target = target(host, inv.connection(host));
            ks = KillSwitchReader.read(play.killswitch(), vars);
        } catch (InputError | IllegalArgumentException e) {
            return HostResult.of(host, Status.FAILED, e.getMessage(), ms(t0));
        }
        Paths paths = Paths.of(vars, ks);
        Rendering rendering = new Rendering(host, ks, play, vars, apply ? "applying" : "planning");
        try (Connection c = connect(target)) {
            List<String> work = apply ? applyArgs(paths, null) : List.of("plan", "--json", "--desired", "-",
                    "--state-dir", paths.stateDir());
            ExecResult r;
            // an apply waits in its agent process for the confirmation token this run writes over a fresh connection
            Confirmation confirmation = apply ? new Confirmation(target, c, paths) : null;
            // one agent call: it prints the facts, we answer with the desired state rendered from them
            List<String> argv = new ArrayList<>(work);
            argv.add("--facts-first");
            if (apply) {
                argv.add("--await-confirm");
            }
            ResidentAgent resident = resident(c, paths);
            Agent agent = resident != null ? Agent.installed(paths) : agent(c, paths);
            progress.host(host, resident != null ? "facts (resident agent)" : "facts");
            try {
                if (resident != null) {
                    r = resident.run(argv, rendering::answer, null, confirmation, null);
                } else {
                    r = c.converse(agent.first(startResident(c, argv)), rendering::answer, confirmation, null);
                    agent = agent.afterFirst(c, r);
                }
            } catch (Unconfirmed e) {
                return e.result(ms(t0));
            } catch (UnsupportedOperationException e) {
                confirmation = null;
                // a transport without dialogues (test fakes): facts, then plan or apply
                ExecResult fr = c.exec(agent.first(List.of("facts", "--json")), null, null);
                agent = agent.afterFirst(c, fr);
                if (fr.exitCode() == 127) {
                    return HostResult.of(host, Status.FAILED, AgentInstaller.noJava(host), ms(t0));
                }
                if (!fr.ok()) {
                    return HostResult.of(host, Status.FAILED, "agent facts failed: " + firstLine(fr.stderr()), ms(t0));
                }
                byte[] desired = rendering.answer(fr.stdout());
                r = rendering.error == null ? c.exec(agent.command(work), desired, null) : null;
            }
            if (r != null && r.exitCode() == 127) {
                return HostResult.of(host, Status.FAILED, AgentInstaller.noJava(host), ms(t0));
            }
            if (rendering.error instanceof InputError e) {
                return new HostResult(host, Status.FAILED, e.getMessage(), 0, null, ms(t0), null, null);
            }
            if (rendering.error != null) {
                return HostResult.of(host, Status.FAILED, rendering.error.toString(), ms(t0));
            }
            if (rendering.yaml == null) {
                return HostResult.of(host, Status.FAILED, "agent facts failed: " + firstLine(r.stderr()), ms(t0));
            }
            return apply ? confirmed(confirmation, target, c, agent, paths, r, rendering.yaml, t0)
                    : planned(host, r, rendering.yaml, Drift.of(ks, rendering.facts), t0);
        } catch (Unreachable e) {
            return HostResult.of(host, Status.UNREACHABLE, e.getMessage(), ms(t0));
        } catch (HostKeyMismatch e) {
            return HostResult.of(host, Status.FAILED, e.getMessage(), ms(t0));
        } catch (TransportException e) {
            return HostResult.of(host, Status.FAILED, e.getMessage(), ms(t0));
        } catch (RuntimeException e) {
            return HostResult.of(host, Status.FAILED, e.toString(), ms(t0));
        }
    }

    /** Renders the desired state from the facts a host's agent sends, and remembers the YAML or why it failed. */
    private final class Rendering {
        private final String host;
        private final KillSwitch ks;
        private final Play play;
        private final Map<String, Object> vars;
        private final String next;
        private String yaml;
        private Facts facts;
        private Exception error;

        Rendering(String host, KillSwitch ks, Play play, Map<String, Object> vars, String next) {
            this.host = host;
            this.ks = ks;
            this.play = play;
            this.vars = vars;
            this.next = next;
        }

        /** The desired state for the agent's standard input; nothing (the agent then stops) when rendering failed. */
        byte[] answer(String factsJson) {
            try {
                facts = Json.MAPPER.readValue(factsJson, Facts.class);
                DesiredState state = KillSwitchRenderer.render(host, ks, facts, Resolver.system(ks.resolve()),
                        play.rules(), vars);
                DesiredCompiler.compile(state, new BuiltinCanonicalizer()); // bad rules fail here, naming the playbook
                yaml = DesiredStateWriter.write(state);
                progress.host(host, next);
                return bytes(yaml);
            } catch (java.io.IOException | RuntimeException e) {
                error = e;
                return new byte[0];
            }
        }
    }

    /**
     * Confirms an apply without a second agent JVM: the agent prints its report on one line and waits; on that line
     * this opens a fresh SSH connection (the proof that SSH still works after the apply) and writes the apply's
     * confirmation token in the state dir over it; the agent then confirms (persists) and prints {@code confirmed ID}.
     */
    private final class Confirmation implements java.util.function.Consumer<String> {
        private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-f-]{36}");
        private final Target target;
        private final Connection first;
        private final Paths paths;
        private JsonNode report;
        private String id;

        Confirmation(Target target, Connection first, Paths paths) {
            this.target = target;
            this.first = first;
            this.paths = paths;
        }

        @Override
        public void accept(String line) {
            if (report != null) {
                return;
            }
            report = parse(line);
            String confirmId = report == null ? null : report.path("confirm").path("id").asText(null);
            if (confirmId == null || !report.path("changed").asBoolean()) {
                return;
            }
            if (!ID.matcher(confirmId).matches()) {
                first.close(); // the agent waits for a token it will not get: its watchdog rolls back
                throw new Unconfirmed(rolledBack("the agent reported a malformed confirm id"));
            }
            id = confirmId;
            progress.host(target.name(), "applied " + steps() + " step(s); confirming over a new connection");
            try (Connection fresh = transport.connect(target)) {
                fresh.put(bytes(id + "\n"), paths.stateDir() + "/" + StateDir.confirmTokenName(id), 0600);
            } catch (TransportException e) {
                first.close();
                throw new Unconfirmed(rolledBack("could not reconnect to confirm (" + e.getMessage()
                        + "); the host rolls itself back within " + options.confirmTimeout() + " s"));
            }
        }

        /** True when the token went out: then {@link #result} tells what came of it. */
        boolean sent() {
            return id != null;
        }

        /** What the confirmed apply came to, once the agent call ended. */
        HostResult result(ExecResult r, String desiredYaml, long millis) {
            String fp = report.path("fingerprint").asText(null);
            if (r.exitCode() != 0 || !r.stdout().contains("\nconfirmed " + id)) {
                return new HostResult(target.name(), Status.ROLLED_BACK, "confirm refused (" + firstLine(r.stderr())
                        + "); the host rolled back", steps(), fp, millis, report, desiredYaml);
            }
            return new HostResult(target.name(), Status.CHANGED, steps() + " step(s), " + BY_TOKEN, steps(), fp,
                    millis, report, desiredYaml);
        }

        private java.util.function.LongFunction<HostResult> rolledBack(String message) {
            JsonNode rep = report;
            int steps = steps();
            return millis -> new HostResult(target.name(), Status.ROLLED_BACK, message, steps,
                    rep.path("fingerprint").asText(null), millis, rep, null);
        }

        private int steps() {
            return report == null ? 0 : report.path("steps").size();
        }
    }

    /** Ends an agent call whose apply cannot be confirmed; carries the host's result. */
    private static final class Unconfirmed extends RuntimeException {
        private final transient java.util.function.LongFunction<HostResult> result;

        Unconfirmed(java.util.function.LongFunction<HostResult> result) {
            super(null, null, false, false);
            this.result = result;
        }

        HostResult result(long millis) {
            return result.apply(millis);
        }
    }

    /**
     * Applies a reviewed desired state exactly, refusing when the host's live state moved on; confirmed by token as
     * {@link #run} confirms.
     */
    public HostResult applySaved(Target target, String agentPath, String stateDir, String desiredYaml,
                                 String fingerprint) {
        long t0 = System.nanoTime();
        try (Connection c = connect(target)) {
            Paths paths = new Paths(agentPath, stateDir);
            ResidentAgent resident = resident(c, paths);
            Agent agent = resident != null ? Agent.installed(paths) : agent(c, paths);
            progress.host(target.name(), resident != null ? "applying (resident agent)" : "applying");
            List<String> work = applyArgs(paths, fingerprint);
            Confirmation confirmation = new Confirmation(target, c, paths);
            ExecResult r;
            try {
                List<String> argv = new ArrayList<>(work);
                argv.add("--await-confirm");
                r = resident != null ? resident.run(argv, null, bytes(desiredYaml), confirmation, null)
                        : c.exec(agent.command(startResident(c, argv)), bytes(desiredYaml), confirmation, null);
            } catch (UnsupportedOperationException e) {
                confirmation = null; // a transport without dialogues (test fakes): confirmed by the confirm command
                r = c.exec(agent.command(work), bytes(desiredYaml), null);
            }
            return confirmed(confirmation, target, c, agent, paths, r, desiredYaml, t0);
        } catch (Unconfirmed e) {
            return e.result(ms(t0));
        } catch (Unreachable e) {
            return HostResult.of(target.name(), Status.UNREACHABLE, e.getMessage(), ms(t0));
        } catch (TransportException | RuntimeException e) {
            return HostResult.of(target.name(), Status.FAILED, e.getMessage(), ms(t0));
        }
    }

    private Connection connect(Target target) throws TransportException {
        progress.host(target.name(), "connecting to " + target.address());
        return transport.connect(target);
    }

    /**
     * This host's resident agent when the run uses them: the one of this jar that answers, else one started now
     * (after installing the jar) that this run then works through; null when none can be reached.
     */
    private ResidentAgent resident(Connection c, Paths paths) throws TransportException {
        if (options.resident() == null) {
            return null;
        }
        String sha = installer(paths).sha256();
        ResidentAgent running = ResidentAgent.reach(c, paths.stateDir(), sha);
        if (running != null || c.target().become()) {
            return running;
        }
        install(c, paths);
        progress.host(c.target().name(), "starting the resident agent");
        return ResidentAgent.start(c, JVM, paths.agent(), sha, paths.stateDir(), options.resident(), RESIDENT_START);
    }

    /** How long a run waits for the resident agent it started to listen (ten JVMs starting at once on one core). */
    private static final Duration RESIDENT_START = Duration.ofSeconds(30);

    /** {@code args} asking the agent to start the resident agent for the next runs, when this run uses them. */
    private List<String> startResident(Connection c, List<String> args) {
        if (options.resident() == null || c.target().become()) {
            return args;
        }
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--start-resident", String.valueOf(Math.max(1, options.resident().toSeconds()))));
        return all;
    }

    private AgentInstaller installer(Paths paths) {
        return installers.computeIfAbsent(paths.agent(), p -> new AgentInstaller(agentJar, p));
    }

    private Agent agent(Connection c, Paths paths) throws TransportException {
        AgentInstaller.Installed in = install(c, paths);
        ClassArchive archive = new ClassArchive(in.path());
        return new Agent(in.path(), archive, !in.uploaded() && archive.intact(c));
    }

    private AgentInstaller.Installed install(Connection c, Paths paths) throws TransportException {
        AgentInstaller.Installed in = installer(paths).install(c);
        if (in.uploaded()) {
            progress.host(c.target().name(), "agent uploaded (sha256 " + in.sha256().substring(0, 12) + "…)");
        }
        return in;
    }

    /**
     * How this run starts the agent on one host: from its class-data archive when it has an intact one; else the
     * first call (facts) writes one, and the later calls of this run and later runs start from it. An archive written
     * by facts serves plan and apply nearly as well as one written by apply, and costs half as much to write.
     */
    private record Agent(String jar, ClassArchive archive, boolean archived) {

        /** The jar a resident agent answered for: there, but not checked by this run (its socket name was). */
        static Agent installed(Paths paths) {
            return new Agent(paths.agent(), new ClassArchive(paths.agent()), false);
        }

        /** The first call of a run: writes the archive when there is none. */
        List<String> first(List<String> args) {
            return argv(archived ? archive.use() : archive.write(), args);
        }

        /** After {@link #first}: keeps the archive it wrote, if its JVM ended by itself (the JVM then checks it). */
        Agent afterFirst(Connection c, ExecResult r) {
            boolean exited = r.exitCode() >= 0 && r.exitCode() < 128;
            return archived || !exited ? this : new Agent(jar, archive, archive.keep(c, JVM));
        }

        /** Any later call. */
        List<String> command(List<String> args) {
            return argv(archived ? archive.use() : List.of(), args);
        }

        private List<String> argv(List<String> cds, List<String> args) {
            List<String> argv = new ArrayList<>(List.of("java"));
            argv.addAll(JVM);
            argv.addAll(cds);
            argv.addAll(List.of("-jar", jar));
            argv.addAll(args);
            return argv;
        }
    }

    /** The agent's apply arguments, reading the desired state from standard input. */
    private List<String> applyArgs(Paths paths, String fingerprint) {
        List<String> args = new ArrayList<>(List.of("apply", "--json", "--desired", "-", "--state-dir",
                paths.stateDir(), "--confirm-timeout", String.valueOf(options.confirmTimeout())));
        if (options.force()) {
            args.add("--force");
        }
        if (fingerprint != null) {
            args.add("--expect-fingerprint");
            args.add(fingerprint);
        }
        return args;
    }

    /**
     * After the agent's apply: what its token came to when {@code confirmation} sent one; else reads its report and,
     * when it changed something, confirms with the confirm command over a fresh connection.
     */
    private HostResult confirmed(Confirmation confirmation, Target target, Connection c, Agent agent, Paths paths,
                                 ExecResult r, String desiredYaml, long t0) {
        if (confirmation != null && confirmation.sent()) {
            return confirmation.result(r, desiredYaml, ms(t0));
        }
        String host = target.name();
        if (r.exitCode() == 127) {
            return HostResult.of(host, Status.FAILED, AgentInstaller.noJava(host), ms(t0)); // a saved plan's host
        }
        JsonNode report = parse(r.stdout());
        int steps = report == null ? 0 : report.path("steps").size();
        String fp = report == null ? null : report.path("fingerprint").asText(null);
        if (r.exitCode() != 0) {
            return new HostResult(host, Status.FAILED, firstLine(r.stderr()), steps, fp, ms(t0), report, desiredYaml);
        }
        if (!report.path("changed").asBoolean()) {
            return new HostResult(host, Status.OK, "no changes", 0, fp, ms(t0), report, desiredYaml);
        }
        c.close();
        // confirm over a fresh connection: that is the proof SSH still works after the apply
        progress.host(host, "applied " + steps + " step(s); confirming over a new connection");
        List<String> confirm = new ArrayList<>(List.of("confirm", "--state-dir", paths.stateDir()));
        String id = report.path("confirm").path("id").asText(null);
        if (id != null) {
            // only this apply: a confirm that comes after the watchdog rolled back must not pass for success
            confirm.addAll(List.of("--id", id));
        }
        try (Connection fresh = transport.connect(target)) {
            ExecResult cr = fresh.exec(agent.command(confirm), null, null);
            if (!cr.ok()) {
                return new HostResult(host, Status.ROLLED_BACK, "confirm refused (" + firstLine(cr.stderr())
                        + "); the host rolled back", steps, fp, ms(t0), report, desiredYaml);
            }
        } catch (TransportException e) {
            return new HostResult(host, Status.ROLLED_BACK, "could not reconnect to confirm (" + e.getMessage()
                    + "); the host rolls itself back within " + options.confirmTimeout() + " s", steps, fp, ms(t0),
                    report, desiredYaml);
        }
        return new HostResult(host, Status.CHANGED, steps + " step(s), " + BY_COMMAND, steps, fp, ms(t0), report,
                desiredYaml);
    }

    private HostResult planned(String host, ExecResult r, String desiredYaml, Drift.Classifier drift, long t0) {
        JsonNode report = parse(r.stdout());
        String fp = report == null ? null : report.path("fingerprint").asText(null);
        int steps = report == null ? 0 : report.path("steps").size();
        return switch (r.exitCode()) {
            case 0 -> new HostResult(host, Status.OK, "no changes", 0, fp, ms(t0), report, desiredYaml,
                    drift.findings(report));
            case 2 -> new HostResult(host, Status.CHANGED, steps + " step(s) pending", steps, fp, ms(t0), report,
                    desiredYaml, drift.findings(report));
            default -> new HostResult(host, Status.FAILED, firstLine(r.stderr()), steps, fp, ms(t0), report,
                    desiredYaml);
        };
    }

    private static JsonNode parse(String stdout) {
        try {
            return stdout == null || stdout.isBlank() ? null : Json.MAPPER.readTree(stdout);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        // the JVM's own warnings ("[0.1s][warning][cds] ...") come first but are not why the agent failed
        String[] lines = s.strip().split("\n");
        String first = Arrays.stream(lines).filter(l -> !l.isBlank() && !JVM_LOG.matcher(l).lookingAt()).findFirst()
                .orElse(lines[0]);
        return first.strip().replaceFirst("^killswitch-agent [a-z]+: ", "");
    }

    /** How a changed host's message says it was confirmed: the recap and the history show which way it went. */
    static final String BY_TOKEN = "confirmed by token";
    static final String BY_COMMAND = "confirmed by the confirm command";

    private static final Pattern JVM_LOG = Pattern.compile("\\[[0-9.]+s\\]\\[");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
