/**
 * The lab: a disposable fleet of VPN gateways built from network namespaces on this machine,
 * for tests, the README demo and benchmarks. The root network namespace is never changed.
 */
package dev.killswitch.controller.lab;
