package dev.killswitch.agent.guard;

/**
 * An IPv4 or IPv6 address as 128 bits (IPv4 in the low 32), parsed by hand so that a host name can
 * never trigger a DNS lookup.
 */
record Address(boolean v6, long hi, long lo) {

    /** The address, or null when the text is not an IPv4 or IPv6 literal. */
    static Address parse(String s) {
        if (s == null) {
            return null;
        }
        return parse(s, 0, s.length());
    }

    static Address parse(String s, int from, int to) {
        if (s.indexOf(':', from) >= 0 && s.indexOf(':', from) < to) {
            return ipv6(s, from, to);
        }
        long v4 = ipv4(s, from, to);
        return v4 < 0 ? null : new Address(false, 0, v4);
    }

    /** Whether this address lies in {@code net} as iptables-save prints it: {@code a/len} or {@code a/mask}. */
    Ternary within(String net) {
        int slash = net.indexOf('/');
        int end = slash < 0 ? net.length() : slash;
        if (!v6) {
            long base = ipv4(net, 0, end);
            long mask = slash < 0 ? 0xffffffffL : v4Mask(net, slash + 1);
            if (base < 0 || mask < 0) {
                return Ternary.UNKNOWN;
            }
            return Ternary.of(((lo ^ base) & mask) == 0);
        }
        Address base = ipv6(net, 0, end);
        if (base == null) {
            return Ternary.UNKNOWN;
        }
        long maskHi = -1L;
        long maskLo = -1L;
        if (slash >= 0) {
            int len = prefixLength(net, slash + 1, 128);
            if (len >= 0) {
                maskHi = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
                maskLo = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
            } else {
                Address m = ipv6(net, slash + 1, net.length()); // a non-contiguous mask
                if (m == null) {
                    return Ternary.UNKNOWN;
                }
                maskHi = m.hi;
                maskLo = m.lo;
            }
        }
        return Ternary.of(((hi ^ base.hi) & maskHi) == 0 && ((lo ^ base.lo) & maskLo) == 0);
    }

    /** Whether this address lies in {@code a-b} (iprange), bounds included. */
    Ternary inRange(String range) {
        int dash = range.indexOf('-');
        Address low = dash < 0 ? parse(range) : parse(range, 0, dash);
        Address high = dash < 0 ? low : parse(range, dash + 1, range.length());
        if (low == null || high == null || low.v6 != v6 || high.v6 != v6) {
            return Ternary.UNKNOWN;
        }
        return Ternary.of(low.compareTo(this) <= 0 && compareTo(high) <= 0);
    }

    private int compareTo(Address o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    private static long v4Mask(String s, int from) {
        int len = prefixLength(s, from, 32);
        if (len >= 0) {
            return len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
        }
        return ipv4(s, from, s.length()); // dotted, possibly non-contiguous
    }

    /** A decimal prefix length up to {@code max}, or -1 when the text is not one. */
    private static int prefixLength(String s, int from, int max) {
        int to = s.length();
        if (from >= to || to - from > 3) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /** The IPv4 address as an unsigned value, or -1. */
    static long ipv4(String s, int from, int to) {
        long v = 0;
        int parts = 0;
        int i = from;
        while (parts < 4) {
            int start = i;
            int octet = 0;
            while (i < to && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || octet > 255) {
                return -1;
            }
            v = (v << 8) | octet;
            parts++;
            if (parts < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? v : -1;
    }

    /** The IPv6 address, with {@code ::} and a dotted IPv4 tail, or null. */
    static Address ipv6(String s, int from, int to) {
        int[] groups = new int[8];
        int n = 0;
        int gap = -1; // index in groups where "::" stands
        int i = from;
        if (to - from >= 2 && s.charAt(from) == ':' && s.charAt(from + 1) == ':') {
            gap = 0;
            i = from + 2;
        } else if (from < to && s.charAt(from) == ':') {
            return null;
        }
        while (i < to) {
            int j = i;
            while (j < to && Character.digit(s.charAt(j), 16) >= 0) {
                j++;
            }
            if (j < to && s.charAt(j) == '.') {
                long v4 = ipv4(s, i, to);
                if (v4 < 0 || n > 6) {
                    return null;
                }
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                break;
            }
            if (j == i || j - i > 4 || n == 8) {
                return null;
            }
            groups[n++] = Integer.parseInt(s, i, j, 16);
            if (j == to) {
                break;
            }
            if (s.charAt(j) != ':') {
                return null;
            }
            if (j + 1 < to && s.charAt(j + 1) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = n;
                i = j + 2;
            } else {
                i = j + 1;
                if (i == to) {
                    return null;
                }
            }
        }
        if (gap < 0 ? n != 8 : n > 7) {
            return null;
        }
        int zeros = 8 - n;
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 8; k++) {
            int g;
            if (gap < 0 || k < gap) {
                g = groups[k];
            } else if (k < gap + zeros) {
                g = 0;
            } else {
                g = groups[k - zeros];
            }
            if (k < 4) {
                hi = (hi << 16) | g;
            } else {
                lo = (lo << 16) | g;
            }
        }
        return new Address(true, hi, lo);
    }
}
