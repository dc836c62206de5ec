package dev.homeport.crds.v1alpha1;

import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The regions of an active-active estate, their health, leases and failovers. Cluster-scoped;
 * usually one object named {@code global}.
 */
@Group(RegionTopology.GROUP)
@Version(RegionTopology.VERSION)
@Kind("RegionTopology")
@Plural("regiontopologies")
@Singular("regiontopology")
@ShortNames({"rtopo", "topology"})
// The CRD generator orders printer columns by JSON path; Age is left out so that the columns
// that matter come first.
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Epoch",
    jsonPath = ".status.routingEpoch",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Regions",
    jsonPath = ".status.summary",
    type = AdditionalPrinterColumn.Type.STRING)
public class RegionTopology extends CustomResource<RegionTopologySpec, RegionTopologyStatus> {

  public static final String GROUP = "homeport.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected RegionTopologyStatus initStatus() {
    return null;
  }
}
