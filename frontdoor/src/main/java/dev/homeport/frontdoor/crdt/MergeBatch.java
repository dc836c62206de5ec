package dev.homeport.frontdoor.crdt;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One shipment of CRDT state from a region to a peer ({@code POST /internal/v1/crdt/merge}).
 *
 * @param from the sending region
 * @param sentAtMillis the sender's wall clock when it sent this (for people; not trusted)
 * @param complete whether the sender had nothing else waiting for this peer: the receiver then
 *     knows it is up to date with the sender as of now
 * @param counters counter name → slots (for a delta, only the changed ones)
 * @param registers register name → latest write
 */
public record MergeBatch(
    String from,
    long sentAtMillis,
    boolean complete,
    Map<String, PnCounter> counters,
    Map<String, LwwRegister> registers) {

  /** Longest register value accepted, in characters. */
  public static final int MAX_REGISTER_VALUE = 16 * 1024;

  public JsonObject toJson() {
    JsonObject counterJson = new JsonObject();
    counters.forEach(
        (name, state) -> counterJson.put(name, new JsonObject(Map.copyOf(state.slots()))));
    JsonObject registerJson = new JsonObject();
    registers.forEach(
        (name, register) ->
            registerJson.put(
                name,
                new JsonObject()
                    .put("value", register.value())
                    .put("physical", register.timestamp().physicalMillis())
                    .put("logical", register.timestamp().logical())
                    .put("region", register.timestamp().region())));
    return new JsonObject()
        .put("from", from)
        .put("sentAt", sentAtMillis)
        .put("complete", complete)
        .put("counters", counterJson)
        .put("registers", registerJson);
  }

  /**
   * Reads a shipment.
   *
   * @throws IllegalArgumentException naming the field when the document is malformed
   */
  public static MergeBatch fromJson(JsonObject json) {
    String from = json.getString("from");
    if (from == null || !from.matches("[a-z]([-a-z0-9]{0,30}[a-z0-9])?")) {
      throw new IllegalArgumentException("field 'from' must name the sending region");
    }
    Map<String, PnCounter> counters = new LinkedHashMap<>();
    JsonObject counterJson = json.getJsonObject("counters", new JsonObject());
    for (String name : counterJson.fieldNames()) {
      checkName("counters", name);
      JsonObject slotsJson = counterJson.getJsonObject(name);
      Map<String, Long> slots = new LinkedHashMap<>();
      for (String slot : slotsJson.fieldNames()) {
        Object count = slotsJson.getValue(slot);
        if (!(count instanceof Long || count instanceof Integer)) {
          throw new IllegalArgumentException(
              "counters." + name + "." + slot + " must be a whole number, is " + count);
        }
        slots.put(slot, ((Number) count).longValue());
      }
      counters.put(name, PnCounter.of(slots));
    }
    Map<String, LwwRegister> registers = new LinkedHashMap<>();
    JsonObject registerJson = json.getJsonObject("registers", new JsonObject());
    for (String name : registerJson.fieldNames()) {
      checkName("registers", name);
      JsonObject write = registerJson.getJsonObject(name);
      String value = write.getString("value");
      String region = write.getString("region");
      Long physical = write.getLong("physical");
      Integer logical = write.getInteger("logical");
      if (value == null || region == null || physical == null || logical == null) {
        throw new IllegalArgumentException(
            "registers." + name + " needs value, physical, logical and region");
      }
      if (value.length() > MAX_REGISTER_VALUE) {
        throw new IllegalArgumentException(
            "registers." + name + ".value is longer than " + MAX_REGISTER_VALUE);
      }
      registers.put(name, new LwwRegister(value, new HlcTimestamp(physical, logical, region)));
    }
    return new MergeBatch(
        from, json.getLong("sentAt", 0L), json.getBoolean("complete", false), counters, registers);
  }

  private static void checkName(String field, String name) {
    String problem = CrdtNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(field + ": " + problem);
    }
  }
}
