package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The routing keys a HomeAssignment moves: a list of keys, or ranges of buckets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.keys) != has(self.buckets)",
    message =
        "set exactly one of subject.keys (user, tenant or merchant ids) or subject.buckets (ranges"
            + " such as 0-511)")
public class Subject {

  @Size(min = 1, max = 10000)
  @JsonPropertyDescription(
      "Routing keys to move (user, tenant or merchant ids; 1-256 printable characters, no spaces).")
  private List<@Pattern(Validation.ROUTING_KEY) @Size(max = 256) String> keys;

  @Size(min = 1, max = 256)
  @ValidationRule(
      value = "self.all(r, !r.contains('-') || int(r.split('-')[0]) <= int(r.split('-')[1]))",
      messageExpression =
          "'subject.buckets range ' + self.filter(r, r.contains('-') && int(r.split('-')[0]) >"
              + " int(r.split('-')[1]))[0] + ' ends before it starts; write start-end with start <="
              + " end'")
  @JsonPropertyDescription(
      "Bucket ranges to move, each a bucket (7) or an inclusive range (0-511).")
  private List<@Pattern(Validation.BUCKET_RANGE) @Size(max = 13) String> buckets;

  public Subject() {}

  public static Subject ofKeys(List<String> keys) {
    Subject subject = new Subject();
    subject.setKeys(keys);
    return subject;
  }

  public static Subject ofBuckets(List<String> buckets) {
    Subject subject = new Subject();
    subject.setBuckets(buckets);
    return subject;
  }

  public List<String> getKeys() {
    return keys;
  }

  public void setKeys(List<String> keys) {
    this.keys = keys;
  }

  public List<String> getBuckets() {
    return buckets;
  }

  public void setBuckets(List<String> buckets) {
    this.buckets = buckets;
  }
}
