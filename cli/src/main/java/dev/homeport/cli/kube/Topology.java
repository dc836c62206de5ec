package dev.homeport.cli.kube;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.cli.CliException;
import dev.homeport.cli.ExitCode;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One read of a RegionTopology: the typed model for what the plugin interprets, and the object as
 * the API server returned it for what it prints whole ({@code -o json}, drill records).
 */
public final class Topology {

  private final GenericKubernetesResource raw;
  private final RegionTopology typed;

  private Topology(GenericKubernetesResource raw, RegionTopology typed) {
    this.raw = raw;
    this.typed = typed;
  }

  /**
   * Reads the typed model leniently: fields and enum values of an operator newer than the plugin
   * are skipped (the raw object still has them) instead of failing every command.
   */
  private static final ObjectMapper LENIENT =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

  /** The view of an object as read from the API server. */
  public static Topology of(GenericKubernetesResource raw) {
    return new Topology(raw, LENIENT.convertValue(raw, RegionTopology.class));
  }

  public String name() {
    return raw.getMetadata().getName();
  }

  public String resourceVersion() {
    return raw.getMetadata().getResourceVersion();
  }

  /** The object exactly as read, every field included. */
  public GenericKubernetesResource raw() {
    return raw;
  }

  public RegionTopology typed() {
    return typed;
  }

  /** The region names of spec.regions, in order. */
  public List<String> regionNames() {
    List<String> names = new ArrayList<>();
    if (typed.getSpec() != null && typed.getSpec().getRegions() != null) {
      for (RegionSpec region : typed.getSpec().getRegions()) {
        names.add(region.getName());
      }
    }
    return names;
  }

  /** Refuses (exit 2) a region that is not in spec.regions, naming those that are. */
  public void requireRegion(String name) {
    List<String> names = regionNames();
    if (!names.contains(name)) {
      throw CliException.of(
          ExitCode.USAGE,
          "region %s is not in RegionTopology %s; its regions: %s",
          name,
          name(),
          names.isEmpty() ? "none" : String.join(", ", names));
    }
  }

  public Optional<RegionSpec> regionSpec(String name) {
    if (typed.getSpec() == null || typed.getSpec().getRegions() == null) {
      return Optional.empty();
    }
    return typed.getSpec().getRegions().stream().filter(r -> name.equals(r.getName())).findFirst();
  }

  /** The status the operator wrote, or null before its first reconcile. */
  public RegionTopologyStatus status() {
    return typed.getStatus();
  }

  public Optional<RegionStatus> regionStatus(String name) {
    if (status() == null || status().getRegions() == null) {
      return Optional.empty();
    }
    return status().getRegions().stream().filter(r -> name.equals(r.getName())).findFirst();
  }

  /**
   * A region's phase as the operator wrote it, also one this plugin does not know (the typed status
   * has null for it).
   */
  @SuppressWarnings("unchecked")
  public Optional<String> regionPhase(String name) {
    Object status = raw.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> map) || !(map.get("regions") instanceof List<?> regions)) {
      return Optional.empty();
    }
    return regions.stream()
        .filter(r -> r instanceof Map<?, ?> region && name.equals(region.get("name")))
        .map(r -> ((Map<String, Object>) r).get("phase"))
        .filter(phase -> phase != null)
        .map(String::valueOf)
        .findFirst();
  }

  public Optional<Condition> condition(String type) {
    if (status() == null || status().getConditions() == null) {
      return Optional.empty();
    }
    return status().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** The comma-separated values of an annotation, in order, without blanks or duplicates. */
  public List<String> annotationList(String annotation) {
    Map<String, String> annotations = raw.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(annotation);
    if (value == null) {
      return List.of();
    }
    LinkedHashSet<String> values = new LinkedHashSet<>();
    Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .forEach(values::add);
    return List.copyOf(values);
  }

  /** The drill requested in spec.drill, if any. */
  public Optional<DrillSpec> requestedDrill() {
    return Optional.ofNullable(typed.getSpec() == null ? null : typed.getSpec().getDrill());
  }

  /** status.drills[], oldest first, as stored. */
  @SuppressWarnings("unchecked")
  public List<DrillView> drills() {
    Object status = raw.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> map) || !(map.get("drills") instanceof List<?> list)) {
      return List.of();
    }
    List<DrillView> drills = new ArrayList<>();
    for (Object entry : list) {
      if (entry instanceof Map<?, ?> fields) {
        drills.add(new DrillView((Map<String, Object>) fields));
      }
    }
    return drills;
  }

  /** The newest record of this drill id. */
  public Optional<DrillView> drill(String id) {
    List<DrillView> drills = drills();
    for (int i = drills.size() - 1; i >= 0; i--) {
      if (id.equals(drills.get(i).id())) {
        return Optional.of(drills.get(i));
      }
    }
    return Optional.empty();
  }

  /** The drill that is running, if any. */
  public Optional<DrillView> runningDrill() {
    return drills().stream().filter(DrillView::running).reduce((first, second) -> second);
  }

  /** The newest drill record. */
  public Optional<DrillView> lastDrill() {
    List<DrillView> drills = drills();
    return drills.isEmpty() ? Optional.empty() : Optional.of(drills.get(drills.size() - 1));
  }

  /**
   * A drill set in spec.drill that has no record yet: the operator has not picked it up (it is not
   * running, or has not reconciled since).
   */
  public Optional<DrillSpec> pendingDrill() {
    return requestedDrill().filter(d -> d.getId() != null && drill(d.getId()).isEmpty());
  }
}
