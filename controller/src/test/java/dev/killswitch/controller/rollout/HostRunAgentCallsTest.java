package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.inventory.InventoryLoader;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.FakeTransport;
import dev.killswitch.controller.transport.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent calls of a host run: facts and apply (or plan) are one call when the transport holds dialogues, and two
 * otherwise, with the same desired state either way; Java is checked only when the agent has to go up.
 */
class HostRunAgentCallsTest {

    private static final String FACTS = "{\"backend\":\"nf_tables\",\"iptablesVersion\":\"iptables v1.8.9 (nf_tables)\","
            + "\"defaultInterface\":\"eth0\",\"addresses\":{\"eth0\":[\"203.0.113.11/24\"],\"wg0\":[\"10.66.0.11/32\"]},"
            + "\"wireguard\":[{\"name\":\"wg0\",\"endpoints\":[%s],\"addresses\":[\"10.66.0.11/32\"],"
            + "\"config\":\"/etc/wireguard/wg0.conf\",\"up\":true}],\"sshConnection\":\"203.0.113.2 41602 203.0.113.11 22\","
            + "\"ipv6\":{\"disabled\":{},\"policies\":{}},\"routes\":[\"default via 203.0.113.254 dev eth0\"]}";
    private static final String APPLIED = "{\"command\":\"apply\",\"changed\":true,\"fingerprint\":\"sha256:f\","
            + "\"steps\":[{\"index\":1}]}";
    private static final String CONFIRM_ID = "0f0e0d0c-0b0a-4908-8706-050403020100";
    /** What an agent that awaits its confirmation prints: the report on one line, then, once confirmed, that. */
    private static final String AWAITED = "{\"command\":\"apply\",\"changed\":true,\"fingerprint\":\"sha256:f\","
            + "\"steps\":[{\"index\":1}],\"confirm\":{\"id\":\"" + CONFIRM_ID + "\"}}\nconfirmed " + CONFIRM_ID + "\n";

    /** One agent command as the fake gateway saw it: subcommand and flags after the jar, and its stdin. */
    private record Call(List<String> args, byte[] stdin) {
    }

    private static final byte[] AGENT = "agent".getBytes(StandardCharsets.UTF_8);

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<List<String>> javaChecks = new CopyOnWriteArrayList<>();
    private boolean awaits;

    private FakeTransport gateway(String endpoints) {
        String facts = String.format(FACTS, endpoints);
        return new FakeTransport((host, argv, stdin) -> {
            if (argv.equals(List.of("java", "-version"))) {
                javaChecks.add(argv);
            }
            if (argv.contains("-version")) {
                return new ExecResult(0, "", "openjdk version \"17.0.15\"\n");
            }
            int jar = argv.indexOf("-jar");
            if (jar < 0) {
                return new ExecResult(0, "", ""); // class-data archive housekeeping
            }
            List<String> args = argv.subList(jar + 2, argv.size());
            calls.add(new Call(List.copyOf(args), stdin));
            return switch (args.get(0)) {
                case "facts" -> new ExecResult(0, facts + "\n", "");
                case "apply" -> stdin == null && args.contains("--facts-first") ? new ExecResult(0, facts + "\n", "")
                        : stdin != null && stdin.length > 0 && args.contains("--await-confirm") && awaits
                        ? new ExecResult(0, AWAITED, "")
                        : stdin != null && stdin.length > 0 ? new ExecResult(0, APPLIED, "")
                        : new ExecResult(1, "", "killswitch-agent apply: <stdin>: empty desired state\n");
                case "confirm" -> new ExecResult(0, "confirmed\n", "");
                default -> new ExecResult(2, "", "unexpected " + args);
            };
        });
    }

    private static HostResult apply(FakeTransport t, Path dir) throws Exception {
        Path inventory = dir.resolve("hosts.yml");
        Files.writeString(inventory, "all:\n  children:\n    gateways:\n      hosts:\n        gw1:\n"
                + "          ansible_host: 203.0.113.11\n          ansible_user: root\n");
        Path playbook = dir.resolve("play.yml");
        Files.writeString(playbook, "- name: kill switch\n  hosts: gateways\n  killswitch:\n    endpoints: auto\n"
                + "    interfaces: {physical: auto, tunnel: wg0}\n");
        Inventory inv = InventoryLoader.load(inventory, Map.of());
        Play play = PlaybookReader.read(playbook).plays().get(0);
        return new HostRun(t, AGENT, HostRun.Options.defaults(), Progress.QUIET).run(inv, play, "gw1", true);
    }

    private List<String> subcommands() {
        return calls.stream().map(c -> c.args().get(0) + (c.args().contains("--facts-first") ? " --facts-first" : "")
                + (c.stdin() == null ? "" : " <desired>")).toList();
    }

    @Test
    void withDialoguesFactsAndApplyAreOneAgentCall(@TempDir Path dir) throws Exception {
        HostResult r = apply(gateway("\"203.0.113.1:51820\"").holdingDialogues(), dir);
        assertEquals(Status.CHANGED, r.status(), r.message());
        assertEquals(List.of("apply --facts-first", "apply --facts-first <desired>", "confirm"), subcommands());
        assertEquals("1 step(s), " + HostRun.BY_COMMAND, r.message(), "this agent sent no confirm id to wait on");
        assertTrue(r.desired().contains("203.0.113.1/32"), r.desired());
    }

    @Test
    void anAwaitedApplyIsConfirmedByATokenWrittenOverAFreshConnectionWithoutASecondAgentCall(@TempDir Path dir)
            throws Exception {
        awaits = true;
        FakeTransport t = gateway("\"203.0.113.1:51820\"").holdingDialogues();
        HostResult r = apply(t, dir);
        assertEquals(Status.CHANGED, r.status(), r.message());
        assertEquals(List.of("apply --facts-first", "apply --facts-first <desired>"), subcommands());
        assertEquals("1 step(s), " + HostRun.BY_TOKEN, r.message());
        assertTrue(calls.get(1).args().contains("--await-confirm"), calls.get(1).args().toString());
        assertEquals(2, t.connects(), "the token goes over a second, fresh connection");
        FakeTransport.FakeFile token = t.file("gw1", "/var/lib/killswitch/confirm-" + CONFIRM_ID);
        assertEquals(CONFIRM_ID + "\n", new String(token.content(), StandardCharsets.UTF_8));
    }

    @Test
    void aSavedPlanIsConfirmedByATokenWrittenOverAFreshConnectionWithoutASecondAgentCall() {
        awaits = true;
        FakeTransport t = gateway("\"203.0.113.1:51820\"").holdingDialogues();
        HostResult r = applySaved(t);
        assertEquals(Status.CHANGED, r.status(), r.message());
        assertEquals("1 step(s), " + HostRun.BY_TOKEN, r.message());
        assertEquals(List.of("apply <desired>"), subcommands());
        assertTrue(calls.get(0).args().containsAll(List.of("--await-confirm", "--expect-fingerprint", "sha256:f")),
                calls.get(0).args().toString());
        assertEquals("the reviewed state\n", new String(calls.get(0).stdin(), StandardCharsets.UTF_8));
        assertEquals(2, t.connects(), "the token goes over a second, fresh connection");
        FakeTransport.FakeFile token = t.file("gw1", "/var/lib/killswitch/confirm-" + CONFIRM_ID);
        assertEquals(CONFIRM_ID + "\n", new String(token.content(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutDialoguesASavedPlanIsConfirmedByTheConfirmCommand() {
        HostResult r = applySaved(gateway("\"203.0.113.1:51820\""));
        assertEquals("1 step(s), " + HostRun.BY_COMMAND, r.message());
        assertEquals(List.of("apply <desired>", "confirm"), subcommands());
        assertFalse(calls.get(0).args().contains("--await-confirm"), "nobody would write its token");
    }

    private static HostResult applySaved(FakeTransport t) {
        Target target = new Target("gw1", "203.0.113.11", 22, "root", Path.of("/nonexistent/key"), false, null,
                Duration.ofSeconds(10), Duration.ofSeconds(180));
        return new HostRun(t, AGENT, HostRun.Options.defaults(), Progress.QUIET).applySaved(target,
                "/var/lib/killswitch/agent/killswitch-agent.jar", "/var/lib/killswitch", "the reviewed state\n",
                "sha256:f");
    }

    @Test
    void withoutDialoguesFactsComeFirstAndApplyGetsTheSameDesiredState(@TempDir Path dir) throws Exception {
        HostResult one = apply(gateway("\"203.0.113.1:51820\"").holdingDialogues(), dir);
        byte[] viaDialogue = calls.get(1).stdin();
        calls.clear();
        HostResult two = apply(gateway("\"203.0.113.1:51820\""), dir);
        assertEquals(Status.CHANGED, two.status(), two.message());
        assertEquals(List.of("facts", "apply <desired>", "confirm"), subcommands());
        assertArrayEquals(viaDialogue, calls.get(1).stdin());
        assertEquals(one.desired(), two.desired());
    }

    @Test
    void whenRenderingFailsTheAgentIsToldNothingAndTheHostFailsWithTheReason(@TempDir Path dir) throws Exception {
        HostResult r = apply(gateway("").holdingDialogues(), dir);
        assertEquals(Status.FAILED, r.status());
        assertTrue(r.message().contains("endpoints: auto"), r.message());
        assertEquals(List.of("apply --facts-first", "apply --facts-first <desired>"), subcommands());
        assertEquals(0, calls.get(1).stdin().length);
    }

    @Test
    void javaIsCheckedWhenTheAgentGoesUpNotOnEveryRun(@TempDir Path dir) throws Exception {
        FakeTransport t = gateway("\"203.0.113.1:51820\"").holdingDialogues();
        apply(t, dir);
        assertEquals(1, javaChecks.size());
        apply(t, dir);
        assertEquals(1, javaChecks.size(), "the agent was already there");
    }

    @Test
    void aHostThatLostItsJavaAfterTheAgentCameGetsTheInstallHint(@TempDir Path dir) throws Exception {
        FakeTransport t = new FakeTransport((host, argv, stdin) -> new ExecResult(127, "",
                "timeout: failed to run command 'java': No such file or directory\n")).holdingDialogues();
        t.putFile("gw1", "/var/lib/killswitch/agent/killswitch-agent.jar", AGENT, 0644);
        HostResult r = apply(t, dir);
        assertEquals(Status.FAILED, r.status());
        assertEquals(dev.killswitch.controller.transport.AgentInstaller.noJava("gw1"), r.message());
        HostResult saved = applySaved(t);
        assertEquals(Status.FAILED, saved.status());
        assertEquals(dev.killswitch.controller.transport.AgentInstaller.noJava("gw1"), saved.message(),
                "a saved plan's apply gives the same hint");
    }
}
