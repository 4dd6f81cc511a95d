package dev.killswitch.agent.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;

/**
 * A table with its chains in iptables-save order: built-ins in hook order, then user chains by name. A value: equal
 * when name and chains are; its {@link #digest} is worked out once.
 */
public final class Table {
    private final String name;
    private final Map<String, Chain> chains;
    /** Digests of the tables of the kernel text this table was read from, started ahead; null otherwise. */
    private final Future<Map<String, byte[]>> ahead;
    private volatile byte[] digest;

    public Table(String name, Map<String, Chain> chains) {
        this(name, chains, null);
    }

    /**
     * @param ahead {@link TextDigests} of the kernel text this table is exactly one table of (null: the digest is
     *              worked out from the chains on first use)
     */
    Table(String name, Map<String, Chain> chains, Future<Map<String, byte[]>> ahead) {
        this.name = Objects.requireNonNull(name);
        this.chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
        this.ahead = ahead;
    }

    public String name() {
        return name;
    }

    public Map<String, Chain> chains() {
        return chains;
    }

    /**
     * SHA-256 of the table's text as iptables-save prints it, less counters, comments and the table's own lines:
     * each chain's {@code :NAME POLICY} line ({@code -} for a user chain), then each chain's {@code -A NAME rule}
     * lines, in order. What a fingerprint of the live state is made of. Worked out once; for a table read from
     * kernel output it was hashed from that text on another core while the rules were read.
     */
    public byte[] digest() {
        byte[] d = digest;
        if (d == null) {
            d = ahead != null ? Digest.join(ahead).get(name) : null;
            if (d == null) {
                Digest text = new Digest();
                for (Chain c : chains.values()) {
                    text.chain(c.name(), c.policy());
                }
                for (Chain c : chains.values()) {
                    for (Rule r : c.rules()) {
                        text.rule(c.name(), r.text());
                    }
                }
                d = text.finish();
            }
            digest = d; // the same value whichever thread gets here first
        }
        return d.clone();
    }

    /** The text {@link #digest} hashes, fed chain by chain and rule by rule: one encoding for every source. */
    static final class Digest {
        private final MessageDigest md;
        /** UTF-8 of the text not yet hashed: written here directly, without a string or a copy of one per chunk. */
        private final byte[] buf = new byte[1 << 16];
        private int n;

        Digest() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void chain(String chain, String policy) {
            put(':');
            put(chain);
            put(' ');
            put(policy == null ? "-" : policy);
            put('\n');
        }

        /** The rule's line as iptables-save prints it: {@code -A CHAIN text}, or {@code -A CHAIN} for an empty rule. */
        void rule(String chain, String text) {
            put("-A ");
            put(chain);
            if (!text.isEmpty()) {
                put(' ');
                put(text);
            }
            put('\n');
        }

        /** Lines already in this encoding ({@code text} from {@code from} to {@code to}), as they stand. */
        void text(String text, int from, int to) {
            flush();
            md.update(text.substring(from, to).getBytes(StandardCharsets.UTF_8));
        }

        private void put(char ascii) {
            if (n == buf.length) {
                flush();
            }
            buf[n++] = (byte) ascii;
        }

        private void put(String s) {
            int len = s.length();
            if (len > buf.length - n) {
                flush();
            }
            if (len <= buf.length) {
                for (int i = 0; i < len; i++) {
                    char c = s.charAt(i);
                    if (c >= 0x80) {
                        // not ASCII (a comment, a log prefix): the rest of it as UTF-8, through a copy
                        n += i;
                        flush();
                        md.update(s.substring(i).getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    buf[n + i] = (byte) c;
                }
                n += len;
                return;
            }
            md.update(s.getBytes(StandardCharsets.UTF_8));
        }

        private void flush() {
            md.update(buf, 0, n);
            n = 0;
        }

        byte[] finish() {
            flush();
            return md.digest();
        }

        /** The digests worked out ahead, or none when that failed or was cancelled (then they are worked out here). */
        static Map<String, byte[]> join(Future<Map<String, byte[]>> ahead) {
            try {
                return ahead.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Map.of();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                return Map.of();
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Table t && name.equals(t.name) && chains.equals(t.chains));
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + chains.hashCode();
    }

    @Override
    public String toString() {
        return "Table[name=" + name + ", chains=" + chains + "]";
    }

    /** Built-in chains of each table, in hook order. */
    public static List<String> builtins(String table) {
        return switch (table) {
            case "filter" -> List.of("INPUT", "FORWARD", "OUTPUT");
            case "nat" -> List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
            case "mangle" -> List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
            case "raw" -> List.of("PREROUTING", "OUTPUT");
            case "security" -> List.of("INPUT", "FORWARD", "OUTPUT");
            default -> throw new IllegalArgumentException("unknown table: " + table);
        };
    }

    public static boolean isTable(String name) {
        return switch (name) {
            case "filter", "nat", "mangle", "raw", "security" -> true;
            default -> false;
        };
    }

    /** iptables-nft prints tables in this order whatever the input order. */
    public static final List<String> SAVE_ORDER = List.of("mangle", "security", "raw", "filter", "nat");

    public Chain chain(String chain) {
        return chains.get(chain);
    }

    /** A copy with the chains re-ordered the way iptables-save prints them. */
    public Table sorted() {
        Map<String, Chain> out = new LinkedHashMap<>();
        for (String b : builtins(name)) {
            Chain c = chains.get(b);
            out.put(b, c != null ? c : new Chain(b, "ACCEPT", List.of()));
        }
        List<String> users = new ArrayList<>();
        for (String n : chains.keySet()) {
            if (!out.containsKey(n)) {
                users.add(n);
            }
        }
        users.sort(null); // byte order, as iptables-save sorts
        for (String u : users) {
            out.put(u, chains.get(u));
        }
        return new Table(name, out);
    }

    public Table withChain(Chain c) {
        Map<String, Chain> m = new LinkedHashMap<>(chains);
        m.put(c.name(), c);
        return new Table(name, m);
    }

    public Table withoutChain(String chain) {
        Map<String, Chain> m = new LinkedHashMap<>(chains);
        m.remove(chain);
        return new Table(name, m);
    }
}
