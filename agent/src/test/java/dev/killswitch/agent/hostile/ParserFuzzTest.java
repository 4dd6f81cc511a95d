package dev.killswitch.agent.hostile;

import dev.killswitch.agent.desired.Cidr;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import dev.killswitch.agent.rules.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the iptables-save parser and the desired-state reader with damaged copies of real inputs (the public
 * dumps under corpus/public, the desired-state examples and the hostile corpus). The only allowed outcomes are a
 * parsed model or an {@link InputError} with an origin in the input; never another exception, a hang, or a parsed
 * desired state holding a name with shell metacharacters or control characters. CI runs 2,000 inputs per
 * property; {@code scripts/fuzz} (-Dkillswitch.fuzz.tries=N per property) runs the long version. Every input
 * comes from its own seed, printed on failure, so {@code -Dkillswitch.fuzz.seed=S -Dkillswitch.fuzz.tries=1}
 * replays it.
 */
class ParserFuzzTest {
    static final int CI_TRIES = 2_000;
    /** Longer than any sane parse of these small inputs on a loaded machine: more is a hang. */
    static final long TIMEOUT_MS = Long.getLong("killswitch.fuzz.timeout-ms", 5_000);
    static final int MAX_SEED_BYTES = 8 * 1024;
    static final Pattern SAFE_NAME = Pattern.compile("[^`$;|&<>\\s\\p{Cntrl}'\"\\\\]+");
    static final Pattern NO_CONTROL = Pattern.compile("[^\\p{Cntrl}]*|[^\\p{Cntrl}]*\t[^\\p{Cntrl}]*");

    static final List<String> SAVE_SEEDS = resources("corpus/public", ".rules");
    static final List<String> DESIRED_SEEDS = desiredSeeds();
    static final List<String> ALL_SEEDS = Stream.concat(SAVE_SEEDS.stream(), DESIRED_SEEDS.stream()).toList();
    static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-worker");
        t.setDaemon(true);
        return t;
    });
    static final AtomicLong INPUTS = new AtomicLong();
    static final long STARTED = System.nanoTime();
    /** Long runs print their figures this often. */
    static final long PROGRESS_EVERY = 50_000;

    @AfterAll
    static void figures() {
        double s = (System.nanoTime() - STARTED) / 1e9;
        System.out.printf("fuzz: %d inputs in %.1f s (%.0f inputs/s)%n", INPUTS.get(), s, INPUTS.get() / s);
    }

    @Test
    void theSaveParserReturnsAModelOrAnErrorNamingTheInput() {
        fuzz(SAVE_SEEDS, ParserFuzzTest::checkSave);
    }

    @Test
    void theDesiredStateReaderReturnsASafeModelOrAnErrorNamingTheInput() {
        fuzz(DESIRED_SEEDS, ParserFuzzTest::checkDesired);
    }

    /** -Dkillswitch.fuzz.tries damaged seeds, each from its own random seed and checked within the timeout. */
    static void fuzz(List<String> seeds, java.util.function.Consumer<String> check) {
        long base = Long.getLong("killswitch.fuzz.seed", new Random().nextLong());
        int tries = Integer.getInteger("killswitch.fuzz.tries", CI_TRIES);
        for (int i = 0; i < tries; i++) {
            long seed = base + i;
            String text = damaged(seeds, new Random(seed));
            try {
                within(text, () -> check.accept(text));
            } catch (AssertionError e) {
                throw new AssertionError("input of -Dkillswitch.fuzz.seed=" + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /** One damaged copy of a seed: one to six damages, lines spliced from any seed. */
    static String damaged(List<String> seeds, Random r) {
        return Mutator.mutate(seeds.get(r.nextInt(seeds.size())), ALL_SEEDS, r, 1 + r.nextInt(6));
    }

    /** Inputs that once broke a parser, kept as regressions (fuzz-regressions/, one file each). */
    @Test
    void inputsThatOnceFoundBugsStayFixed() {
        for (String text : resources("hostile/fuzz-regressions", ".rules")) {
            within(text, () -> checkSave(text));
        }
        for (String text : resources("hostile/fuzz-regressions", ".yaml")) {
            within(text, () -> checkDesired(text));
        }
    }

    static void checkSave(String text) {
        for (Family f : Family.values()) {
            RawRuleset raw;
            try {
                raw = SaveParser.parse(text, "fuzz.rules", f);
            } catch (InputError e) {
                requireOrigin(e, "fuzz.rules", text);
                continue;
            }
            try {
                Ruleset canonical = new BuiltinCanonicalizer().canonicalize(raw);
                requireSingleLines(canonical, text);
            } catch (InputError e) {
                requireOrigin(e, "fuzz.rules", text);
            }
        }
    }

    static void checkDesired(String text) {
        DesiredState state;
        try {
            state = DesiredStateReader.read("fuzz.yaml", text);
        } catch (InputError e) {
            requireOrigin(e, "fuzz.yaml", text);
            return;
        }
        requireSafe(state, text);
        try {
            Desired desired = DesiredCompiler.compile(state, new BuiltinCanonicalizer());
            desired.rulesets().values().forEach(r -> requireSingleLines(r, text));
        } catch (InputError e) {
            requireOrigin(e, "fuzz.yaml", text);
        }
    }

    /** A parsed desired state must hold no name that could reach a shell or split a line. */
    static void requireSafe(DesiredState s, String text) {
        name(s.host(), "host", text);
        s.families().values().forEach(tables -> tables.values().forEach(t -> {
            t.chains().forEach((chain, rules) -> {
                name(chain, "chain", text);
                for (RawRule r : rules) {
                    line(r.args(), "rule", text);
                }
            });
            t.ignore().forEach(g -> name(g, "ignore", text));
        }));
        s.sysctl().values().forEach(c -> {
            name(c.key(), "sysctl key", text);
            if (!c.value().matches("[A-Za-z0-9 ._-]+")) {
                throw wrong("sysctl value " + c.value(), text);
            }
        });
        if (s.persist() != null) {
            for (String p : new String[] {s.persist().rulesV4(), s.persist().rulesV6(), s.persist().sysctl()}) {
                if (p != null && (!p.startsWith("/") || p.contains("/../") || p.endsWith("/.."))) {
                    throw wrong("path " + p, text);
                }
                if (p != null) {
                    line(p, "path", text);
                }
            }
        }
        s.guards().ssh().from().forEach(c -> Cidr.parse(c));
        s.guards().ssh().ports().forEach(p -> {
            if (p < 1 || p > 65535) {
                throw wrong("port " + p, text);
            }
        });
        for (DesiredState.Expectation e : s.guards().expect()) {
            for (String iface : new String[] {e.in(), e.out()}) {
                if (iface != null) {
                    name(iface, "interface", text);
                }
            }
        }
    }

    static void requireSingleLines(Ruleset r, String text) {
        for (Table t : r.tables().values()) {
            for (Chain c : t.chains().values()) {
                name(c.name(), "chain", text);
                for (Rule rule : c.rules()) {
                    line(rule.text(), "canonical rule", text);
                }
            }
        }
    }

    static void name(String v, String what, String text) {
        if (v == null || !SAFE_NAME.matcher(v).matches()) {
            throw wrong(what + " '" + v + "'", text);
        }
    }

    static void line(String v, String what, String text) {
        if (!NO_CONTROL.matcher(v).matches() || v.contains("\n") || v.contains("\r") || v.indexOf(0) >= 0) {
            throw wrong(what + " with a control character: " + v, text);
        }
    }

    static void requireOrigin(InputError e, String file, String text) {
        if (e.origin() == null || !file.equals(e.origin().file()) || e.origin().line() < 0
                || e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("an error without a usable origin: " + e + "\n--- input:\n" + text, e);
        }
    }

    static AssertionError wrong(String what, String text) {
        return new AssertionError("accepted " + what + "\n--- input:\n" + text);
    }

    /** Runs one check on the worker thread: another exception or a hang fails with the input. */
    static void within(String text, Runnable check) {
        long n = INPUTS.incrementAndGet();
        if (n % PROGRESS_EVERY == 0) {
            figures();
        }
        Future<?> f = WORKER.submit(check);
        try {
            f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no answer within " + TIMEOUT_MS + " ms (a hang)\n--- input:\n" + text);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError("crashed with " + e.getCause() + "\n--- input:\n" + text, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<String> desiredSeeds() {
        List<String> seeds = new ArrayList<>(resources("killswitch", ".yaml"));
        seeds.addAll(resources("desired", ".yaml"));
        seeds.addAll(resources("hostile/desired", ".yaml"));
        return List.copyOf(seeds);
    }

    static List<String> resources(String dir, String suffix) {
        try {
            var url = ParserFuzzTest.class.getResource("/" + dir);
            if (url == null) {
                return List.of();
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                List<String> out = new ArrayList<>();
                for (Path p : files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList()) {
                    byte[] b = Files.readAllBytes(p);
                    if (b.length <= MAX_SEED_BYTES) { // small seeds: the same code paths, many more inputs per second
                        out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                return List.copyOf(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
