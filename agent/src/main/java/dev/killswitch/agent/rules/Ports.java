package dev.killswitch.agent.rules;

/** Port and service-name text as the tcp, udp, sctp, multiport and conntrack extensions read it. */
final class Ports {

    static final int UNSURE = -1;

    private Ports() {
    }

    /**
     * A port number or a service name for {@code protocol} (6, 17, 132; 0 = tcp then udp).
     * Returns {@link #UNSURE} for numbers strtoul would read as octal or hex.
     */
    static int port(String s, int protocol, RuleContext ctx, String option) {
        long v = Inet.decimal(s, 65535);
        if (v >= 0) {
            return (int) v;
        }
        if (Extension.allDigits(s)) {
            if (s.charAt(0) == '0' && s.length() <= 6) {
                ctx.unsure(); // octal
                return UNSURE;
            }
            throw ctx.error(option, "invalid port '" + s + "': out of range 0-65535");
        }
        if (s.startsWith("0x") || s.startsWith("0X")) {
            ctx.unsure();
            return UNSURE;
        }
        int p;
        if (protocol == 0) {
            p = Names.servicePort(s, 6);
            if (p < 0) {
                p = Names.servicePort(s, 17);
            }
        } else {
            p = Names.servicePort(s, protocol);
        }
        if (p < 0) {
            throw ctx.error(option, "invalid port '" + s + "': not a number 0-65535 or a known service name");
        }
        return p;
    }

    /** {@code N}, {@code A:B}, {@code :B}, {@code A:} as tcp/udp/sctp read them; null when unsure. */
    static int[] range(String s, int protocol, RuleContext ctx, String option) {
        int colon = s.indexOf(':');
        int lo;
        int hi;
        if (colon < 0) {
            lo = hi = port(s, protocol, ctx, option);
        } else {
            String a = s.substring(0, colon);
            String b = s.substring(colon + 1);
            lo = a.isEmpty() ? 0 : port(a, protocol, ctx, option);
            hi = b.isEmpty() ? 65535 : port(b, protocol, ctx, option);
            if (lo != UNSURE && hi != UNSURE && lo > hi) {
                throw ctx.error(option, "invalid port range '" + s + "' (min > max)");
            }
        }
        if (lo == UNSURE || hi == UNSURE) {
            return null;
        }
        return new int[] {lo, hi};
    }

    static String format(int lo, int hi, char sep) {
        return lo == hi ? Integer.toString(lo) : lo + String.valueOf(sep) + hi;
    }
}
