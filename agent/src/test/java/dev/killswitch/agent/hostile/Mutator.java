package dev.killswitch.agent.hostile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damages a valid input the way hostile or broken files look: bit flips, deleted and duplicated tokens and
 * lines, lines spliced in from other inputs, random Unicode, shell and YAML metacharacters, truncation.
 */
public final class Mutator {
    /** Fragments an attacker or a broken template would put into a file. */
    static final List<String> HOSTILE = List.of("; reboot", "$(id)", "`id`", "\n", "\r", "\u0000", "\t", " -j ACCEPT",
            "\n-A INPUT -j ACCEPT\n", "\nCOMMIT\n", "&a ", "*a", "!!python/object ", "! ", "{", "}", "[", "]", ":",
            ": ", "- ", "#", "\"", "'", "\\", "|", "&", ">", "<", "--", "-", "/", "0", "65536", "/33", "..",
            "\u202e", "\ufeff", "\ud83d\ude00", "\u00e9", "%", "~", "*", "?", ",", "\"\\", "    ", "\n  ");

    private Mutator() {
    }

    /** Applies {@code count} random damages to {@code seed}; {@code others} provide lines to splice in. */
    public static String mutate(String seed, List<String> others, Random r, int count) {
        String s = seed;
        for (int i = 0; i < count; i++) {
            s = once(s, others, r);
        }
        return s;
    }

    /** Deletes or duplicates one of {@code parts}, then joins them again. */
    static String dropOrRepeat(String[] parts, String joiner, Random r) {
        List<String> list = new ArrayList<>(Arrays.asList(parts));
        if (list.isEmpty()) {
            return String.join(joiner, parts);
        }
        int i = r.nextInt(list.size());
        if (r.nextBoolean()) {
            list.remove(i);
        } else {
            list.add(i, list.get(i));
        }
        return String.join(joiner, list);
    }

    static String once(String s, List<String> others, Random r) {
        int at = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
        switch (r.nextInt(10)) {
            case 0 -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                if (b.length > 0) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return new String(b, StandardCharsets.UTF_8);
            }
            case 1, 2 -> {
                return dropOrRepeat(s.split("(?<=\\s)"), "", r); // a token, with the space after it
            }
            case 3 -> {
                List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
                String other = others.get(r.nextInt(others.size()));
                String[] ol = other.split("\n", -1);
                lines.add(r.nextInt(lines.size() + 1), ol[r.nextInt(ol.length)]);
                return String.join("\n", lines);
            }
            case 4 -> {
                return dropOrRepeat(s.split("\n", -1), "\n", r);
            }
            case 5 -> {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x20);
                    case 1 -> 0x80 + r.nextInt(0x780);
                    case 2 -> r.nextInt(0xD800);
                    default -> 0x10000 + r.nextInt(0x100000);
                };
                return s.substring(0, at) + new String(Character.toChars(cp)) + s.substring(at);
            }
            case 6, 7 -> {
                return s.substring(0, at) + HOSTILE.get(r.nextInt(HOSTILE.size())) + s.substring(at);
            }
            case 8 -> {
                return s.substring(0, at);
            }
            default -> {
                int len = Math.min(s.length() - at, r.nextInt(40));
                return s.substring(0, at) + s.substring(at + len);
            }
        }
    }
}
