package dev.homeport.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An explicit home for one routing key, overriding its bucket's region; written only by the
 * operator (re-homing).
 *
 * @param home the key's home region
 * @param fenced while true, every front-door refuses writes for the key (503 + Retry-After): it is
 *     moving
 * @param epoch routing epoch at which the entry was written
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DirectoryEntry(String home, boolean fenced, long epoch) {}
