package dev.killswitch.controller.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.faults.FaultLab.Run;
import dev.killswitch.controller.lab.LabLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's leak window, side by side on one gateway under the same probe traffic: the seed's script re-run (it
 * resets the policies to ACCEPT and flushes first), Ansible's iptables module re-run, and Killswitch switching
 * between two kill switch variants. Long-suite only ({@code bench/reliability}): it needs ansible-playbook and takes
 * minutes.
 */
@Tag("netns")
@EnabledIfSystemProperty(named = "killswitch.reliability.leakwindow", matches = "true")
class LeakWindowNetnsTest {

    private static final String SEED = "/work/shared/seed/vpn-killswitch-post-mortem.txt";
    private static final String GW = "gw1";

    @Test
    void onlyTheSeedScriptLeaksWhileItIsReRun(@TempDir Path dir) throws Exception {
        int rate = Results.count("leakrate", 5000);
        int runs = Results.count("reruns", 20);
        try (FaultLab lab = FaultLab.up(dir, 1)) {
            Path seed = seedScript(dir);
            // the seed, measured from its own protected state
            runSeed(lab, seed);
            long[] seedLeaks = measure(lab, rate, () -> {
                for (int i = 0; i < runs; i++) {
                    runSeed(lab, seed);
                }
            });
            Results.row("leak window: the seed's script (resets to ACCEPT, flushes)", runs, "leaks on re-run",
                    seedLeaks[0], 0, perRun(seedLeaks, runs, rate));

            // Ansible's iptables module, from the open baseline once, then measured re-runs
            String open = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
            lab.changeByHand(GW, List.of("iptables-restore"), open);
            lab.changeByHand(GW, List.of("ip6tables-restore"), open);
            int ansibleRuns = Results.count("ansibleruns", 5);
            if (ansible(lab, dir) == 0) {
                long[] a = measure(lab, rate, () -> {
                    for (int i = 0; i < ansibleRuns; i++) {
                        assertEquals(0, ansible(lab, dir), "ansible-playbook failed");
                    }
                });
                Results.row("leak window: Ansible's iptables module (re-runs)", ansibleRuns, "no leak", a[0], 0,
                        perRun(a, ansibleRuns, rate));
            } else {
                Results.row("leak window: Ansible's iptables module", 0, "NOT RUN (ansible-playbook failed or missing)",
                        0, 0, "see " + dir);
            }

            // Killswitch: every run switches the variant (a real change), the same probes
            lab.converge(lab.playA);
            long[] k = measure(lab, rate, () -> {
                for (int i = 0; i < runs; i++) {
                    Run r = lab.apply(i % 2 == 0 ? lab.playB : lab.playA, 30);
                    assertEquals(0, r.exit(), r.toString());
                }
            });
            Results.row("leak window: Killswitch (alternating two kill switches)", runs, "no leak", k[0], 0,
                    perRun(k, runs, rate));
            assertEquals(0, k[0], "Killswitch leaked");
        }
    }

    private static String perRun(long[] m, int runs, int rate) {
        return String.format("%.1f leaked per run; asked %d probes/s, sent %d + refused %d in %d s (%d/s)",
                (double) m[0] / Math.max(1, runs), rate, m[1], m[2], m[3], (m[1] + m[2]) / Math.max(1, m[3]));
    }

    /** Runs {@code work} under probe traffic: {leaked, sent, refused, seconds}. */
    private static long[] measure(FaultLab lab, int rate, Runnable work) {
        long t0 = System.nanoTime();
        try (Traffic t = Traffic.start(lab, List.of(GW), rate, 3600, false)) {
            work.run();
            Traffic.Tally tally = t.stop();
            return new long[] {tally.leaked(), tally.sent(), tally.refused(), (System.nanoTime() - t0) / 1_000_000_000L};
        }
    }

    /** The seed's script as published, with the lab's VPN server and a refusal to run outside a named namespace. */
    private static Path seedScript(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(SEED));
        List<String> script = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("#!/bin/bash")) {
                in = true;
                script.add(l);
                script.add("test -n \"$(ip netns identify)\" || { echo 'not in a lab namespace' >&2; exit 99; }");
                continue;
            }
            if (in) {
                script.add(l.replace("\"1.2.3.4\"", "\"" + LabLayout.VPN + "\""));
                if (l.startsWith("iptables -A INPUT -i $WG_IF")) {
                    break;
                }
            }
        }
        assertTrue(in && script.get(script.size() - 1).startsWith("iptables -A INPUT -i $WG_IF"),
                "the seed's script was not found in " + SEED);
        Path p = dir.resolve("vpn-killswitch.sh");
        Files.write(p, script);
        return p;
    }

    private static void runSeed(FaultLab lab, Path script) {
        CommandRunner.Result r = lab.changeByHand(GW, List.of("bash", script.toString()), null);
        assertEquals(0, r.exitCode(), "the seed's script: " + r.stderr());
    }

    private static int ansible(FaultLab lab, Path dir) {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("ansible-playbook", "-i", lab.lab.inventory().toString(), "--limit", GW,
                repo.resolve("bench/ansible/killswitch-iptables.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("ansible.log").toFile());
        pb.environment().put("ANSIBLE_CONFIG", repo.resolve("bench/ansible/ansible.cfg").toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException missing) {
            return 127;
        }
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return 124;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return 130;
        }
        return p.exitValue();
    }
}
