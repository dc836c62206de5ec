package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {

  private static RegionSpec region(String name) {
    return region(name, 100);
  }

  private static RegionSpec region(String name, int weight) {
    RegionSpec region = new RegionSpec();
    region.setName(name);
    region.setResidency("eu");
    region.setCapacityWeight(weight);
    return region;
  }

  private static List<String> names(List<RegionSpec> regions) {
    return regions.stream().map(RegionSpec::getName).toList();
  }

  private static final List<RegionSpec> THREE =
      List.of(region("mumbai"), region("frankfurt"), region("singapore"));

  @Test
  void withoutAcceptedRegionsEveryRegionOfTheSpecIsAccepted() {
    Membership membership = Membership.of(THREE, null);

    assertThat(names(membership.accepted())).containsExactly("mumbai", "frankfurt", "singapore");
    assertThat(membership.joining()).isEmpty();
    assertThat(membership.leaving()).isEmpty();
  }

  @Test
  void anAppendedRegionJoinsAndIsAcceptedInSpecOrder() {
    List<RegionSpec> spec =
        List.of(region("mumbai"), region("saopaulo"), region("frankfurt"), region("singapore"));

    Membership membership = Membership.of(spec, THREE);

    assertThat(names(membership.accepted())).containsExactly("mumbai", "frankfurt", "singapore");
    assertThat(names(membership.joining())).containsExactly("saopaulo");
    Membership joined = membership.admit("saopaulo", spec);
    assertThat(names(joined.accepted()))
        .containsExactly("mumbai", "saopaulo", "frankfurt", "singapore");
    assertThat(joined.joining()).isEmpty();
    assertThatThrownBy(() -> joined.admit("saopaulo", spec)).hasMessage("saopaulo is not joining");
  }

  @Test
  void aRemovedRegionStaysAcceptedWithItsLastSpecUntilReleased() {
    RegionSpec frankfurt = region("frankfurt", 250);
    List<RegionSpec> accepted = List.of(region("mumbai"), frankfurt, region("singapore"));
    List<RegionSpec> spec = List.of(region("mumbai"), region("singapore"));

    Membership membership = Membership.of(spec, accepted);

    assertThat(names(membership.accepted())).containsExactly("mumbai", "singapore", "frankfurt");
    assertThat(membership.leaving()).containsExactly(frankfurt);
    assertThat(membership.isLeaving("frankfurt")).isTrue();
    assertThat(membership.isLeaving("mumbai")).isFalse();
    assertThat(membership.field("frankfurt", spec)).isEqualTo("status.acceptedRegions[2]");
    assertThat(membership.field("singapore", spec)).isEqualTo("spec.regions[1]");

    Membership released = membership.release("frankfurt");
    assertThat(names(released.accepted())).containsExactly("mumbai", "singapore");
    assertThat(released.leaving()).isEmpty();
    assertThatThrownBy(() -> released.release("frankfurt")).hasMessage("frankfurt is not leaving");
  }

  @Test
  void aRegionPutBackInTheSpecIsNoLongerLeaving() {
    Membership membership = Membership.of(THREE, THREE);

    assertThat(membership.leaving()).isEmpty();
    assertThat(membership.joining()).isEmpty();
  }

  @Test
  void reorderingOrReweightingRegionsNeitherAddsNorRemovesOne() {
    List<RegionSpec> spec =
        List.of(region("singapore", 10), region("mumbai", 900), region("frankfurt"));

    Membership membership = Membership.of(spec, THREE);

    assertThat(names(membership.accepted())).containsExactly("singapore", "mumbai", "frankfurt");
    assertThat(membership.joining()).isEmpty();
    assertThat(membership.leaving()).isEmpty();
    // A region in the spec is routed with its current spec.
    assertThat(membership.accepted().get(1).getCapacityWeight()).isEqualTo(900);
  }
}
