package dev.homeport.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.homeport.crds.v1alpha1.status.RegionPhase;

/**
 * How one region is routed to.
 *
 * @param phase the region's phase; only {@code Active} regions, or the region named in {@code
 *     servedBy}, take writes for the region's keys
 * @param servedBy the region serving this region's keys while it is failed over; null otherwise
 * @param url the public URL of the region's front-door, where requests are proxied to unless a
 *     front-door's {@code peers} setting names another address for it
 * @param residency the region's data-residency zone
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegionRoute(RegionPhase phase, String servedBy, String url, String residency) {}
