package dev.homeport.crds.v1alpha1.spec;

/** A day of the week, as weekly blocked windows name them. */
public enum Weekday {
  Mon,
  Tue,
  Wed,
  Thu,
  Fri,
  Sat,
  Sun
}
