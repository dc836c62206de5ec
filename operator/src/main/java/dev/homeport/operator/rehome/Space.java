package dev.homeport.operator.rehome;

/** What a move moves: routing keys (their directory entries) or buckets (their bucket entries). */
enum Space {
  KEYS("key", "keys"),
  BUCKETS("bucket", "buckets");

  /** The name of one unit, for messages. */
  final String one;

  /** The name of several units, for messages. */
  final String many;

  Space(String one, String many) {
    this.one = one;
    this.many = many;
  }
}
