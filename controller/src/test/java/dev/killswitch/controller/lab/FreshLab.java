package dev.killswitch.controller.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

/** Brings up a test lab under a unique prefix, and again on other ports when its port range is in use. */
public final class FreshLab {
    private static final SecureRandom RANDOM = new SecureRandom();

    private FreshLab() {
    }

    /** What a test builds from the lab that came up. */
    @FunctionalInterface
    public interface Wrap<T> {
        T wrap(LabSpec spec, Lab lab) throws IOException;
    }

    /**
     * Up to three attempts at a lab of {@code hosts} gateways named {@code ks-TAG-XXXXX-}, its state under
     * {@code dir}, its SSH ports from {@code portBase} plus a random multiple of 10 below {@code 10 * slots}.
     */
    public static <T> T up(String tag, Path dir, int hosts, int portBase, int slots, Wrap<T> wrap)
            throws IOException {
        LabError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            LabSpec spec = LabSpec.of(hosts).withPrefix("ks-" + tag + "-" + id() + "-")
                    .withStateDir(dir.resolve("lab" + attempt + "/state"))
                    .withInventory(dir.resolve("lab" + attempt + "/inventory/hosts.yml"))
                    .withSshPortBase(portBase + RANDOM.nextInt(slots) * 10);
            try {
                return wrap.wrap(spec, Lab.up(spec));
            } catch (LabError e) {
                last = e;
                Lab.down(spec.prefix(), spec.stateDir());
                if (!e.getMessage().contains("is in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** Five random letters and digits. */
    public static String id() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        return id.toString();
    }
}
