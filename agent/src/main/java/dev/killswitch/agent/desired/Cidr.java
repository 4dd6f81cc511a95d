package dev.killswitch.agent.desired;

import dev.killswitch.agent.rules.Family;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An address or a network in numeric form ({@code 203.0.113.0/24}, {@code 2001:db8::1}), parsed without DNS. */
public record Cidr(InetAddress address, int prefix, Family family) {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");

    public Cidr {
        if (prefix < 0 || prefix > bits(family)) {
            throw new IllegalArgumentException("prefix length /" + prefix + " is out of range for " + family.key());
        }
    }

    /** An address ({@code /32} or {@code /128}) or a network; host bits may be set, as iptables allows. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        InetAddress a = address(slash < 0 ? text : text.substring(0, slash));
        Family f = familyOf(a);
        if (slash < 0) {
            return new Cidr(a, bits(f), f);
        }
        String p = text.substring(slash + 1);
        if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > bits(f)) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + bits(f));
        }
        return new Cidr(a, Integer.parseInt(p), f);
    }

    /** A numeric IPv4 or IPv6 address; anything that would need DNS is refused before it reaches the resolver. */
    public static InetAddress address(String text) {
        boolean v6 = IPV6.matcher(text).matches();
        if (!v6 && !IPV4.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a numeric IPv4 or IPv6 address");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(text); // a literal by the checks above: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv6 address");
        }
        if (v6 && a instanceof Inet4Address) {
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped address; write the IPv4 address");
        }
        return a;
    }

    public static Family familyOf(InetAddress a) {
        return a instanceof Inet4Address ? Family.IPV4 : Family.IPV6;
    }

    private static int bits(Family f) {
        return f == Family.IPV4 ? 32 : 128;
    }

    /** Whether {@code a} lies in this network. */
    public boolean contains(InetAddress a) {
        if (familyOf(a) != family) {
            return false;
        }
        byte[] net = address.getAddress();
        byte[] other = a.getAddress();
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((net[bit / 8] & mask) != (other[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }
}
