package dev.homeport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {

  @Test
  void readsTheCpuModelOfX86AndArm() {
    assertThat(
            Machine.cpuModel(
                "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\n"
                    + "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\nprocessor\t: 1\n"))
        .isEqualTo("Intel(R) Xeon(R) CPU @ 2.20GHz");
    assertThat(Machine.cpuModel("processor\t: 0\nBogoMIPS\t: 48.00\n\nModel\t: Raspberry Pi 4\n"))
        .isEqualTo("Raspberry Pi 4");
    assertThat(Machine.cpuModel("")).isEqualTo("unknown");
  }

  @Test
  void readsTotalMemory() {
    assertThat(Machine.memTotalBytes("MemTotal:       24683520 kB\nMemFree: 1 kB\n"))
        .isEqualTo(24_683_520L * 1024);
    assertThat(Machine.memTotalBytes("")).isEqualTo(-1);
    assertThat(new Machine("x", 2, 24_683_520L * 1024, "6.1", "java").memory())
        .isEqualTo("23.5 GiB");
  }
}
