package dev.homeport.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An explicit home for one routing key, overriding its bucket's region; written only by the
 * operator (re-homing).
 *
 * @param home the key's home region
 * @param fenced while true, every front-door refuses writes for the key (503 + Retry-After): it is
 *     moving
 * @param epoch version of the entry: the routing epoch when it was written, or one more than the
 *     entry it replaced, whichever is higher
 * @param movedBy while fenced, the HomeAssignment moving the key ({@code namespace/name}); null
 *     otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DirectoryEntry(String home, boolean fenced, long epoch, String movedBy) {

  /** A settled override: the key's home, taking writes. */
  public static DirectoryEntry settled(String home, long epoch) {
    return new DirectoryEntry(home, false, epoch, null);
  }

  /** The key stays at {@code home} but refuses writes while {@code movedBy} moves it. */
  public static DirectoryEntry fenced(String home, long epoch, String movedBy) {
    return new DirectoryEntry(home, true, epoch, movedBy);
  }
}
