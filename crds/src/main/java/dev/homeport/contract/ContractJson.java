package dev.homeport.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.HashMap;
import java.util.Map;

/** Reads and writes the contract's JSON the same way on both sides. */
public final class ContractJson {

  /**
   * Unknown fields are ignored so that an older front-door can read what a newer operator writes;
   * map keys are sorted so that equal documents are equal bytes.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private ContractJson() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Parses a contract document.
   *
   * @throws IllegalArgumentException naming the type when the JSON is not a valid document
   */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Not a valid " + type.getSimpleName() + " document: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads the hash {@link RedisKeys#BUCKETS} (bucket number → entry JSON), by bucket. */
  public static Map<Integer, DirectoryEntry> bucketEntries(Map<String, String> hash) {
    Map<Integer, DirectoryEntry> entries = new HashMap<>();
    hash.forEach(
        (bucket, json) -> entries.put(Integer.valueOf(bucket), read(json, DirectoryEntry.class)));
    return entries;
  }
}
