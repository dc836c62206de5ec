package dev.homeport.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine a report was measured on, from {@code /proc} and the running JVM.
 *
 * @param cpuModel the first {@code model name} of /proc/cpuinfo
 * @param cores processors the runner's JVM may use
 * @param memoryBytes MemTotal of /proc/meminfo
 * @param kernel /proc/sys/kernel/osrelease
 * @param java the runtime's name and version
 */
public record Machine(String cpuModel, int cores, long memoryBytes, String kernel, String java) {

  /** Reads the machine the runner runs on. */
  public static Machine current() {
    return new Machine(
        cpuModel(read("/proc/cpuinfo")),
        Runtime.getRuntime().availableProcessors(),
        memTotalBytes(read("/proc/meminfo")),
        read("/proc/sys/kernel/osrelease").strip(),
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
  }

  /** The 1, 5 and 15 minute load averages now, as /proc/loadavg prints them; "" elsewhere. */
  public static String loadAverage() {
    String[] fields = read("/proc/loadavg").strip().split("\\s+");
    return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "";
  }

  /** The first "model name" (x86) or "Model"/"Hardware" (arm) of a /proc/cpuinfo text. */
  static String cpuModel(String cpuinfo) {
    for (String key : new String[] {"model name", "Model", "Hardware"}) {
      for (String line : cpuinfo.lines().toList()) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
          return line.substring(colon + 1).strip();
        }
      }
    }
    return "unknown";
  }

  /** MemTotal of a /proc/meminfo text, in bytes; -1 when absent. */
  static long memTotalBytes(String meminfo) {
    for (String line : meminfo.lines().toList()) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Memory as people say it: "23.5 GiB". */
  public String memory() {
    return String.format(Locale.ROOT, "%.1f GiB", memoryBytes / (1024.0 * 1024 * 1024));
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }
}
