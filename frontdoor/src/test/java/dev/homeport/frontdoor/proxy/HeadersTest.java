package dev.homeport.frontdoor.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.frontdoor.routing.Hop;
import dev.homeport.frontdoor.routing.RequestRouter;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class HeadersTest {

  private static final String SECRET = "internal-secret-123";

  private static MultiMap hop(String... extra) {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("X-Homeport-Hop", "mumbai")
            .add("X-Homeport-Auth", SECRET);
    for (int i = 0; i < extra.length; i += 2) {
      headers.add(extra[i], extra[i + 1]);
    }
    return headers;
  }

  @Test
  void aHopIsReadOnlyWithTheInternalSecret() {
    assertThat(Headers.inboundHop(MultiMap.caseInsensitiveMultiMap(), SECRET)).isNull();
    assertThat(
            Headers.inboundHop(
                MultiMap.caseInsensitiveMultiMap()
                    .add("X-Homeport-Hop", "mumbai")
                    .add("X-Homeport-Auth", "guessed")
                    .add("X-Homeport-Epoch", "1")
                    .add("X-Homeport-Hops", "1"),
                SECRET))
        .isNull();
    assertThat(Headers.inboundHop(hop("X-Homeport-Epoch", "7", "X-Homeport-Hops", "2"), SECRET))
        .isEqualTo(new Hop("mumbai", 7, 2));
  }

  @Test
  void aHopThatDoesNotSayItsEpochOrCountIsAFirstHopOfUnknownEpoch() {
    assertThat(Headers.inboundHop(hop(), SECRET))
        .isEqualTo(new Hop("mumbai", Hop.UNKNOWN_EPOCH, 1));
    assertThat(Headers.inboundHop(hop("X-Homeport-Epoch", "seven"), SECRET).epoch())
        .isEqualTo(Hop.UNKNOWN_EPOCH);
    assertThat(Headers.inboundHop(hop("X-Homeport-Epoch", "-3"), SECRET).epoch())
        .isEqualTo(Hop.UNKNOWN_EPOCH);
  }

  @Test
  void aHopCountThatCannotBeReadIsNeverProxiedAgain() {
    assertThat(Headers.inboundHop(hop("X-Homeport-Hops", "one"), SECRET).count())
        .isEqualTo(RequestRouter.MAX_HOPS);
    assertThat(Headers.inboundHop(hop("X-Homeport-Hops", "0"), SECRET).count())
        .isEqualTo(RequestRouter.MAX_HOPS);
  }
}
