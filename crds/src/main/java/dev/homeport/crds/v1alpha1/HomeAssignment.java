package dev.homeport.crds.v1alpha1;

import dev.homeport.crds.v1alpha1.spec.HomeAssignmentSpec;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Moves a set of routing keys to a new home region through the fence → drain → switch protocol,
 * losing no write.
 */
@Group(RegionTopology.GROUP)
@Version(RegionTopology.VERSION)
@Kind("HomeAssignment")
@Plural("homeassignments")
@Singular("homeassignment")
@ShortNames({"hassign", "rehome"})
// The CRD generator orders printer columns by JSON path; Age is left out so that the columns
// that matter come first.
@AdditionalPrinterColumn(
    name = "Unavailable",
    jsonPath = ".status.writeUnavailability",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Total",
    jsonPath = ".status.totalKeys",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Moved",
    jsonPath = ".status.movedKeys",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "To",
    jsonPath = ".spec.toRegion",
    type = AdditionalPrinterColumn.Type.STRING)
public class HomeAssignment extends CustomResource<HomeAssignmentSpec, HomeAssignmentStatus>
    implements Namespaced {

  @Override
  protected HomeAssignmentStatus initStatus() {
    return null;
  }
}
