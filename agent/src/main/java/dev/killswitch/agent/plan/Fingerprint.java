package dev.killswitch.agent.plan;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Table;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Supplier;

/** A hash of the owned part of the live state: a saved plan is only valid while it is unchanged. */
public final class Fingerprint {
    private Fingerprint() {
    }

    /** From this many owned live rules, hashing on another core while the plan is made pays for the handover. */
    static final int CONCURRENT_FROM = 4096;

    /**
     * The fingerprint, started now: on another core when the owned live rules are many (it reads only the
     * immutable live state), else computed when asked for.
     */
    static Supplier<String> started(LiveState live, Ownership ownership, List<DesiredState.Sysctl> sysctls) {
        if (Runtime.getRuntime().availableProcessors() < 2 || ownedRules(live, ownership) < CONCURRENT_FROM) {
            return () -> of(live, ownership, sysctls);
        }
        ForkJoinTask<String> task = ForkJoinPool.commonPool().submit(() -> of(live, ownership, sysctls));
        return task::join;
    }

    private static int ownedRules(LiveState live, Ownership ownership) {
        int n = 0;
        for (Family f : Family.values()) {
            for (String tableName : ownership.tables(f)) {
                Table t = live.ruleset(f).table(tableName);
                if (t != null) {
                    for (Chain c : t.chains().values()) {
                        n += c.rules().size();
                    }
                }
            }
        }
        return n;
    }

    /**
     * SHA-256 over each owned table's name and {@link Table#digest} (chains, policies, rules) and the desired
     * sysctls' live values.
     */
    public static String of(LiveState live, Ownership ownership, List<DesiredState.Sysctl> sysctls) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder(256);
        for (Family f : Family.values()) {
            for (String tableName : ownership.tables(f)) {
                Table t = live.ruleset(f).table(tableName);
                sb.append('*').append(f.key()).append(' ').append(tableName).append('\n');
                if (t != null) {
                    sb.append(hex.formatHex(t.digest())).append('\n');
                }
            }
        }
        for (DesiredState.Sysctl s : sysctls) {
            sb.append("sysctl ").append(s.key()).append('=').append(live.sysctls().get(s.key())).append('\n');
        }
        md.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        return "sha256:" + hex.formatHex(md.digest());
    }
}
