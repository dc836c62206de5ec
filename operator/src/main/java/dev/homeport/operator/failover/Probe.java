package dev.homeport.operator.failover;

/**
 * The result of probing one region (front-door health, Redis ping) once.
 *
 * @param healthy whether every probe of the region succeeded
 * @param detail what was seen, for people (e.g. "healthz: connection refused")
 */
public record Probe(boolean healthy, String detail) {}
