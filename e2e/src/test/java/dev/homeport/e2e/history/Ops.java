package dev.homeport.e2e.history;

import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;

/** Requests and applied writes for synthetic histories, with times in milliseconds. */
final class Ops {

  /** An arbitrary {@link System#nanoTime()} origin: times are only ever compared. */
  static final long BASE = 7_000_000_000L;

  private Ops() {}

  static long ms(double millis) {
    return BASE + Math.round(millis * 1e6);
  }

  static ClientOp write(
      String writeId, String key, Outcome outcome, String servedBy, double startMs, double endMs) {
    return new ClientOp(
        "op-" + writeId,
        Kind.WRITE,
        key,
        "mumbai",
        writeId,
        outcome,
        status(outcome),
        servedBy,
        ms(startMs),
        ms(endMs));
  }

  static ClientOp read(String id, String key, long observed, double startMs, double endMs) {
    return new ClientOp(
        id,
        Kind.READ,
        key,
        "frankfurt",
        Long.toString(observed),
        Outcome.ACK,
        200,
        "frankfurt",
        ms(startMs),
        ms(endMs));
  }

  static ClientOp increment(
      String id, String counter, long delta, Outcome outcome, String servedBy, double atMs) {
    return new ClientOp(
        id,
        Kind.INCREMENT,
        counter,
        "singapore",
        Long.toString(delta),
        outcome,
        status(outcome),
        servedBy,
        ms(atMs),
        ms(atMs + 1));
  }

  static AppliedWrite applied(String writeId, String key, String region, double atMs) {
    return new AppliedWrite(writeId, key, region, ms(atMs));
  }

  private static int status(Outcome outcome) {
    return switch (outcome) {
      case ACK -> 200;
      case REFUSED -> 503;
      case ERROR -> 0;
    };
  }
}
