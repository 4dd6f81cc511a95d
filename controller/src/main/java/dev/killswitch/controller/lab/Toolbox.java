package dev.killswitch.controller.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The programs the lab runs, each resolved to an absolute path before anything is created. */
public record Toolbox(Map<String, String> paths) {

    /** Program name to the Debian package that provides it. */
    static final Map<String, String> PACKAGES = packages();

    /** The directories searched besides PATH: the lab runs as root, whose programs live in sbin. */
    static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"),
            Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));

    public Toolbox {
        paths = Map.copyOf(paths);
    }

    private static Map<String, String> packages() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ip", "iproute2");
        m.put("wireguard-go", "wireguard-go");
        m.put("wg", "wireguard-tools");
        m.put("sshd", "openssh-server");
        m.put("ssh-keygen", "openssh-client");
        m.put("socat", "socat");
        m.put("iptables", "iptables");
        m.put("iptables-save", "iptables");
        m.put("iptables-restore", "iptables");
        m.put("ping", "iputils-ping");
        m.put("sysctl", "procps");
        m.put("unshare", "util-linux");
        m.put("nsenter", "util-linux");
        m.put("setsid", "util-linux");
        m.put("mount", "mount");
        m.put("sleep", "coreutils");
        return Map.copyOf(m);
    }

    /** Finds every program in {@code dirs} (PATH first), or fails naming the packages to install. */
    public static Toolbox find(List<Path> dirs) {
        Map<String, String> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        Set<String> missingPackages = new LinkedHashSet<>();
        for (String program : PACKAGES.keySet().stream().sorted().toList()) {
            dirs.stream().map(d -> d.resolve(program))
                    .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                    .findFirst()
                    .ifPresentOrElse(p -> found.put(program, p.toAbsolutePath().toString()), () -> {
                        missing.add(program);
                        missingPackages.add(PACKAGES.get(program));
                    });
        }
        if (!missing.isEmpty()) {
            throw new LabError("the lab needs programs that are not installed: " + String.join(", ", missing)
                    + ". Install them with: apt-get install -y " + String.join(" ", missingPackages));
        }
        return new Toolbox(found);
    }

    /** Searches PATH, then the system's sbin and bin directories. */
    public static Toolbox find() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.addAll(SYSTEM_DIRS);
        return find(dirs);
    }

    /** The absolute path of {@code program}. */
    public String path(String program) {
        String p = paths.get(program);
        if (p == null) {
            throw new IllegalArgumentException("not a lab program: " + program);
        }
        return p;
    }

    /** argv prefix that runs a program in {@code namespace} the way {@code ip netns exec} does. */
    public java.util.List<String> netnsExec(String namespace) {
        return java.util.List.of(path("ip"), "netns", "exec", namespace);
    }

    /**
     * argv prefix that runs a program in a node's network namespace, named (so it can never be the root one), and
     * in the private mount namespace its holder process keeps (its own /run/wireguard).
     */
    public java.util.List<String> enter(String namespace, long holder) {
        return java.util.List.of(path("nsenter"), "--net=/run/netns/" + namespace,
                "--mount=/proc/" + holder + "/ns/mnt");
    }
}
