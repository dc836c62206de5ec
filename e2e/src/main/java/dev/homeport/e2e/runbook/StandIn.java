package dev.homeport.e2e.runbook;

import java.util.Objects;

/**
 * What a test does on the local system in place of what a command does on a real installation:
 * after the command block containing {@code command} has run (against the management API server,
 * which has no kubelet), {@code action} performs the matching process action, e.g. starting the
 * operator's process again after {@code kubectl rollout restart deployment/…-operator}.
 *
 * @param command a fragment of exactly one command block of the page
 * @param what what the action does, for the log
 * @param action the action
 */
public record StandIn(String command, String what, Action action) {

  /** The action; it may throw, which fails the run at that block. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  public StandIn {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(action, "action");
    if (command.isBlank()) {
      throw new IllegalArgumentException("a stand-in needs a command fragment to follow");
    }
  }

  /** After the block containing {@code command}, {@code action} does {@code what}. */
  public static StandIn after(String command, String what, Action action) {
    return new StandIn(command, what, action);
  }
}
