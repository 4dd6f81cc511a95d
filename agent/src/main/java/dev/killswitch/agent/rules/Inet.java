package dev.killswitch.agent.rules;

/**
 * Address text as iptables reads and prints it. IPv4 is an int, IPv6 a 16-byte array.
 * Only plain numeric forms are read here: host names (resolved through DNS by iptables) and the
 * octal/hex/short IPv4 forms inet_aton accepts are left to the caller to refuse.
 */
final class Inet {

    private Inet() {
    }

    /** A parsed dotted quad, or -1 when the text is not exactly one (the result is a long to keep -1 apart). */
    static long parseV4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return -1;
        }
        long addr = 0;
        int parts = 0;
        int i = 0;
        while (i <= n) {
            int startPart = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - startPart;
            if (len == 0 || len > 3 || v > 255 || (len > 1 && s.charAt(startPart) == '0')) {
                return -1;
            }
            addr = (addr << 8) | v;
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? addr : -1;
    }

    static String formatV4(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** The prefix length of a contiguous mask, or -1. */
    static int prefixOfV4Mask(int mask) {
        int len = Integer.bitCount(mask);
        return maskV4(len) == mask ? len : -1;
    }

    static int maskV4(int len) {
        return len == 0 ? 0 : (int) (0xffffffffL << (32 - len));
    }

    /** Parses RFC 4291 text (with an optional trailing dotted quad), or returns null. */
    static byte[] parseV6(String s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return null;
        }
        int[] words = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (n == 2) {
                return new byte[16];
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (count == 8) {
                return null;
            }
            int startPart = i;
            int v = 0;
            while (i < n && hex(s.charAt(i)) >= 0 && i - startPart < 5) {
                v = (v << 4) | hex(s.charAt(i));
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // embedded IPv4 in the last 32 bits
                long v4 = parseV4(s.substring(startPart));
                if (v4 < 0 || count > 6) {
                    return null;
                }
                words[count++] = (int) (v4 >>> 16) & 0xffff;
                words[count++] = (int) v4 & 0xffff;
                i = n;
                break;
            }
            int len = i - startPart;
            if (len == 0 || len > 4) {
                return null;
            }
            words[count++] = v;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null; // trailing single colon
            }
        }
        int[] full = new int[8];
        if (gap >= 0) {
            if (count > 7) {
                return null;
            }
            int tail = count - gap;
            System.arraycopy(words, 0, full, 0, gap);
            System.arraycopy(words, gap, full, 8 - tail, tail);
        } else {
            if (count != 8) {
                return null;
            }
            full = words;
        }
        byte[] out = new byte[16];
        for (int w = 0; w < 8; w++) {
            out[2 * w] = (byte) (full[w] >>> 8);
            out[2 * w + 1] = (byte) full[w];
        }
        return out;
    }

    /** The value of an ASCII hex digit, or -1. */
    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Prints like glibc inet_ntop: lower case, the longest run (at least two) of zero groups as ::. */
    static String formatV6(byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (bestBase < 0 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase >= 0 && bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(a[12] & 0xff).append('.').append(a[13] & 0xff).append('.')
                        .append(a[14] & 0xff).append('.').append(a[15] & 0xff);
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }

    static byte[] maskV6(int len) {
        byte[] m = new byte[16];
        for (int i = 0; i < 16; i++) {
            int bits = Math.min(8, Math.max(0, len - 8 * i));
            m[i] = (byte) (0xff00 >>> bits);
        }
        return m;
    }

    /** The prefix length of a contiguous mask, or -1. */
    static int prefixOfV6Mask(byte[] m) {
        int len = 0;
        for (byte b : m) {
            len += Integer.bitCount(b & 0xff);
        }
        return java.util.Arrays.equals(maskV6(len), m) ? len : -1;
    }

    static byte[] and(byte[] a, byte[] m) {
        byte[] out = new byte[16];
        for (int i = 0; i < 16; i++) {
            out[i] = (byte) (a[i] & m[i]);
        }
        return out;
    }

    static boolean isZero(byte[] a) {
        for (byte b : a) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** A decimal number without sign or leading zero, or -1 (also when above {@code max}). */
    static long decimal(String s, long max) {
        int n = s.length();
        if (n == 0 || n > 19 || (n > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v > max) {
                return -1;
            }
        }
        return v;
    }

    // ---- address options as the extensions print them ----

    /** The printed form of one -s/-d item ({@code addr/len}, host bits cleared), or "" for "anything". */
    static String coreAddress(String item, boolean v6, boolean negated, RuleContext ctx, String option) {
        if (!v6 && printedQuad(item)) {
            return item + "/32"; // a host written as iptables-save prints it: most -s/-d items
        }
        Net am = addressAndMask(item, v6, ctx, option);
        if (am == null) {
            return null;
        }
        int len = am.prefix();
        if (len == 0) {
            if (negated) {
                throw ctx.error(option, "'! " + option + " " + item + "' never matches (iptables-nft refuses it)");
            }
            return "";
        }
        String net = v6 ? formatV6(and(am.addr6, am.mask6)) : formatV4(am.addr4 & am.mask4);
        if (len >= 0) {
            return net + "/" + len;
        }
        return net + "/" + (v6 ? formatV6(am.mask6) : formatV4(am.mask4));
    }

    /** True for a dotted quad exactly as {@link #formatV4} prints it: four numbers 0-255, no leading zeros. */
    static boolean printedQuad(String s) {
        int n = s.length();
        int parts = 0;
        for (int i = 0; i < n; ) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + s.charAt(i++) - '0';
            }
            int digits = i - start;
            if (digits == 0 || v > 255 || (digits > 1 && s.charAt(start) == '0') || ++parts > 4) {
                return false;
            }
            if (i < n) {
                if (s.charAt(i) != '.' || i + 1 == n) {
                    return false;
                }
                i++;
            }
        }
        return parts == 4;
    }

    /**
     * An address with an optional mask as the conntrack match prints it: address not masked,
     * no suffix for a host, {@code /len} otherwise.
     */
    static String moduleAddress(String s, boolean v6, RuleContext ctx, String option) {
        Net am = addressAndMask(s, v6, ctx, option);
        if (am == null) {
            return null;
        }
        int len = am.prefix();
        if (len < 0) {
            ctx.unsure(); // nft prints a non-contiguous mask away
            return s;
        }
        String a = v6 ? formatV6(am.addr6) : formatV4(am.addr4);
        return len == (v6 ? 128 : 32) ? a : a + "/" + len;
    }

    /** An address and its mask: the ints for IPv4, the arrays for IPv6. */
    private record Net(int addr4, int mask4, byte[] addr6, byte[] mask6) {
        /** The prefix length, or -1 for a non-contiguous mask. */
        int prefix() {
            return addr6 == null ? prefixOfV4Mask(mask4) : prefixOfV6Mask(mask6);
        }
    }

    /** {@code addr[/len|/mask]}; null when unsure. */
    private static Net addressAndMask(String s, boolean v6, RuleContext ctx, String option) {
        int slash = s.indexOf('/');
        String a = slash < 0 ? s : s.substring(0, slash);
        String m = slash < 0 ? null : s.substring(slash + 1);
        if (!v6) {
            long addr = address4(a, ctx, option);
            if (addr < 0) {
                return null;
            }
            int mask;
            if (m == null) {
                mask = 0xffffffff;
            } else if (m.indexOf('.') >= 0) {
                long mv = parseV4(m);
                if (mv < 0) {
                    throw ctx.error(option, "bad netmask '" + m + "'");
                }
                mask = (int) mv;
            } else {
                long len = prefixLength(m, 32, ctx, option);
                if (len < 0) {
                    return null;
                }
                mask = maskV4((int) len);
            }
            return new Net((int) addr, mask, null, null);
        }
        byte[] addr = address6(a, ctx, option);
        if (addr == null) {
            return null;
        }
        byte[] mask;
        if (m == null) {
            mask = maskV6(128);
        } else if (m.indexOf(':') >= 0) {
            mask = parseV6(m);
            if (mask == null) {
                throw ctx.error(option, "bad netmask '" + m + "'");
            }
        } else {
            long len = prefixLength(m, 128, ctx, option);
            if (len < 0) {
                return null;
            }
            mask = maskV6((int) len);
        }
        return new Net(0, 0, addr, mask);
    }

    /** A single address without mask in printed form, or null when unsure. */
    static String plainAddress(String s, boolean v6, RuleContext ctx, String option) {
        if (!v6) {
            long a = address4(s, ctx, option);
            return a < 0 ? null : formatV4((int) a);
        }
        byte[] a = address6(s, ctx, option);
        return a == null ? null : formatV6(a);
    }

    static long address4(String s, RuleContext ctx, String option) {
        long a = parseV4(s);
        if (a >= 0) {
            return a;
        }
        refuse(s, ctx, option, "IPv4");
        return -1;
    }

    static byte[] address6(String s, RuleContext ctx, String option) {
        byte[] a = s.indexOf(':') >= 0 ? parseV6(s) : null;
        if (a != null) {
            return a;
        }
        refuse(s, ctx, option, "IPv6");
        return null;
    }

    /** Host names (iptables would ask DNS) and inet_aton's odd numeric forms are refused; when lenient, left to the kernel. */
    private static void refuse(String s, RuleContext ctx, String option, String kind) {
        if (!ctx.strict && !s.isEmpty()) {
            ctx.unsure();
            return;
        }
        boolean name = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                name = true;
            }
        }
        if (name && s.indexOf(':') < 0) {
            throw ctx.error(option, "'" + s + "' is a host name; write an " + kind + " address (names are not resolved)");
        }
        throw ctx.error(option, "bad " + kind + " address '" + s + "'");
    }

    private static long prefixLength(String m, int max, RuleContext ctx, String option) {
        long len = decimal(m, max);
        if (len >= 0) {
            return len;
        }
        if (allDigitsNonEmpty(m) && m.charAt(0) == '0' && Long.parseLong(m) <= max) {
            ctx.unsure();
            return -1;
        }
        throw ctx.error(option, "bad prefix length '/" + m + "' (0-" + max + ")");
    }

    private static boolean allDigitsNonEmpty(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
