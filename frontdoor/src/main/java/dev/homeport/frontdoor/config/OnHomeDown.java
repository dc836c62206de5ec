package dev.homeport.frontdoor.config;

/** What a route does when its key's home region is fenced or failed over with no peer serving. */
public enum OnHomeDown {
  /** Send the request to the region named in the routing table's servedBy. */
  PEER("peer"),
  /** Serve reads per policy, refuse writes with 503 + Retry-After. */
  READ_ONLY("read-only"),
  /** Refuse every request with 503 + Retry-After. */
  REJECT("reject");

  private final String wire;

  OnHomeDown(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  static OnHomeDown fromWire(String value) {
    for (OnHomeDown choice : values()) {
      if (choice.wire.equals(value)) {
        return choice;
      }
    }
    return null;
  }
}
