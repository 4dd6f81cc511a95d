package dev.killswitch.agent.plan;

import com.github.difflib.DiffUtils;
import com.github.difflib.algorithm.myers.MyersDiffWithLinearSpace;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.ChangeDelta;
import com.github.difflib.patch.Chunk;
import com.github.difflib.patch.Patch;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.diff.ChainChange;
import dev.killswitch.agent.diff.Foreign;
import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Cores;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.Table;
import dev.killswitch.agent.rules.Target;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The pure function from (desired, observed) to a {@link Plan}. Rules are compared by canonical text
 * only. Each owned chain is edited in place with positional inserts and deletes, so foreign rules
 * keep their places and nothing is ever flushed and re-added.
 */
public final class Planner {

    /**
     * Says whether a new rule may accept traffic the guard protects, so it goes in the GUARD phase. Called from
     * several threads at once for a large plan.
     */
    @FunctionalInterface
    public interface Protects {
        boolean protects(Family family, String table, String chain, Rule rule);

        Protects NOTHING = (f, t, c, r) -> false;
    }

    /** Above this many rules in the changed middle of a chain, skip the minimal diff and rewrite it. */
    static final int MAX_DIFF_MIDDLE = 20_000;

    /** From this many rules in a table's edited chains, the chains are diffed on every core. */
    static final int PARALLEL_FROM = 4096;

    private Planner() {
    }

    public static Plan plan(Desired desired, LiveState live, Protects protects) {
        Ownership own = desired.ownership();
        List<Step> guardCreates = new ArrayList<>();
        List<Step> ruleCreates = new ArrayList<>();
        List<Step> guard = new ArrayList<>();
        List<Step> guardPolicies = new ArrayList<>();
        List<Step> rules = new ArrayList<>();
        List<Step> policies = new ArrayList<>();
        List<Step> deletions = new ArrayList<>();
        List<Step> chainFlushes = new ArrayList<>();
        List<Step> chainDeletes = new ArrayList<>();
        List<ChainChange> changes = new ArrayList<>();
        List<Foreign> foreign = new ArrayList<>();
        Supplier<String> fingerprint = Fingerprint.started(live, own, desired.sysctl());

        for (Family f : Family.values()) {
            Ruleset want = desired.rulesets().get(f);
            if (want == null) {
                continue;
            }
            for (String tableName : own.tables(f)) {
                Table wantT = want.table(tableName);
                Table haveT = live.ruleset(f).table(tableName);
                Set<String> names = new LinkedHashSet<>(Table.builtins(tableName));
                if (wantT != null) {
                    names.addAll(wantT.chains().keySet());
                }
                if (haveT != null) {
                    names.addAll(haveT.chains().keySet());
                }
                Reading read = readChains(desired, f, tableName, names, wantT, haveT, protects);
                Set<String> guardChains = read.guardChains();
                Map<String, ChainEdit> edits = read.edits();
                for (String chain : names) {
                    Chain w = wantT == null ? null : wantT.chain(chain);
                    Chain h = haveT == null ? null : haveT.chain(chain);
                    boolean builtin = Table.builtins(tableName).contains(chain);
                    if (!builtin && own.foreignChain(f, tableName, chain)) {
                        if (h != null) {
                            foreign.add(new Foreign(f, tableName, chain, null, h.rules().size()));
                        }
                        continue;
                    }
                    if (!builtin && w == null) {
                        // ours, and no longer wanted
                        List<String> before = texts(h.rules(), f, tableName, own);
                        changes.add(new ChainChange(f, tableName, chain, ChainChange.Kind.DELETED, null, null,
                                before, List.of()));
                        if (!h.rules().isEmpty()) {
                            chainFlushes.add(new Step.FlushChain(Phase.DELETIONS, f, tableName, chain));
                        }
                        chainDeletes.add(new Step.DeleteChain(Phase.DELETIONS, f, tableName, chain));
                        continue;
                    }
                    boolean created = !builtin && h == null;
                    if (created) {
                        // chains exist before any rule jumps to them
                        (guardChains.contains(chain) ? guardCreates : ruleCreates)
                                .add(new Step.CreateChain(guardChains.contains(chain) ? Phase.GUARD : Phase.RULES,
                                        f, tableName, chain));
                    }
                    List<Rule> haveRules = h == null ? List.of() : h.rules();
                    ChainEdit edit = edits.get(chain);
                    for (int i = 0; i < haveRules.size(); i++) {
                        if (edit.foreign(i)) {
                            foreign.add(new Foreign(f, tableName, chain, haveRules.get(i).text(), 0));
                        }
                    }
                    int before = guard.size() + rules.size() + deletions.size();
                    edit.emit(desired, protects, guardChains, guard, rules, deletions);
                    boolean rulesChanged = guard.size() + rules.size() + deletions.size() != before;

                    // a table that does not exist yet has no policies; declaring one creates it
                    String havePolicy = builtin ? (h == null ? (haveT == null ? null : "ACCEPT") : h.policy()) : null;
                    String wantPolicy = w == null ? null : w.policy();
                    boolean policyChanged = builtin && wantPolicy != null && !wantPolicy.equals(havePolicy);
                    if (policyChanged) {
                        Step.SetPolicy sp = tightens(havePolicy, wantPolicy)
                                ? new Step.SetPolicy(Phase.GUARD, f, tableName, chain, havePolicy, wantPolicy)
                                : new Step.SetPolicy(Phase.POLICIES, f, tableName, chain, havePolicy, wantPolicy);
                        (sp.phase() == Phase.GUARD ? guardPolicies : policies).add(sp);
                    }
                    if (rulesChanged || policyChanged || created) {
                        changes.add(new ChainChange(f, tableName, chain,
                                created ? ChainChange.Kind.CREATED : ChainChange.Kind.MODIFIED,
                                havePolicy, policyChanged ? wantPolicy : havePolicy,
                                edit.before(), edit.after()));
                    }
                }
            }
        }

        guard.addAll(0, guardCreates);
        List<Step> steps = lockdown(guard, guardPolicies);
        steps.addAll(ruleCreates);
        steps.addAll(rules);
        steps.addAll(policies);
        steps.addAll(deletions);
        steps.addAll(chainFlushes);
        steps.addAll(chainDeletes);
        for (DesiredState.Sysctl s : desired.sysctl()) {
            String have = live.sysctls().get(s.key());
            if (!s.value().equals(have)) {
                steps.add(new Step.SetSysctl(Phase.SYSCTL, s.key(), have, s.value(), s.origin()));
            }
        }
        steps.addAll(persistSteps(desired, live, !steps.isEmpty()));
        return new Plan(fingerprint.get(), steps, changes, foreign);
    }

    private static List<Step> persistSteps(Desired desired, LiveState live, boolean changing) {
        DesiredState.Persist p = desired.persist();
        List<Step> out = new ArrayList<>();
        if (p == null) {
            return out;
        }
        Ownership own = desired.ownership();
        if (p.rulesV4() != null && (changing || !PersistedRules.sameOwned(live.files().get(p.rulesV4()),
                live.ruleset(Family.IPV4), own))) {
            out.add(new Step.PersistFile(Phase.PERSIST, "rules_v4", p.rulesV4()));
        }
        if (p.rulesV6() != null && (changing || !PersistedRules.sameOwned(live.files().get(p.rulesV6()),
                live.ruleset(Family.IPV6), own))) {
            out.add(new Step.PersistFile(Phase.PERSIST, "rules_v6", p.rulesV6()));
        }
        if (p.sysctl() != null && !Objects.equals(live.files().get(p.sysctl()), desired.files().get(p.sysctl()))) {
            out.add(new Step.PersistFile(Phase.PERSIST, "sysctl", p.sysctl()));
        }
        return out;
    }

    /**
     * Where a table's policies tighten, its guard rules and those policies become one {@link Step.Lockdown};
     * elsewhere guard rules stay single steps.
     */
    private static List<Step> lockdown(List<Step> guard, List<Step> guardPolicies) {
        List<Step> out = new ArrayList<>();
        java.util.Map<String, List<Step.RulesetStep>> parts = new java.util.LinkedHashMap<>();
        for (Step s : guardPolicies) {
            Step.RulesetStep p = (Step.RulesetStep) s;
            parts.computeIfAbsent(p.family().key() + " " + p.table(), k -> new ArrayList<>());
        }
        for (Step s : guard) {
            Step.RulesetStep r = (Step.RulesetStep) s;
            List<Step.RulesetStep> group = parts.get(r.family().key() + " " + r.table());
            if (group != null) {
                group.add(r);
            } else {
                out.add(s);
            }
        }
        for (Step s : guardPolicies) {
            Step.RulesetStep p = (Step.RulesetStep) s;
            parts.get(p.family().key() + " " + p.table()).add(p);
        }
        parts.forEach((key, list) -> out.add(new Step.Lockdown(Phase.GUARD, list.get(0).family(),
                list.get(0).table(), list)));
        return out;
    }

    static boolean tightens(String from, String to) {
        return !"DROP".equals(from) && "DROP".equals(to);
    }

    private static List<String> texts(List<Rule> rules, Family f, String table, Ownership own) {
        List<String> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            if (!own.foreignRule(f, table, r)) {
                out.add(r.text());
            }
        }
        return out;
    }

    /**
     * Reads every chain once, each on any core when the table is large (they are independent; chains differ in length,
     * and a core may be slowed down): the edit of every chain the plan edits (built-ins, and our chains still wanted:
     * the loop in {@link #plan} skips the others), and what each wanted chain says about the guard, from the same walk
     * while its rules are in the cache: the user chains of the desired table that (transitively) hold a rule
     * protecting guarded traffic, whose jumps must be placed in the GUARD phase too.
     * The walk over the wanted rules refuses a jump to a chain that neither the desired state nor the host has
     * ({@code names}): iptables-restore would fail on it without naming it.
     */
    private static Reading readChains(Desired desired, Family f, String table, Set<String> names, Table want,
                                      Table have, Protects protects) {
        Ownership own = desired.ownership();
        Map<String, ChainEdit> edits = new ConcurrentHashMap<>();
        List<String> work = new ArrayList<>(names.size());
        List<Boolean> edited = new ArrayList<>(names.size());
        int size = 0;
        for (String chain : names) {
            Chain w = want == null ? null : want.chain(chain);
            Chain h = have == null ? null : have.chain(chain);
            boolean edit = Table.builtins(table).contains(chain) || (w != null && !own.foreignChain(f, table, chain));
            if (edit || w != null) {
                work.add(chain);
                edited.add(edit);
                size += (w == null ? 0 : w.rules().size()) + (h == null ? 0 : h.rules().size());
            }
        }
        Calls[] calls = new Calls[work.size()];
        Cores.each(work.size(), size >= PARALLEL_FROM ? 1 : Integer.MAX_VALUE, i -> {
            String chain = work.get(i);
            Chain w = want == null ? null : want.chain(chain);
            Chain h = have == null ? null : have.chain(chain);
            if (w != null) {
                calls[i] = Calls.of(desired, f, table, w, names, protects);
            }
            if (edited.get(i)) {
                edits.put(chain, ChainEdit.of(f, table, chain, h == null ? List.of() : h.rules(),
                        w == null ? List.of() : w.rules(), own));
            }
        });
        // callers of each user chain, to carry "protects" up from the chains that hold such a rule
        Map<String, Set<String>> callers = new HashMap<>();
        List<String> protecting = new ArrayList<>();
        for (int i = 0; i < calls.length; i++) {
            if (calls[i] == null) {
                continue;
            }
            String name = work.get(i);
            for (String callee : calls[i].callees()) {
                callers.computeIfAbsent(callee, k -> new HashSet<>()).add(name);
            }
            if (calls[i].protects()) {
                protecting.add(name);
            }
        }
        Set<String> out = new HashSet<>();
        while (!protecting.isEmpty()) {
            String c = protecting.remove(protecting.size() - 1);
            if (out.add(c)) {
                protecting.addAll(callers.getOrDefault(c, Set.of()));
            }
        }
        return new Reading(edits, out);
    }

    /** What {@link #readChains} found: each edited chain's edit, and the user chains the guard phase needs. */
    private record Reading(Map<String, ChainEdit> edits, Set<String> guardChains) {
    }

    /**
     * What one wanted chain says about the guard: the user chains it jumps or goes to (none for a builtin
     * chain, which no chain calls), and whether it is a user chain holding a rule that protects guarded traffic.
     */
    private record Calls(Set<String> callees, boolean protects) {
        /** @throws InputError for a jump to a chain that neither the desired state nor the host has */
        static Calls of(Desired desired, Family f, String table, Chain c, Set<String> chains, Protects protects) {
            Set<String> callees = c.builtin() ? Set.of() : new HashSet<>();
            boolean found = c.builtin();
            List<Rule> rules = c.rules();
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                Target t = r.target();
                if (t != null && t.isChainJump()) {
                    if (!chains.contains(t.name())) {
                        Origin o = desired.origin(f, table, c.name(), i);
                        throw new InputError(o != null ? o : new Origin("<desired>", 0, f.key() + "." + table + "."
                                + c.name()), (t.goTo() ? "goto" : "jump") + " to chain '" + t.name() + "', which is "
                                + "neither in the desired state nor on this host (" + f.key() + " " + table + ")");
                    }
                    if (!c.builtin()) {
                        callees.add(t.name());
                    }
                }
                if (!found && protects.protects(f, table, c.name(), r)) {
                    found = true;
                }
            }
            return new Calls(callees, found && !c.builtin());
        }
    }

    /**
     * One instance per distinct text, found by a hash of the text's bytes eight at a time: String.hashCode (one
     * byte a step on Java 17) of every live and wanted rule text cost more than this table and its hash together.
     */
    static final class Shared {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
                ByteOrder.LITTLE_ENDIAN);
        private final String[] texts;
        private final int[] hashes;
        private final int mask;

        Shared(int expected) {
            int size = Integer.highestOneBit(Math.max(4, expected) * 2) * 2; // at most half full
            texts = new String[size];
            hashes = new int[size];
            mask = size - 1;
        }

        /** The instance equal to {@code s} (whose {@link #hash} is {@code h}) already here, or {@code s}, now here. */
        String intern(String s, int h) {
            int k = h & mask;
            for (String t; (t = texts[k]) != null; k = (k + 1) & mask) {
                if (hashes[k] == h && t.equals(s)) {
                    return t;
                }
            }
            texts[k] = s;
            hashes[k] = h;
            return s;
        }

        /** The instance equal to {@code s} (whose {@link #hash} is {@code h}) here, or null. */
        String find(String s, int h) {
            for (int k = h & mask; texts[k] != null; k = (k + 1) & mask) {
                if (hashes[k] == h && texts[k].equals(s)) {
                    return texts[k];
                }
            }
            return null;
        }

        /** The {@link #hash} of each text of {@code first}, then of {@code second}; a long run's on every core. */
        static int[] hashes(List<String> first, List<String> second) {
            int n = first.size() + second.size();
            int[] out = new int[n];
            Cores.each(n, n >= PARALLEL_FROM ? 1024 : Integer.MAX_VALUE,
                    i -> out[i] = hash(i < first.size() ? first.get(i) : second.get(i - first.size())));
            return out;
        }

        /** One copy buffer per thread: the texts are hashed on every core. */
        private static final ThreadLocal<byte[]> BYTES = ThreadLocal.withInitial(() -> new byte[256]);

        /** A 64-bit multiply-mix over the low byte of each character: equal texts, equal hashes; equals decides. */
        @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): a plain copy of Latin-1 text
        static int hash(String s) {
            int n = s.length();
            byte[] bytes = BYTES.get();
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
                BYTES.set(bytes);
            }
            s.getBytes(0, n, bytes, 0);
            long h = n;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                h = (h ^ (long) LONGS.get(bytes, i)) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
            for (; i < n; i++) {
                h = (h ^ bytes[i]) * 0x9E3779B97F4A7C15L;
            }
            h ^= h >>> 32;
            return (int) h ^ (int) (h >>> 17);
        }
    }

    /** The edit of one chain: the live rules, foreign ones included, merged with the wanted rules. */
    static final class ChainEdit {
        enum Kind { KEEP, OLD, NEW, FOREIGN }

        private final Family family;
        private final String table;
        private final String chain;
        /** The merge, slot by slot: what each slot is, its rule, and for a wanted rule its desired index. */
        private final Kind[] kinds;
        private final Rule[] items;
        private final int[] wantIndex;
        private int n;
        /** Per live rule: whether it is foreign. */
        private final boolean[] foreign;
        /** The texts of our live rules and of our wanted rules, in order: the chain's before and after. */
        private final List<String> before;
        private final List<String> after;

        private ChainEdit(Family family, String table, String chain, int have, int want) {
            this.family = family;
            this.table = table;
            this.chain = chain;
            this.kinds = new Kind[have + want];
            this.items = new Rule[have + want];
            this.wantIndex = new int[have + want];
            this.foreign = new boolean[have];
            this.before = new ArrayList<>(have);
            this.after = new ArrayList<>(want);
        }

        static ChainEdit of(Family f, String table, String chain, List<Rule> have, List<Rule> want, Ownership own) {
            int n = have.size();
            ChainEdit e = new ChainEdit(f, table, chain, n, want.size());
            // without ignore patterns no rule is foreign: no rule needs its target parsed
            boolean mixed = own.ignoresAny(f, table);
            boolean[] foreign = e.foreign;
            int[] oursAt = new int[n];
            int ours = 0;
            for (int i = 0; i < n; i++) {
                foreign[i] = mixed && own.foreignRule(f, table, have.get(i));
                if (!foreign[i]) {
                    e.before.add(have.get(i).text());
                    oursAt[ours++] = i;
                }
            }
            // foreign rules are theirs on both sides: a backup restored as "desired" carries Docker's jumps too
            List<Rule> wantOurs = mixed ? new ArrayList<>(want.size()) : want;
            int[] wantAt = mixed ? new int[want.size()] : null;
            for (int i = 0; i < want.size(); i++) {
                Rule r = want.get(i);
                if (!mixed || !own.foreignRule(f, table, r)) {
                    if (mixed) {
                        wantAt[wantOurs.size()] = i;
                        wantOurs.add(r);
                    }
                    e.after.add(r.text());
                }
            }
            int[] cursor = {0};
            e.leadingForeign(have, cursor);
            int oi = 0;
            int wi = 0;
            for (AbstractDelta<String> d : deltas(e.before, e.after)) {
                int src = d.getSource().getPosition();
                int dst = d.getTarget().getPosition();
                while (oi < src) {
                    e.live(Kind.KEEP, have, cursor, oursAt[oi++], wi++);
                }
                for (int k = 0; k < d.getSource().size(); k++) {
                    e.live(Kind.OLD, have, cursor, oursAt[oi++], -1);
                }
                wi = dst;
                for (int k = 0; k < d.getTarget().size(); k++) {
                    e.add(Kind.NEW, wantOurs.get(wi), wantAt == null ? wi : wantAt[wi]);
                    wi++;
                }
            }
            while (oi < ours) {
                e.live(Kind.KEEP, have, cursor, oursAt[oi++], wi++);
            }
            while (cursor[0] < n) {
                e.add(Kind.FOREIGN, have.get(cursor[0]++), -1);
            }
            return e;
        }

        /** Whether the live rule at {@code i} is foreign. */
        boolean foreign(int i) {
            return foreign[i];
        }

        /** The texts of our live rules. */
        List<String> before() {
            return before;
        }

        /** The texts of our wanted rules. */
        List<String> after() {
            return after;
        }

        private static List<AbstractDelta<String>> deltas(List<String> have, List<String> want) {
            // trim the common ends first: the usual plan touches few rules of a long chain
            int pre = 0;
            int max = Math.min(have.size(), want.size());
            while (pre < max && have.get(pre).equals(want.get(pre))) {
                pre++;
            }
            int suf = 0;
            while (suf < max - pre
                    && have.get(have.size() - 1 - suf).equals(want.get(want.size() - 1 - suf))) {
                suf++;
            }
            List<String> h = have.subList(pre, have.size() - suf);
            List<String> w = want.subList(pre, want.size() - suf);
            if (h.isEmpty() && w.isEmpty()) {
                return List.of();
            }
            List<AbstractDelta<String>> out = new ArrayList<>();
            Patch<String> patch = h.isEmpty() || w.isEmpty() || Math.min(h.size(), w.size()) > MAX_DIFF_MIDDLE
                    ? null : diffShared(h, w);
            if (patch == null) {
                out.add(new ChangeDelta<>(
                        new Chunk<>(pre, new ArrayList<>(h)),
                        new Chunk<>(pre, new ArrayList<>(w))));
                return out;
            }
            for (AbstractDelta<String> d : patch.getDeltas()) {
                out.add(new ChangeDelta<>(
                        new Chunk<>(pre + d.getSource().getPosition(), d.getSource().getLines()),
                        new Chunk<>(pre + d.getTarget().getPosition(), d.getTarget().getLines())));
            }
            return out;
        }

        /**
         * The diff over the texts with one instance per distinct live text, which a wanted text equal to it
         * also takes, so that the diff compares references: one hash per rule instead of a character compare
         * per diff step. Null when the two have no text in common: then the whole middle is one change.
         */
        private static Patch<String> diffShared(List<String> have, List<String> want) {
            Shared one = new Shared(have.size());
            // a long chain's texts are hashed on every core first: the hash reads every byte of every text
            int[] hashes = Shared.hashes(have, want);
            List<String> h = new ArrayList<>(have.size());
            for (int i = 0; i < have.size(); i++) {
                h.add(one.intern(have.get(i), hashes[i]));
            }
            List<String> w = new ArrayList<>(want.size());
            boolean common = false;
            for (int i = 0; i < want.size(); i++) {
                String x = want.get(i);
                // a wanted text the host lacks needs no shared instance: it is compared with live texts only
                String live = one.find(x, hashes[have.size() + i]);
                w.add(live == null ? x : live);
                common |= live != null;
            }
            if (!common) {
                return null; // no rule in common: the one change of them all, which Myers takes O(N²) to find
            }
            // linear space: a chain rewritten in bulk (large D) would otherwise cost O(D²) path nodes
            return DiffUtils.diff(h, w, new MyersDiffWithLinearSpace<String>((a, b) -> a == b), null);
        }

        private void leadingForeign(List<Rule> have, int[] cursor) {
            while (cursor[0] < have.size() && foreign[cursor[0]]) {
                add(Kind.FOREIGN, have.get(cursor[0]++), -1);
            }
        }

        /** Emits the live rule at {@code at}, any foreign rules before it, and the foreign rules glued after it. */
        private void live(Kind kind, List<Rule> have, int[] cursor, int at, int wi) {
            while (cursor[0] < at) {
                add(Kind.FOREIGN, have.get(cursor[0]++), -1);
            }
            add(kind, have.get(at), wi);
            cursor[0] = at + 1;
            leadingForeign(have, cursor);
        }

        private void add(Kind k, Rule r, int wi) {
            kinds[n] = k;
            items[n] = r;
            wantIndex[n] = wi;
            n++;
        }

        /** Turns the merge into positional steps; positions are counted with a Fenwick tree of present rules. */
        void emit(Desired desired, Protects protects, Set<String> guardChains,
                  List<Step> guard, List<Step> rules, List<Step> deletions) {
            boolean[] on = new boolean[n];
            boolean changes = false;
            for (int i = 0; i < n; i++) {
                on[i] = kinds[i] != Kind.NEW;
                changes |= kinds[i] == Kind.NEW || kinds[i] == Kind.OLD;
            }
            if (!changes) {
                return; // most chains of a large table: no positions to count
            }
            Presence present = new Presence(on);
            List<Integer> guarded = new ArrayList<>();
            List<Integer> others = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (kinds[i] == Kind.NEW) {
                    Rule r = items[i];
                    boolean g = protects.protects(family, table, chain, r)
                            || (r.target() != null && guardChains.contains(r.target().name()));
                    (g ? guarded : others).add(i);
                }
            }
            for (int i : guarded) {
                guard.add(insert(Phase.GUARD, i, present, desired));
            }
            for (int i : others) {
                rules.add(insert(Phase.RULES, i, present, desired));
            }
            for (int i = 0; i < n; i++) {
                if (kinds[i] == Kind.OLD) {
                    int pos = present.before(i) + 1;
                    present.clear(i);
                    deletions.add(new Step.DeleteRule(Phase.DELETIONS, family, table, chain, pos, items[i]));
                }
            }
        }

        private Step insert(Phase phase, int i, Presence present, Desired desired) {
            int pos = present.before(i) + 1;
            boolean append = pos == present.total() + 1;
            present.set(i);
            Origin origin = desired.origin(family, table, chain, wantIndex[i]);
            return new Step.InsertRule(phase, family, table, chain, pos, append, items[i], origin);
        }
    }

    /** Which merged slots hold a rule right now; prefix counts in O(log n). */
    static final class Presence {
        private final int[] tree;
        private final boolean[] on;
        private int total;

        /** The slots that hold a rule at first; the tree is built in one pass, not one update per slot. */
        Presence(boolean[] on) {
            this.on = on;
            tree = new int[on.length + 1];
            for (int i = 1; i < tree.length; i++) {
                if (on[i - 1]) {
                    tree[i]++;
                    total++;
                }
                int parent = i + (i & -i);
                if (parent < tree.length) {
                    tree[parent] += tree[i];
                }
            }
        }

        void set(int i) {
            if (!on[i]) {
                on[i] = true;
                total++;
                for (int x = i + 1; x < tree.length; x += x & -x) {
                    tree[x]++;
                }
            }
        }

        void clear(int i) {
            if (on[i]) {
                on[i] = false;
                total--;
                for (int x = i + 1; x < tree.length; x += x & -x) {
                    tree[x]--;
                }
            }
        }

        /** How many present slots come before slot i. */
        int before(int i) {
            int s = 0;
            for (int x = i; x > 0; x -= x & -x) {
                s += tree[x];
            }
            return s;
        }

        int total() {
            return total;
        }
    }
}
