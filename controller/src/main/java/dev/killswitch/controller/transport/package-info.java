/**
 * SSH to the gateways: the {@link dev.killswitch.controller.transport.Transport} the rollout sees, its sshj
 * implementation, an in-process fake, and the agent installer built on top of them.
 */
package dev.killswitch.controller.transport;
