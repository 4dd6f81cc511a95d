package dev.killswitch.agent.apply;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.guard.Guard;
import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.observe.Observer;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Planner;
import dev.killswitch.agent.plan.Step;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import dev.killswitch.agent.rules.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Plans, guards and applies a desired state on this host, and owns what comes after: verification,
 * persistence, commit-confirm and rollback. Every effect goes through the runner, the sysctls,
 * the state dir and the watchdog launcher.
 */
public final class Applier {

    /** @param confirmTimeout seconds until an unconfirmed apply rolls back, or null for none */
    public record Options(boolean force, String expectFingerprint, Integer confirmTimeout) {
    }

    /** What an apply did. {@code pending} is set while a confirmation is awaited. */
    public record Outcome(Plan plan, GuardReport guard, boolean changed, Pending pending, Map<String, Long> timings) {
    }

    private final CommandRunner run;
    private final Sysctls sysctls;
    private final Observer observer;
    private final StateDir dir;
    private final WatchdogLauncher launcher;
    private final Clock clock;

    public Applier(CommandRunner run, Sysctls sysctls, StateDir dir, WatchdogLauncher launcher, Clock clock) {
        this.run = run;
        this.sysctls = sysctls;
        this.observer = new Observer(run, sysctls);
        this.dir = dir;
        this.launcher = launcher;
        this.clock = clock;
    }

    /** Reads what the desired state needs to know about the live host. */
    public LiveState observe(Desired desired) throws IOException {
        return observe(desired.rulesets().keySet(), desired.sysctl(), desired.persist());
    }

    /** Reads what a desired state needs to know about the live host, before its rules are canonicalised. */
    public LiveState observe(DesiredState state) throws IOException {
        return observe(state.families().keySet(), state.sysctl().values(), state.persist());
    }

    private LiveState observe(Collection<Family> owned, Collection<DesiredState.Sysctl> sysctl, DesiredState.Persist p)
            throws IOException {
        List<String> keys = sysctl.stream().map(DesiredState.Sysctl::key).toList();
        List<String> files = new ArrayList<>();
        if (p != null) {
            for (String f : new String[] {p.rulesV4(), p.rulesV6(), p.sysctl()}) {
                if (f != null) {
                    files.add(f);
                }
            }
        }
        List<Family> families = new ArrayList<>(owned);
        if (p != null && p.rulesV4() != null && !families.contains(Family.IPV4)) {
            families.add(Family.IPV4);
        }
        if (p != null && p.rulesV6() != null && !families.contains(Family.IPV6)) {
            families.add(Family.IPV6);
        }
        return observer.observe(families, keys, files);
    }

    public Outcome apply(Desired desired, List<Check> checks, Options opts) throws IOException {
        Map<String, Long> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (StateDir.Lock lock = dir.lock()) {
            Pending other = Pending.read(dir.pending());
            if (other != null && clock.millis() <= other.deadline()) {
                // building on an unconfirmed apply would take its rollback away from the run that made it
                throw new ApplyError("another apply (" + other.id() + ") awaits its confirmation until "
                        + Instant.ofEpochMilli(other.deadline()) + "; refusing to apply on top of it; nothing was "
                        + "changed; run again once it is confirmed or rolled back");
            }
            dir.removeConfirmTokens(); // no apply waits for one now: any left came too late
            LiveState live = observe(desired);
            timings.put("observeMs", ms(t0));
            long t1 = System.nanoTime();
            Plan plan = Planner.plan(desired, live, Guard.protects(checks));
            timings.put("planMs", ms(t1));
            if (opts.expectFingerprint() != null && !opts.expectFingerprint().equals(plan.fingerprint())) {
                throw new ApplyError("plan is stale: the live state is now " + plan.fingerprint()
                        + " but the plan was made from " + opts.expectFingerprint()
                        + "; nothing was changed — plan again");
            }
            long t2 = System.nanoTime();
            GuardReport guard = Guard.check(plan, live.rulesets(), desired.rulesets(), checks);
            timings.put("guardMs", ms(t2));
            if (!guard.passed() && !opts.force()) {
                throw new Refused(plan, guard);
            }
            if (plan.empty()) {
                timings.put("totalMs", ms(t0));
                return new Outcome(plan, guard, false, null, timings);
            }
            long t3 = System.nanoTime();
            Backup backup = new Backup(Instant.now(clock).toString(), plan.fingerprint(),
                    keyed(desired.ownership()), keyedText(live), live.sysctls());
            if (touchesHost(plan)) {
                backup.write(dir.backup());
            }
            // the watchdog starts before the first change: an agent killed mid-apply is rolled back as well
            Pending pending = opts.confirmTimeout() == null ? null
                    : awaitConfirm(plan, desired, opts.confirmTimeout());
            List<Family> applied = Transaction.none();
            try {
                Transaction.applyRules(run, plan, applied);
                Transaction.applySysctls(sysctls, plan);
            } catch (ApplyError e) {
                if (!applied.isEmpty() || plan.steps().stream().anyMatch(Step.SetSysctl.class::isInstance)) {
                    restore(backup);
                }
                cancel(pending);
                throw e;
            }
            timings.put("applyMs", ms(t3));
            long t4 = System.nanoTime();
            LiveState after = observe(desired);
            Plan rest = Planner.plan(desired, after, Planner.Protects.NOTHING);
            List<Step> left = rest.steps().stream().filter(s -> !(s instanceof Step.PersistFile)).toList();
            if (!left.isEmpty()) {
                restore(backup);
                cancel(pending);
                throw new ApplyError("verification failed, rolled back: after the apply " + left.size()
                        + " difference(s) remain, first: " + left.get(0).describe());
            }
            timings.put("verifyMs", ms(t4));
            if (pending != null) {
                // the confirm window starts now, after the apply, whatever the apply took
                pending = pending.withDeadline(clock.millis() + Duration.ofSeconds(opts.confirmTimeout()).toMillis());
                pending.write(dir.pending());
            } else {
                persist(plan, desired);
            }
            timings.put("totalMs", ms(t0));
            return new Outcome(plan, guard, true, pending, timings);
        }
    }

    private static boolean touchesHost(Plan plan) {
        return plan.steps().stream().anyMatch(s -> !(s instanceof Step.PersistFile));
    }

    private Pending awaitConfirm(Plan plan, Desired desired, int seconds) throws IOException {
        DesiredState.Persist p = desired.persist();
        boolean any = plan.steps().stream().anyMatch(Step.PersistFile.class::isInstance);
        Pending pending = new Pending(UUID.randomUUID().toString(),
                clock.millis() + Duration.ofSeconds(seconds).toMillis(), 0,
                any && p != null ? p.rulesV4() : null, any && p != null ? p.rulesV6() : null,
                any && p != null ? p.sysctl() : null,
                any && p != null && p.sysctl() != null ? desired.files().get(p.sysctl()) : null);
        pending.write(dir.pending());
        long pid = launcher.launch(dir.root(), pending.id());
        pending = pending.withWatchdog(pid);
        pending.write(dir.pending());
        return pending;
    }

    private void persist(Plan plan, Desired desired) throws IOException {
        List<AtomicFile.Entry> files = new ArrayList<>();
        for (Step s : plan.steps()) {
            if (s instanceof Step.PersistFile pf) {
                files.add(persisted(pf.kind(), pf.path(), desired.files().get(pf.path())));
            }
        }
        AtomicFile.writeAll(files);
    }

    /** A persisted file's new content: every one is read before any is written, so they change together. */
    private AtomicFile.Entry persisted(String kind, String path, String sysctlContent) throws IOException {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        return switch (kind) {
            case "rules_v4" -> new AtomicFile.Entry(p, observer.save(Family.IPV4), "rw-r-----");
            case "rules_v6" -> new AtomicFile.Entry(p, observer.save(Family.IPV6), "rw-r-----");
            case "sysctl" -> new AtomicFile.Entry(p, sysctlContent, "rw-r--r--");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Keeps the pending apply: persists what it deferred and stops the watchdog. */
    public Pending confirm() throws IOException {
        return confirm(null);
    }

    /**
     * As {@link #confirm()}, but only the apply {@code id} (null: whichever is pending). Without the id, a
     * confirmation that arrives after the watchdog rolled back would find nothing pending and look like success.
     */
    public Pending confirm(String id) throws IOException {
        try (StateDir.Lock lock = dir.lock(Duration.ofSeconds(30))) {
            Pending p = Pending.read(dir.pending());
            if (id != null && (p == null || !p.id().equals(id))) {
                throw new ApplyError("apply " + id + " is no longer pending: it was rolled back (not confirmed "
                        + "in time) or cancelled, so nothing was kept");
            }
            if (p == null) {
                return null;
            }
            if (clock.millis() > p.deadline()) {
                restore(Backup.read(dir.backup()));
                Files.deleteIfExists(dir.pending());
                throw new ApplyError("confirmation came too late (deadline " + Instant.ofEpochMilli(p.deadline())
                        + "): the apply was rolled back");
            }
            List<AtomicFile.Entry> files = new ArrayList<>();
            if (p.persistV4() != null) {
                files.add(persisted("rules_v4", p.persistV4(), null));
            }
            if (p.persistV6() != null) {
                files.add(persisted("rules_v6", p.persistV6(), null));
            }
            if (p.sysctlFile() != null) {
                files.add(persisted("sysctl", p.sysctlFile(), p.sysctlContent()));
            }
            AtomicFile.writeAll(files);
            Files.deleteIfExists(dir.pending());
            stopWatchdog(p);
            return p;
        }
    }

    /**
     * Waits (in the applying process, so no second JVM starts) for the controller's confirmation token of apply
     * {@code id}, which it writes over a fresh SSH connection, then confirms as {@link #confirm(String)} does.
     *
     * @return the confirmed apply, or null when no token came before its deadline (the watchdog then rolls back)
     */
    public Pending confirmOnToken(String id) throws IOException, InterruptedException {
        Pending p = Pending.read(dir.pending());
        if (p == null || !p.id().equals(id)) {
            throw new ApplyError("apply " + id + " is no longer pending");
        }
        java.nio.file.Path token = dir.confirmToken(id);
        // woken by inotify when the state dir changes, not by polling: a poll every 10 ms cost a resident agent
        // about a tenth of its CPU per apply while the controller reconnected
        try (WatchService changes = token.getFileSystem().newWatchService()) {
            token.getParent().register(changes, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            while (clock.millis() <= p.deadline()) {
                // the content must be the id: a token still being written is read again on its next change
                if (Files.isRegularFile(token, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && id.equals(Files.readString(token).strip())) {
                    return confirm(id);
                }
                long left = p.deadline() - clock.millis();
                WatchKey key = changes.poll(Math.max(1, Math.min(TOKEN_RECHECK_MS, left)), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
            return null;
        } finally {
            Files.deleteIfExists(token);
        }
    }

    /** A look at the token without a change event, in case one was lost (the event queue overflowed). */
    private static final long TOKEN_RECHECK_MS = 250;

    /** Returns to the state before the last apply, now. */
    public Backup rollback() throws IOException {
        try (StateDir.Lock lock = dir.lock(Duration.ofSeconds(30))) {
            Backup b = Backup.read(dir.backup());
            restore(b);
            Pending p = Pending.read(dir.pending());
            Files.deleteIfExists(dir.pending());
            if (p != null) {
                stopWatchdog(p);
            }
            return b;
        }
    }

    /**
     * The watchdog's body: sleeps until the deadline and rolls back unless {@code confirm} (or a
     * rollback) removed the pending record first.
     *
     * @return true when it rolled back
     */
    public boolean watch(String id) throws IOException, InterruptedException {
        while (true) {
            Pending p = Pending.read(dir.pending());
            if (p == null || !p.id().equals(id)) {
                return false;
            }
            long wait = p.deadline() - clock.millis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            try (StateDir.Lock lock = dir.lock(Duration.ofSeconds(60))) {
                Pending now = Pending.read(dir.pending());
                if (now == null || !now.id().equals(id)) {
                    return false;
                }
                if (now.deadline() > clock.millis()) {
                    continue; // the apply moved its deadline on when it finished: wait for that one
                }
                restore(Backup.read(dir.backup()));
                Files.deleteIfExists(dir.pending());
                return true;
            }
        }
    }

    /** Ends a pending confirmation of an apply that failed and restored the backup itself. */
    private void cancel(Pending p) throws IOException {
        if (p != null) {
            Files.deleteIfExists(dir.pending());
            stopWatchdog(p);
        }
    }

    private static void stopWatchdog(Pending p) {
        if (p.watchdogPid() > 0 && p.watchdogPid() != ProcessHandle.current().pid()) {
            ProcessHandle.of(p.watchdogPid()).ifPresent(h -> {
                if (h.info().commandLine().map(c -> c.contains("watchdog")).orElse(false)) {
                    h.destroy();
                }
            });
        }
    }

    /** Brings the owned tables and sysctls back to the backup with the same positional planner, unguarded. */
    void restore(Backup b) throws IOException {
        Map<Family, Ruleset> wanted = new EnumMap<>(Family.class);
        Map<Family, Map<String, List<String>>> globs = new EnumMap<>(Family.class);
        b.ownership().forEach((key, tables) -> {
            Family f = Family.ofKey(key);
            globs.put(f, tables);
            String text = b.rules().get(key);
            Ruleset all = text == null ? Ruleset.empty(f) : SaveParser.parseCanonical(text, f);
            Map<String, Table> owned = new LinkedHashMap<>();
            for (String t : tables.keySet()) {
                Table table = all.table(t);
                // a table that did not exist is as good as empty with ACCEPT policies (iptables cannot delete it)
                owned.put(t, table != null ? table : new Table(t, Map.of()).sorted());
            }
            wanted.put(f, new Ruleset(f, owned));
        });
        List<DesiredState.Sysctl> sys = new ArrayList<>();
        b.sysctls().forEach((k, v) -> {
            if (v != null) {
                sys.add(new DesiredState.Sysctl(k, v, new Origin(dir.backup().toString(), 0, "sysctls." + k)));
            }
        });
        Desired desired = new Desired(wanted, Map.of(), new Ownership(globs), sys, null, Map.of());
        LiveState live = observe(desired);
        Plan plan = Planner.plan(desired, live, Planner.Protects.NOTHING);
        Transaction.applyRules(run, plan, Transaction.none());
        Transaction.applySysctls(sysctls, plan);
    }

    private static Map<String, Map<String, List<String>>> keyed(Ownership own) {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        own.globs().forEach((f, t) -> out.put(f.key(), t));
        return out;
    }

    private static Map<String, String> keyedText(LiveState live) {
        Map<String, String> out = new LinkedHashMap<>();
        live.saveText().forEach((f, t) -> out.put(f.key(), t));
        return out;
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
