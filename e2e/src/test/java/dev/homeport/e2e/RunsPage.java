package dev.homeport.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The runbook page (a file in {@code runbooks/}) that a {@link RunbookIT} test runs; {@code
 * RunbookCoverageTest} checks that every page has exactly one.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface RunsPage {

  /** The page's file name, e.g. {@code failback.md}. */
  String value();
}
