package dev.homeport.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrkResultTest {

  /** What wrk 4.1 prints with --latency and wrk-summary.lua. */
  static final String OUTPUT =
      """
      Running 10s test @ http://127.0.0.1:40000/orders/1
        1 threads and 32 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency   412.51us  120.03us   9.87ms   91.20%
          Req/Sec    77.61k     2.13k   80.12k    72.00%
        Latency Distribution
           50%  398.00us
           75%  441.00us
           90%  502.00us
           99%  812.00us
        772345 requests in 10.00s, 98.51MB read
      Requests/sec:  77228.93
      Transfer/sec:      9.85MB
      homeport-wrk requests=772345 duration_us=10000812 connect_errors=0 read_errors=0\
       write_errors=0 status_errors=3 timeouts=1 p50_us=398 p90_us=502 p99_us=812\
       p999_us=2047 max_us=9870 mean_us=412.5
      """;

  @Test
  void readsTheSummaryLine() {
    WrkResult result = WrkResult.parse(OUTPUT);

    assertThat(result.requests()).isEqualTo(772_345);
    assertThat(result.durationMicros()).isEqualTo(10_000_812);
    assertThat(result.p50Micros()).isEqualTo(398);
    assertThat(result.p90Micros()).isEqualTo(502);
    assertThat(result.p99Micros()).isEqualTo(812);
    assertThat(result.p999Micros()).isEqualTo(2_047);
    assertThat(result.maxMicros()).isEqualTo(9_870);
    assertThat(result.meanMicros()).isEqualTo(412.5);
    assertThat(result.errors()).isEqualTo(4);
    assertThat(result.requestsPerSecond())
        .isCloseTo(77_228.2, org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void quotesWrkWhenTheSummaryIsMissing() {
    assertThatThrownBy(() -> WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no 'homeport-wrk' summary line")
        .hasMessageContaining("Connection refused");
  }

  @Test
  void namesAMissingField() {
    assertThatThrownBy(() -> WrkResult.parse("homeport-wrk requests=1 duration_us=2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks connect_errors");
  }

  @Test
  void keyInFindsKeysOfEachHalf() {
    String local = ProxyOverhead.keyIn(0, 8);
    String remote = ProxyOverhead.keyIn(8, 16);

    assertThat(dev.homeport.contract.KeyHash.bucket(local, 16)).isBetween(0, 7);
    assertThat(dev.homeport.contract.KeyHash.bucket(remote, 16)).isBetween(8, 15);
  }
}
